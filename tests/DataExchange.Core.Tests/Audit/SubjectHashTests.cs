using System.Security.Cryptography;
using System.Text;
using DataExchange.Core.Audit;
using DataExchange.Core.Pull;
using Microsoft.Extensions.Configuration;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Audit;

/// <summary>A subject's hash is HMAC-SHA256 of dataset id, U+0000 and the stored key, under the key HKDF derives for subjects.</summary>
public sealed class SubjectHashTests
{
    static MaskKey Key(byte fill) => new(NpgsqlDataSource.Create("Host=unused"),
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Pull:HashKey"] = Convert.ToBase64String([.. Enumerable.Repeat(fill, 32)]) }).Build());

    static string Expected(byte fill, string datasetId, string storedKey)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, [.. Enumerable.Repeat(fill, 32)], 32, [], "dataexchange lookup subject hmac-sha256 v1"u8.ToArray());
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{datasetId}\0{storedKey}")));
    }

    [Test]
    public async Task Of_IsTheHmacOfDatasetNulAndKey_UnderEachServersKey()
    {
        string[] keys = ["91440106936536865Y", "Guangzhou\u001f7", "粤A·12345", "", "tail \ud800", new string('k', 2000)];
        var (one, two) = (new SubjectHash(Key(1)), new SubjectHash(Key(2)));
        var first = await one.OfAsync("gd-amr.licences", keys, CancellationToken.None);
        var second = await two.OfAsync("gd-amr.licences", keys, CancellationToken.None);
        var again = await one.OfAsync("gd-amr.licences", keys, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(keys.Select(k => Expected(1, "gd-amr.licences", k)).ToArray()));
            Assert.That(second, Is.EqualTo(keys.Select(k => Expected(2, "gd-amr.licences", k)).ToArray()), "another server's key on the same thread");
            Assert.That(again, Is.EqualTo(first));
        });
    }
}
