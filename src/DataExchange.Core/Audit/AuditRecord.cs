using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Audit;

/// <summary>What a capability asks the <see cref="AuditWriter"/> to append.</summary>
public sealed record AuditRecord(
    Caller? Actor,
    AuditAction Action,
    AuditOutcome Outcome,
    string? Target = null,
    string? DatasetId = null,
    JsonObject? Details = null);

/// <summary>A stored audit entry.</summary>
public sealed record AuditEntry(
    long Seq,
    DateTimeOffset At,
    string? ActorAgency,
    string? ActorClient,
    string Action,
    string? Target,
    string? DatasetId,
    string Outcome,
    JsonObject Details,
    byte[] PrevHash,
    byte[] Hash)
{
    /// <summary>
    /// The canonical bytes that the entry hash covers (with the previous hash prepended). Time is
    /// written to the microsecond, PostgreSQL's precision, so a stored entry re-hashes identically.
    /// </summary>
    public static byte[] CanonicalBytes(long seq, DateTimeOffset at, string? actorAgency, string? actorClient, string action,
        string? target, string? datasetId, string outcome, JsonObject details)
    {
        var node = new JsonObject
        {
            ["seq"] = seq,
            ["at"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["actorAgency"] = actorAgency,
            ["actorClient"] = actorClient,
            ["action"] = action,
            ["target"] = target,
            ["datasetId"] = datasetId,
            ["outcome"] = outcome,
            ["details"] = details.DeepClone(),
        };
        return CanonicalJson.ToBytes(node);
    }

    /// <summary>SHA-256(prevHash ‖ canonical bytes).</summary>
    public static byte[] ComputeHash(byte[] prevHash, byte[] canonical)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(prevHash);
        sha.AppendData(canonical);
        return sha.GetHashAndReset();
    }
}
