using System.Buffers.Binary;
using System.Buffers.Text;
using DataExchange.Core.Common;
using System.Text;

namespace DataExchange.Core.Pull;

/// <summary>What a record or change cursor is bound to: the caller, the dataset, the list and (for changes) <c>since</c>.</summary>
public sealed record CursorScope(string ClientId, string? SubscriptionId, string DatasetId, string List, int? Since = null)
{
    public const string Records = "records";
    public const string Changes = "changes";

    /// <summary>
    /// The associated data AES-GCM authenticates: a cursor opens only under the very scope it was made
    /// in. Fields are joined by U+0000, which no client id, subscription id or dataset id contains.
    /// </summary>
    internal byte[] AssociatedData() =>
        Encoding.UTF8.GetBytes($"dx-cursor-v1\0{List}\0{ClientId}\0{SubscriptionId ?? "owner"}\0{DatasetId}\0{Since?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
}

/// <summary>
/// Record and change cursors (issue 13): the pinned version and the last raw key, encrypted and
/// authenticated with AES-256-GCM (<see cref="SealedBox"/>) under a key derived by HKDF from the server
/// secret of <see cref="MaskKey"/>, so a cursor reveals nothing and opens only for the caller, subscription,
/// dataset, list and range it was given out for. Base64url of the sealed box; its plaintext is a 4-byte
/// big-endian version and the UTF-8 key.
/// </summary>
public sealed class PullCursor(MaskKey maskKey)
{
    const byte Format = 1;
    static readonly byte[] Info = "dataexchange pull cursor aes-256-gcm v1"u8.ToArray();

    /// <summary>The opaque cursor of (<paramref name="version"/>, <paramref name="key"/>) within <paramref name="scope"/>.</summary>
    public async Task<string> ProtectAsync(CursorScope scope, int version, string key, CancellationToken cancellationToken)
    {
        var plain = new byte[4 + Encoding.UTF8.GetByteCount(key)];
        BinaryPrimitives.WriteInt32BigEndian(plain, version);
        Encoding.UTF8.GetBytes(key, plain.AsSpan(4));
        return Base64Url.EncodeToString(SealedBox.Seal(await maskKey.DeriveAsync(Info, cancellationToken), Format, plain, scope.AssociatedData()));
    }

    /// <summary>The version and key of <paramref name="cursor"/>, or null when it is not one given out in <paramref name="scope"/>.</summary>
    public async Task<(int Version, string Key)?> UnprotectAsync(CursorScope scope, string cursor, CancellationToken cancellationToken)
    {
        byte[] sealedBytes;
        try { sealedBytes = Base64Url.DecodeFromChars(cursor); }
        catch (FormatException) { return null; }
        var plain = SealedBox.Open(await maskKey.DeriveAsync(Info, cancellationToken), Format, sealedBytes, scope.AssociatedData());
        if (plain is not { Length: >= 4 }) return null;
        return (BinaryPrimitives.ReadInt32BigEndian(plain), Encoding.UTF8.GetString(plain.AsSpan(4)));
    }
}
