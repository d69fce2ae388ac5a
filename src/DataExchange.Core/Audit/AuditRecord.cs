using System.Globalization;
using System.Text;
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
        string? target, string? datasetId, string outcome, JsonObject details) =>
        Encoding.UTF8.GetBytes(CanonicalText(seq, at, actorAgency, actorClient, action, target, datasetId, outcome, details, CanonicalJson.ToText(details)));

    /// <summary>
    /// The canonical text of an entry whose details' canonical text is <paramref name="canonicalDetails"/>
    /// (<see cref="CanonicalJson.ToText"/> of <paramref name="details"/>). The envelope's members are written straight
    /// in their canonical order (action, actorAgency, actorClient, at, datasetId, details, outcome, seq, target) when
    /// every one of its strings is printable ASCII without a quote or backslash — text the canonical writer copies as
    /// it is (issue 16: a lookup's entry was a node tree cloned, written, parsed back and walked, per entry); any
    /// other string takes the general writer, <see cref="CanonicalNode"/>. Both give the same bytes
    /// (AuditEntryTests, AuditHashVectorTests).
    /// </summary>
    internal static string CanonicalText(long seq, DateTimeOffset at, string? actorAgency, string? actorClient, string action,
        string? target, string? datasetId, string outcome, JsonObject details, string canonicalDetails)
    {
        var time = at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
        if (!Plain(actorAgency) || !Plain(actorClient) || !Plain(action) || !Plain(target) || !Plain(datasetId) || !Plain(outcome))
            return CanonicalJson.ToText(CanonicalNode(seq, time, actorAgency, actorClient, action, target, datasetId, outcome, details));
        var sb = new StringBuilder(160 + canonicalDetails.Length);
        sb.Append("{\"action\":");
        Member(sb, action).Append(",\"actorAgency\":");
        Member(sb, actorAgency).Append(",\"actorClient\":");
        Member(sb, actorClient).Append(",\"at\":");
        Member(sb, time).Append(",\"datasetId\":");
        Member(sb, datasetId).Append(",\"details\":").Append(canonicalDetails).Append(",\"outcome\":");
        Member(sb, outcome).Append(",\"seq\":").Append(seq.ToString(CultureInfo.InvariantCulture)).Append(",\"target\":");
        return Member(sb, target).Append('}').ToString();
    }

    /// <summary>The entry as the general canonical writer takes it: a node of its nine members.</summary>
    internal static JsonObject CanonicalNode(long seq, string at, string? actorAgency, string? actorClient, string action,
        string? target, string? datasetId, string outcome, JsonObject details) => new()
        {
            ["seq"] = seq,
            ["at"] = at,
            ["actorAgency"] = actorAgency,
            ["actorClient"] = actorClient,
            ["action"] = action,
            ["target"] = target,
            ["datasetId"] = datasetId,
            ["outcome"] = outcome,
            ["details"] = details.DeepClone(),
        };

    /// <summary>The format of <c>at</c>: to the microsecond, UTC.</summary>
    internal const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    // Printable ASCII but the quote and the backslash: what the relaxed style copies unescaped, and what a write and
    // parse of the node gives back unchanged.
    static bool Plain(string? s) => s is null || !s.AsSpan().ContainsAnyExceptInRange(' ', '~') && !s.AsSpan().ContainsAny('"', '\\');

    static StringBuilder Member(StringBuilder sb, string? value) => value is null ? sb.Append("null") : sb.Append('"').Append(value).Append('"');

    /// <summary>SHA-256(prevHash ‖ canonical bytes).</summary>
    public static byte[] ComputeHash(byte[] prevHash, byte[] canonical)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(prevHash);
        sha.AppendData(canonical);
        return sha.GetHashAndReset();
    }

    /// <summary>SHA-256(prevHash ‖ UTF-8 of <paramref name="canonical"/>), encoded on the stack when it is short.</summary>
    internal static byte[] ComputeHash(byte[] prevHash, string canonical)
    {
        var length = prevHash.Length + Encoding.UTF8.GetMaxByteCount(canonical.Length);
        var rented = length > 2048 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        var bytes = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        prevHash.CopyTo(bytes);
        var written = prevHash.Length + Encoding.UTF8.GetBytes(canonical, bytes[prevHash.Length..]);
        var hash = System.Security.Cryptography.SHA256.HashData(bytes[..written]);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return hash;
    }
}
