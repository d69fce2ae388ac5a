using DataExchange.Core.Audit;

namespace DataExchange.Server.Audit;

/// <summary>A checkpoint as the API shows it: hashes in hex, the signature in base64 (DER), and the exact signed text.</summary>
public sealed record CheckpointBody(long TreeSize, string RootHash, string ChainHash, string SignedAt, string KeyId, string Signature, string SignedText)
{
    internal static CheckpointBody From(AuditCheckpoint c) => new(c.TreeSize, Convert.ToHexStringLower(c.RootHash), Convert.ToHexStringLower(c.ChainHash),
        AuditCheckpoint.Time(c.SignedAt), c.KeyId, Convert.ToBase64String(c.Signature), System.Text.Encoding.UTF8.GetString(c.SignedText()));
}

/// <summary>An inclusion proof: leaf index = seq − 1; the leaf data is the entry hash.</summary>
public sealed record InclusionBody(long Seq, long LeafIndex, long TreeSize, string EntryHash, string RootHash, IReadOnlyList<string> Path, CheckpointBody? Checkpoint)
{
    internal static InclusionBody From(InclusionProof p) => new(p.Seq, p.LeafIndex, p.TreeSize, Convert.ToHexStringLower(p.EntryHash),
        Convert.ToHexStringLower(p.RootHash), p.Path.Select(Convert.ToHexStringLower).ToList(), p.Checkpoint is null ? null : CheckpointBody.From(p.Checkpoint));
}

/// <summary>A consistency proof between two tree sizes.</summary>
public sealed record ConsistencyBody(long From, long To, string FromRoot, string ToRoot, IReadOnlyList<string> Path)
{
    internal static ConsistencyBody Of(ConsistencyProof p) => new(p.From, p.To, Convert.ToHexStringLower(p.FromRoot), Convert.ToHexStringLower(p.ToRoot),
        p.Path.Select(Convert.ToHexStringLower).ToList());
}

/// <summary>The checkpoint signing key: SPKI PEM and its id (first 8 bytes of SHA-256 of the DER SPKI).</summary>
public sealed record AuditKeyBody(string KeyId, string Algorithm, string PublicKeyPem);
