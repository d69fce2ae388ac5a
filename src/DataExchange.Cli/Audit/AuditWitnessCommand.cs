using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Audit;

public sealed class AuditWitnessSettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("The witness file: created on the first run, extended by every later run")]
    public string File { get; init; } = "";

    [CommandOption("--public-key <KEY>")]
    [Description("The checkpoint key to pin on the first run (SPKI PEM, or the JSON of /.well-known/dataexchange/audit-key); without it the published key is fetched and pinned")]
    public string? PublicKey { get; init; }
}

/// <summary>
/// The audit trail's external anchor: fetches the exchange's newest signed checkpoint and holds it
/// against the last one the witness file kept — signed by the pinned key, never smaller, the same
/// hashes at the same size, and an RFC 9162 consistency proof (GET /audit/consistency) when larger —
/// then keeps it. Exit 7 names what no longer holds (a log cut or rewritten, checkpoints deleted),
/// which nobody with only the exchange's database can make the file forget.
/// </summary>
public sealed class AuditWitnessCommand : ApiCommand<AuditWitnessSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, AuditWitnessSettings settings, CancellationToken ct)
    {
        var given = settings.PublicKey is null ? null : await AuditPublicKey.ReadPemAsync(settings.PublicKey, ct).ConfigureAwait(false);
        var pinning = !File.Exists(settings.File);
        using var witness = pinning
            ? WitnessFile.Create(settings.File, given ?? AuditPublicKey.PemOf((await api.GetAsync(AuditPublicKey.WellKnownPath, ct).ConfigureAwait(false)).Json, "the exchange"))
            : WitnessFile.Load(settings.File);
        if (given is not null)
        {
            using var key = AuditPublicKey.Import(given);
            if (AuditChainHashing.KeyId(key) != witness.KeyId)
            {
                throw new UsageException($"{settings.File} pins key {witness.KeyId}, not {AuditChainHashing.KeyId(key)}.", "a new signing key starts a new witness file");
            }
        }

        var page = await api.GetAsync("audit/checkpoints?limit=1", ct).ConfigureAwait(false);
        var newest = Output.Items(page.Json) is [{ } item, ..] ? SignedCheckpoint.From(item) : null;
        var last = witness.Checkpoints.Count == 0 ? null : witness.Checkpoints[^1];
        var problem = newest is null
            ? last is null ? null : $"The exchange shows no checkpoint, but one was witnessed at tree size {last.TreeSize} (signed {last.SignedAt}): checkpoints were deleted."
            : newest.SignatureProblem(witness.Key) ?? await ExtensionProblemAsync(api, last, newest, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            Output.Err.MarkupLineInterpolated($"[red]error:[/] [red]the audit log does not extend what {settings.File} witnessed: {problem}[/]");
            return ExitCodes.VerificationFailed;
        }

        if (newest is null || newest.TreeSize == last?.TreeSize)
        {
            Output.Success(newest is null ? "No checkpoint is signed yet: nothing to witness." : $"No new checkpoint: the newest is still the one at tree size {newest.TreeSize}, as witnessed.");
            return ExitCodes.Success;
        }

        witness.Keep(newest);
        Output.Success(last is null
            ? $"Witnessed the checkpoint at tree size {newest.TreeSize} (signed {newest.SignedAt}), pinning key {witness.KeyId}."
            : $"Witnessed the checkpoint at tree size {newest.TreeSize} (signed {newest.SignedAt}): it extends the one at tree size {last.TreeSize} (consistency proof verified); {witness.Checkpoints.Count} checkpoints kept.");
        if (pinning && given is null)
        {
            Output.Warn($"Key {witness.KeyId} was pinned as the server published it: compare its id with the one your exchange announced.");
        }

        return ExitCodes.Success;
    }

    /// <summary>Why <paramref name="newest"/> is not the witnessed log or an extension of it, or null.</summary>
    static async Task<string?> ExtensionProblemAsync(ApiClient api, SignedCheckpoint? last, SignedCheckpoint newest, CancellationToken ct)
    {
        if (last is null)
        {
            return null;
        }

        if (newest.TreeSize < last.TreeSize)
        {
            return $"The newest checkpoint covers {newest.TreeSize} entries, fewer than the {last.TreeSize} of the one witnessed (signed {last.SignedAt}): entries were cut, or the checkpoints that covered them deleted.";
        }

        if (newest.TreeSize == last.TreeSize)
        {
            return newest.SameLog(last) ? null : $"The checkpoint at tree size {newest.TreeSize} differs from the one witnessed (signed {last.SignedAt}): the log was rewritten.";
        }

        ApiResponse proof;
        try
        {
            proof = await api.GetAsync($"audit/consistency?from={last.TreeSize}&to={newest.TreeSize}", ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status is 400 or 409)
        {
            return $"The exchange cannot prove that its checkpoint at tree size {newest.TreeSize} extends the one witnessed at tree size {last.TreeSize}: {e.Detail}";
        }

        var path = (proof.Json?["path"]?.AsArray() ?? []).Select(p => Convert.FromHexString(p!.GetValue<string>())).ToList();
        return MerkleHeads.Consistent(last.TreeSize, newest.TreeSize, Convert.FromHexString(last.RootHash), Convert.FromHexString(newest.RootHash), path)
            ? null
            : $"The checkpoint at tree size {newest.TreeSize} does not extend the one witnessed at tree size {last.TreeSize} (signed {last.SignedAt}): the consistency proof fails, so entries 1–{last.TreeSize} were rewritten.";
    }
}
