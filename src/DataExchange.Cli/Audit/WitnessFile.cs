using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Audit;

/// <summary>
/// An auditor's own record of the exchange's signed checkpoints (<c>dx audit witness</c>): the key
/// pinned at the first run and every checkpoint accepted since, oldest first. It lives outside the
/// exchange, so deleting or rewriting checkpoints in the exchange's database cannot touch it. JSON,
/// replaced atomically on each change; every kept checkpoint's signature is checked when it is read.
/// </summary>
public sealed class WitnessFile : IDisposable
{
    const string Format = "dataexchange-audit-witness/v1";
    readonly string _path;
    readonly string _publicKeyPem;
    readonly List<SignedCheckpoint> _checkpoints;

    WitnessFile(string path, string publicKeyPem, List<SignedCheckpoint> checkpoints)
    {
        (_path, _publicKeyPem, _checkpoints) = (path, publicKeyPem, checkpoints);
        Key = AuditPublicKey.Import(publicKeyPem);
    }

    /// <summary>The pinned checkpoint key.</summary>
    public ECDsa Key { get; }

    /// <summary>The pinned key's id.</summary>
    public string KeyId => AuditChainHashing.KeyId(Key);

    /// <summary>The checkpoints kept, oldest (smallest) first.</summary>
    public IReadOnlyList<SignedCheckpoint> Checkpoints => _checkpoints;

    /// <summary>A new, empty witness pinning <paramref name="publicKeyPem"/>; written at the first <see cref="Keep"/>.</summary>
    public static WitnessFile Create(string path, string publicKeyPem) => new(path, publicKeyPem, []);

    /// <summary>Reads a witness file; a malformed one, or one holding a checkpoint its key did not sign, is a usage error.</summary>
    public static WitnessFile Load(string path)
    {
        var json = LocalJson.Read(path);
        if (json["format"]?.GetValue<string>() != Format)
        {
            throw new UsageException($"{path} is not a witness file (format {Format}).");
        }

        List<SignedCheckpoint> kept;
        try
        {
            kept = (json["checkpoints"] as JsonArray ?? []).Select(c => SignedCheckpoint.From(c!)).ToList();
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"{path}: {e.Message}");
        }

        var witness = new WitnessFile(path, AuditPublicKey.PemOf(json, path), kept);
        if (kept.Select(c => c.SignatureProblem(witness.Key)).FirstOrDefault(p => p is not null) is { } problem)
        {
            witness.Dispose();
            throw new UsageException($"{path}: {problem}", "a witness file holds only checkpoints its pinned key signed; was it edited?");
        }

        return witness;
    }

    /// <summary>Appends a checkpoint that was checked against the last one, and saves.</summary>
    public void Keep(SignedCheckpoint checkpoint)
    {
        _checkpoints.Add(checkpoint);
        var json = new JsonObject
        {
            ["format"] = Format,
            ["keyId"] = KeyId,
            ["publicKeyPem"] = _publicKeyPem,
            ["checkpoints"] = new JsonArray(_checkpoints.Select(c => (JsonNode)c.ToJson()).ToArray()),
        };
        var temp = _path + ".tmp";
        File.WriteAllText(temp, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, _path, overwrite: true);
    }

    /// <inheritdoc />
    public void Dispose() => Key.Dispose();
}
