using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Audit;

/// <summary>The exchange's checkpoint key as auditors keep it: a SPKI PEM file, or the JSON of /.well-known/dataexchange/audit-key.</summary>
public static class AuditPublicKey
{
    /// <summary>The well-known address of the published key (anonymous).</summary>
    public const string WellKnownPath = "/.well-known/dataexchange/audit-key";

    /// <summary>The PEM text of a key file in either form.</summary>
    public static async Task<string> ReadPemAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"File not found: {path}", "keep a copy of /.well-known/dataexchange/audit-key");
        }

        var text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
        return text.TrimStart().StartsWith('{') ? PemOf(JsonNode.Parse(text), path) : text;
    }

    /// <summary>The PEM of the published key document.</summary>
    public static string PemOf(JsonNode? published, string source) =>
        published?["publicKeyPem"]?.GetValue<string>() ?? throw new UsageException($"{source} has no publicKeyPem.");

    /// <summary>An EC public key from its PEM.</summary>
    public static ECDsa Import(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new UsageException($"Not a public key in PEM: {e.Message}");
        }
    }
}
