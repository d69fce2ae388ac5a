using System.Security.Cryptography;

namespace DataExchange.Core.Common;

/// <summary>
/// AES-256-GCM with a random 96-bit nonce, for small values the exchange must keep or hand out
/// unreadable and unforgeable (pull cursors, feed credentials). Layout: 1 format byte, 12-byte nonce,
/// 16-byte tag, ciphertext. The associated data binds a sealed value to where it belongs, so it
/// opens nowhere else.
/// </summary>
public static class SealedBox
{
    const int NonceSize = 12, TagSize = 16;

    /// <summary>Bytes before the ciphertext.</summary>
    public const int Overhead = 1 + NonceSize + TagSize;

    /// <summary>Seals <paramref name="plain"/> under <paramref name="key"/> (32 bytes), authenticated with <paramref name="associatedData"/>.</summary>
    public static byte[] Seal(byte[] key, byte format, ReadOnlySpan<byte> plain, ReadOnlySpan<byte> associatedData)
    {
        var sealedBytes = new byte[Overhead + plain.Length];
        sealedBytes[0] = format;
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(1, NonceSize));
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(sealedBytes.AsSpan(1, NonceSize), plain, sealedBytes.AsSpan(Overhead), sealedBytes.AsSpan(1 + NonceSize, TagSize), associatedData);
        return sealedBytes;
    }

    /// <summary>The plain bytes, or null when <paramref name="sealedBytes"/> was not sealed by <see cref="Seal"/> with this key, format and associated data.</summary>
    public static byte[]? Open(byte[] key, byte format, ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData)
    {
        if (sealedBytes.Length < Overhead || sealedBytes[0] != format) return null;
        var plain = new byte[sealedBytes.Length - Overhead];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedBytes.Slice(1, NonceSize), sealedBytes[Overhead..], sealedBytes.Slice(1 + NonceSize, TagSize), plain, associatedData);
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
