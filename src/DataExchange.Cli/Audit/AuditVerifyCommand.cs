using System.ComponentModel;
using System.Security.Cryptography;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Audit;

public sealed class AuditVerifySettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("An NDJSON export (dx audit export > FILE), or - for stdin; a filtered one (an agency auditor's) is proven entry by entry with the server's inclusion proofs")]
    public string File { get; init; } = "";

    [CommandOption("--public-key <KEY>")]
    [Description("The exchange's checkpoint key: a SPKI PEM file, or the JSON of /.well-known/dataexchange/audit-key (default with --witness: the key it pinned)")]
    public string? PublicKey { get; init; }

    [CommandOption("--witness <WITNESS>")]
    [Description("A file kept by dx audit witness: the export must reach every witnessed checkpoint and match its root")]
    public string? Witness { get; init; }

    public override ValidationResult Validate() => PublicKey is null && Witness is null
        ? ValidationResult.Error("--public-key is required without --witness (keep a copy of /.well-known/dataexchange/audit-key)")
        : ValidationResult.Success();
}

/// <summary>
/// Verifies an export offline: no server, only the public key, and the checkpoints a witness kept.
/// Exit 0 when the chain, every witnessed checkpoint and the export's own checkpoint verify; exit 7
/// naming the first bad position otherwise.
/// </summary>
public sealed class AuditVerifyCommand : AsyncCommand<AuditVerifySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, AuditVerifySettings settings, CancellationToken cancellationToken)
    {
        if (await FilteredExportCheck.TryRunAsync(context, settings, cancellationToken).ConfigureAwait(false) is { } exit)
        {
            return exit;
        }

        OfflineVerification result;
        try
        {
            using var witness = settings.Witness is null ? null : WitnessFile.Load(settings.Witness);
            using var key = settings.PublicKey is null ? null : AuditPublicKey.Import(await AuditPublicKey.ReadPemAsync(settings.PublicKey, cancellationToken).ConfigureAwait(false));
            if (key is not null && witness is not null && AuditChainHashing.KeyId(key) != witness.KeyId)
            {
                throw new UsageException($"{settings.Witness} pins key {witness.KeyId}, not the given {AuditChainHashing.KeyId(key)}.");
            }

            using var reader = settings.File == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(settings.File);
            result = new OfflineAuditVerifier(key ?? witness!.Key).Verify(reader, witness?.Checkpoints);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or CryptographicException or ArgumentException or InvalidOperationException)
        {
            return ErrorReporter.Report(new UsageException(e.Message, "pass a whole-log NDJSON export and the exchange's public key"), null, cancellationToken);
        }
#pragma warning disable CA1031 // Top-level handler: file errors become exit codes, as in ApiCommand.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ErrorReporter.Report(e, null, cancellationToken);
        }

        if (!result.Ok)
        {
            var where = result.FirstBadSeq is { } seq ? $"position {seq}: " : "";
            Output.Err.MarkupLineInterpolated($"[red]error:[/] [red]audit log does not verify at {where}{result.Problem}[/]");
            Output.Info($"  {result.Entries} entries verified before the problem");
            return ExitCodes.VerificationFailed;
        }

        var witnessed = settings.Witness is null ? "" : $"; so do the {result.Witnessed} witnessed checkpoints";
        Output.Success(result.CheckpointTreeSize is { } size
            ? $"OK: {result.Entries} entries chain correctly; the checkpoint at tree size {size} (signed {result.CheckpointSignedAt}) verifies{witnessed}."
            : $"OK: {result.Entries} entries chain correctly{witnessed}.");
        if (result.Problem is not null)
        {
            Output.Warn(result.Problem);
        }

        return ExitCodes.Success;
    }
}
