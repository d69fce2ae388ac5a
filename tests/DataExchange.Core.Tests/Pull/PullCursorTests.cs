using System.Text;
using DataExchange.Core.Pull;
using Microsoft.Extensions.Configuration;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Pull;

/// <summary>Issue 13, item 1: record and change cursors are sealed and open only in the scope they were made in.</summary>
public sealed class PullCursorTests
{
    // With Pull:HashKey configured the mask key never touches the database, so the data source is never opened.
    static readonly PullCursor Cursors = new(new MaskKey(NpgsqlDataSource.Create("Host=unused"),
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Pull:HashKey"] = Convert.ToBase64String(new byte[32]) }).Build()));

    static readonly CursorScope Scope = new("client-a", "sub-1", "own.people", CursorScope.Changes, 3);

    [Test]
    public async Task ACursor_OpensInItsScope_ToTheVersionAndKeyItWasMadeOf()
    {
        var cursor = await Cursors.ProtectAsync(Scope, 7, "secret-key", CancellationToken.None);
        Assert.That(await Cursors.UnprotectAsync(Scope, cursor, CancellationToken.None), Is.EqualTo((7, "secret-key")));
        var bytes = Convert.FromBase64String(cursor.Replace('-', '+').Replace('_', '/').PadRight((cursor.Length + 3) / 4 * 4, '='));
        Assert.That(Encoding.Latin1.GetString(bytes), Does.Not.Contain("secret"));
    }

    [Test]
    public async Task ACursor_DoesNotOpenForAnotherClientSubscriptionDatasetListOrSince()
    {
        var cursor = await Cursors.ProtectAsync(Scope, 7, "k", CancellationToken.None);
        CursorScope[] others =
        [
            Scope with { ClientId = "client-b" }, Scope with { SubscriptionId = "sub-2" }, Scope with { SubscriptionId = null },
            Scope with { DatasetId = "own.other" }, Scope with { List = CursorScope.Records }, Scope with { Since = 2 },
        ];
        foreach (var other in others) Assert.That(await Cursors.UnprotectAsync(other, cursor, CancellationToken.None), Is.Null, other.ToString());
    }

    [TestCase("")]
    [TestCase("not base64 !")]
    [TestCase("MTpwMQ")]
    public async Task Garbage_DoesNotOpen(string cursor) =>
        Assert.That(await Cursors.UnprotectAsync(Scope, cursor, CancellationToken.None), Is.Null);

    [Test]
    public async Task EveryFlippedByte_IsDetected()
    {
        var cursor = await Cursors.ProtectAsync(Scope, 7, "k", CancellationToken.None);
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(cursor);
        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 1;
            Assert.That(await Cursors.UnprotectAsync(Scope, System.Buffers.Text.Base64Url.EncodeToString(tampered), CancellationToken.None), Is.Null, $"byte {i}");
        }
    }
}
