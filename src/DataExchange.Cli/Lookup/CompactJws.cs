using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.Cli.Audit;

namespace DataExchange.Cli.Lookup;

/// <summary>A piece of lookup evidence: an RFC 7515 compact JWS, ES256, as the exchange signs it.</summary>
public sealed record CompactJws(JsonObject Header, JsonObject Payload, byte[] SigningInput, byte[] Signature)
{
    /// <summary>Reads the three base64url parts; anything else is an <see cref="InvalidDataException"/>.</summary>
    public static CompactJws Parse(string text)
    {
        var parts = text.Trim().Split('.');
        if (parts.Length != 3) throw new InvalidDataException("Not a compact JWS: it has three parts separated by '.'.");
        try
        {
            return new CompactJws(Json(parts[0]), Json(parts[1]), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"Not a compact JWS: {e.Message}", e);
        }
    }

    /// <summary>Why <paramref name="key"/> does not vouch for this evidence, or null when it does.</summary>
    public string? Problem(ECDsa key)
    {
        if (Header["alg"]?.GetValue<string>() != "ES256") return $"The algorithm is {Header["alg"]?.ToJsonString() ?? "missing"}, not ES256.";
        var expected = AuditChainHashing.KeyId(key);
        if (Header["kid"]?.GetValue<string>() != expected) return $"The evidence is signed by key {Header["kid"]}, not by the given public key ({expected}).";
        return Signature.Length == 64 && key.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? null
            : "The signature does not verify: the evidence was changed after it was signed, or signed by another key.";
    }

    static JsonObject Json(string part) => JsonNode.Parse(Base64Url.DecodeFromChars(part))?.AsObject() ?? throw new InvalidDataException("A JWS part is not a JSON object.");
}
