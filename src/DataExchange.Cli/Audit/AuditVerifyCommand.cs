using System.ComponentModel;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Audit;

public sealed class AuditVerifySettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("A whole-log NDJSON export (dx audit export > FILE), or - for stdin")]
    public string File { get; init; } = "";

    [CommandOption("--public-key <KEY>")]
    [Description("The exchange's checkpoint key: a SPKI PEM file, or the JSON of /.well-known/dataexchange/audit-key")]
    public string PublicKey { get; init; } = "";

    public override ValidationResult Validate() => string.IsNullOrEmpty(PublicKey)
        ? ValidationResult.Error("--public-key is required (keep a copy of /.well-known/dataexchange/audit-key)")
        : ValidationResult.Success();
}

/// <summary>
/// Verifies an export offline: no server, only the public key. Exit 0 when the chain and the
/// latest signed checkpoint verify; exit 7 naming the first bad position otherwise.
/// </summary>
public sealed class AuditVerifyCommand : AsyncCommand<AuditVerifySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, AuditVerifySettings settings, CancellationToken cancellationToken)
    {
        OfflineVerification result;
        try
        {
            using var key = await LoadKeyAsync(settings.PublicKey, cancellationToken).ConfigureAwait(false);
            using var reader = settings.File == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(settings.File);
            result = new OfflineAuditVerifier(key).Verify(reader);
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

        Output.Success(result.CheckpointTreeSize is { } size
            ? $"OK: {result.Entries} entries chain correctly; the checkpoint at tree size {size} (signed {result.CheckpointSignedAt}) verifies."
            : $"OK: {result.Entries} entries chain correctly.");
        if (result.Problem is not null)
        {
            Output.Warn(result.Problem);
        }

        return ExitCodes.Success;
    }

    private static async Task<ECDsa> LoadKeyAsync(string path, CancellationToken ct)
    {
        var text = await System.IO.File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
        if (text.TrimStart().StartsWith('{'))
        {
            text = JsonNode.Parse(text)?["publicKeyPem"]?.GetValue<string>() ?? throw new InvalidDataException($"{path} has no publicKeyPem.");
        }

        var key = ECDsa.Create();
        key.ImportFromPem(text);
        return key;
    }
}
