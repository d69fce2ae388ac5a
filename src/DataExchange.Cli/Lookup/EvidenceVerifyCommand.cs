using System.ComponentModel;
using System.Security.Cryptography;
using DataExchange.Cli.Audit;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Lookup;

public sealed class EvidenceVerifySettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("The evidence: a compact JWS as dx lookup --evidence or the API wrote it, or - for stdin")]
    public string File { get; init; } = "";

    [CommandOption("--public-key <KEY>")]
    [Description("The exchange's evidence key: a SPKI PEM file, or the JSON of /.well-known/dataexchange/evidence-key. Without it the key is fetched from the server you are logged in to")]
    public string? PublicKey { get; init; }
}

/// <summary>
/// Checks a piece of lookup evidence: its ES256 signature under the exchange's evidence key — offline with
/// a kept copy of the key (--public-key), else fetched from the server — then prints what it states. Exit 0
/// when it verifies, 7 when it does not (changed, or signed by another key).
/// </summary>
public sealed class EvidenceVerifyCommand : AsyncCommand<EvidenceVerifySettings>
{
    /// <summary>The well-known address of the evidence key (anonymous).</summary>
    public const string WellKnownPath = "/.well-known/dataexchange/evidence-key";

    public override async Task<int> ExecuteAsync(CommandContext context, EvidenceVerifySettings settings, CancellationToken cancellationToken)
    {
        string? problem;
        CompactJws evidence;
        try
        {
            var text = settings.File == "-" ? await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                : await System.IO.File.ReadAllTextAsync(settings.File, cancellationToken).ConfigureAwait(false);
            evidence = CompactJws.Parse(text);
            using var key = AuditPublicKey.Import(settings.PublicKey is { } path
                ? await AuditPublicKey.ReadPemAsync(path, cancellationToken).ConfigureAwait(false)
                : await PublishedKeyAsync(cancellationToken).ConfigureAwait(false));
            problem = evidence.Problem(key);
        }
        catch (Exception e) when (e is InvalidDataException or CryptographicException)
        {
            return ErrorReporter.Report(new UsageException(e.Message, "pass the evidence file as it was written (header.payload.signature)"), null, cancellationToken);
        }
#pragma warning disable CA1031 // Top-level handler: file and network errors become exit codes, as in ApiCommand.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ErrorReporter.Report(e, null, cancellationToken);
        }

        if (problem is not null)
        {
            Output.Err.MarkupLineInterpolated($"[red]error:[/] [red]the evidence does not verify: {problem}[/]");
            return ExitCodes.VerificationFailed;
        }
        var p = evidence.Payload;
        Output.Success($"OK: signed by the exchange's evidence key {evidence.Header["kid"]}.");
        Output.Properties(p);
        return ExitCodes.Success;
    }

    static async Task<string> PublishedKeyAsync(CancellationToken ct)
    {
        using var api = ApiClient.FromConfig();
        return AuditPublicKey.PemOf((await api.GetAsync(WellKnownPath, ct).ConfigureAwait(false)).Json, "the exchange");
    }
}
