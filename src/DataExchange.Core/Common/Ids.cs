using System.Security.Cryptography;

namespace DataExchange.Core.Common;

/// <summary>Opaque ids: a short prefix naming the kind, then 96 random bits in lower-case base32.</summary>
public static class Ids
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new id such as <c>sub_k3j…</c>.</summary>
    public static string New(string prefix) => prefix + "_" + Random(20);

    /// <summary>Random base32 text of <paramref name="length"/> characters (5 bits each).</summary>
    public static string Random(int length)
    {
        Span<byte> bytes = stackalloc byte[length];
        RandomNumberGenerator.Fill(bytes);
        return string.Create(length, bytes.ToArray(), (span, b) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = Alphabet[b[i] & 31];
        });
    }
}
