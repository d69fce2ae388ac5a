using System.Security.Cryptography;
using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Audit;

/// <summary>
/// The way into <see cref="FilteredExportVerifier"/> from <c>dx audit verify</c>: a file that is a filtered export is
/// verified online, with the server named by DX_SERVER/DX_KEY or the config file; any other file is left to the
/// whole-log check. Standard input is kept in a temporary file first, because telling the two apart reads it whole.
/// </summary>
public static class FilteredExportCheck
{
    /// <summary>The exit code of the filtered check, or null when the file is a whole-log export.</summary>
    public static async Task<int?> TryRunAsync(Spectre.Console.Cli.CommandContext context, AuditVerifySettings settings, CancellationToken ct)
    {
        string? spooled = null;
        Uri? server = null;
        try
        {
            var path = settings.File;
            if (path == "-")
            {
                spooled = Path.GetTempFileName();
                await using (var file = File.Create(spooled))
                {
                    await Console.OpenStandardInput().CopyToAsync(file, ct).ConfigureAwait(false);
                }

                path = spooled;
            }

            if (!File.Exists(path) || !FilteredExportVerifier.IsFiltered(path))
            {
                // The whole-log check reads the same bytes: standard input, once spooled, is read from the file.
                return spooled is null ? null : await new AuditVerifyCommand().ExecuteAsync(context, Copy(settings, spooled), ct).ConfigureAwait(false);
            }

            using var key = await KeyAsync(settings, ct).ConfigureAwait(false);
            using var api = ApiClient.FromConfig();
            server = api.Server;
            return await new FilteredExportVerifier(api, key).VerifyAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or FormatException or InvalidOperationException)
        {
            return ErrorReporter.Report(new UsageException(e.Message, "pass an NDJSON audit export and the exchange's public key"), server, ct);
        }
#pragma warning disable CA1031 // Top-level handler, as in ApiCommand: failures become exit codes.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ErrorReporter.Report(e, server, ct);
        }
        finally
        {
            if (spooled is not null)
            {
                File.Delete(spooled);
            }
        }
    }

    static AuditVerifySettings Copy(AuditVerifySettings settings, string file) =>
        new() { File = file, PublicKey = settings.PublicKey, Witness = settings.Witness };

    static async Task<ECDsa> KeyAsync(AuditVerifySettings settings, CancellationToken ct)
    {
        if (settings.PublicKey is not null)
        {
            return AuditPublicKey.Import(await AuditPublicKey.ReadPemAsync(settings.PublicKey, ct).ConfigureAwait(false));
        }

        using var witness = WitnessFile.Load(settings.Witness!);
        return AuditPublicKey.Import(witness.Key.ExportSubjectPublicKeyInfoPem());
    }
}
