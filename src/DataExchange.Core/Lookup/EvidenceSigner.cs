using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Lookup;

/// <summary>
/// Signs lookup answers as evidence (issue 16): an RFC 7515 compact JWS, ES256 (ECDSA P-256 with
/// SHA-256, the signature as the 64-byte r‖s), header <c>{"alg":"ES256","kid":…,"typ":"dx-evidence+jws"}</c>,
/// under the exchange's evidence key (<see cref="LookupOptions.EvidenceKeyPath"/>; its own key, not the
/// audit checkpoint key, so the two can be rotated and held apart). Anyone with the public key
/// (<c>/.well-known/dataexchange/evidence-key</c>) can check a piece of evidence offline.
/// </summary>
public sealed class EvidenceSigner(IOptions<LookupOptions> options) : IDisposable
{
    /// <summary>The JWS header's <c>typ</c>.</summary>
    public const string Type = "dx-evidence+jws";

    readonly EcKeyFile _file = new(options.Value.EvidenceKeyPath);
    string? _header;

    /// <summary>The key id: first 8 bytes of SHA-256 of the DER public key, hex.</summary>
    public string KeyId => _file.KeyId;

    /// <summary>The public key as SubjectPublicKeyInfo PEM.</summary>
    public string PublicKeyPem => _file.PublicKeyPem;

    /// <summary>The public key as an RFC 7517 JWK, for JOSE libraries.</summary>
    public JsonObject Jwk()
    {
        var p = _file.Key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y),
            ["kid"] = KeyId, ["alg"] = "ES256", ["use"] = "sig",
        };
    }

    /// <summary>The compact JWS of <paramref name="payload"/> (UTF-8 JSON).</summary>
    public string Sign(ReadOnlySpan<byte> payload)
    {
        _header ??= Base64Url.EncodeToString(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = "ES256", ["kid"] = KeyId, ["typ"] = Type }.ToJsonString()));
        var input = _header + "." + Base64Url.EncodeToString(payload);
        var signature = _file.Key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>What the audit entry keeps of a piece of evidence: SHA-256 of its compact form, hex.</summary>
    public static string Hash(string evidence) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(evidence)));

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
