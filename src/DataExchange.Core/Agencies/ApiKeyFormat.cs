using System.Security.Cryptography;
using System.Text;
using DataExchange.Core.Common;

namespace DataExchange.Core.Agencies;

/// <summary>
/// Keys look like <c>dx_&lt;id&gt;_&lt;secret&gt;</c>: the id finds the row, the 200-bit random secret
/// proves possession. A plain SHA-256 of the secret is stored: with that much entropy a slow hash
/// adds nothing, and authentication stays one indexed lookup.
/// </summary>
public static class ApiKeyFormat
{
    const string Prefix = "dx_";

    /// <summary>A new key id and secret.</summary>
    public static (string Id, string Secret) NewKey() => ("k" + Ids.Random(11), Ids.Random(40));

    /// <summary>The presented form of a key.</summary>
    public static string Format(string id, string secret) => $"{Prefix}{id}_{secret}";

    /// <summary>Splits a presented key; false when it is not of our shape.</summary>
    public static bool TryParse(string presented, out string id, out string secret)
    {
        id = secret = "";
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = presented.AsSpan(Prefix.Length);
        var split = rest.IndexOf('_');
        if (split <= 0 || split == rest.Length - 1 || rest.Length > 128) return false;
        id = rest[..split].ToString();
        secret = rest[(split + 1)..].ToString();
        return true;
    }

    /// <summary>SHA-256 of the secret.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
