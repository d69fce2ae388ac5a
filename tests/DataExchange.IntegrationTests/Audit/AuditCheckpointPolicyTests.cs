using System.Security.Cryptography;
using DataExchange.Core.Audit;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>Issue 6: the worker signs every N entries or every T seconds, whichever comes first, and the key file is private.</summary>
[TestFixture]
public sealed class AuditCheckpointPolicyTests
{
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    AuditDatabase _db = null!;

    [SetUp]
    public async Task CreateAsync() => _db = await AuditDatabase.CreateAsync("audit_policy", _time, new Dictionary<string, string?>
    {
        ["Audit:CheckpointEvery"] = "10",
        ["Audit:CheckpointInterval"] = "00:01:00",
    });

    [TearDown]
    public async Task DropAsync() => await _db.DisposeAsync();

    [Test]
    public async Task CheckpointIfDue_SignsTheFirstEntries_ThenWaitsForTenMoreOrAMinute()
    {
        await _db.AppendAsync(3);
        var first = await _db.Checkpoints.CheckpointIfDueAsync();
        await _db.AppendAsync(9);
        var tooFewTooSoon = await _db.Checkpoints.CheckpointIfDueAsync();
        await _db.AppendAsync(1);
        var tenMore = await _db.Checkpoints.CheckpointIfDueAsync();
        await _db.AppendAsync(1);
        _time.Advance(TimeSpan.FromSeconds(59));
        var notYet = await _db.Checkpoints.CheckpointIfDueAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        var aMinuteLater = await _db.Checkpoints.CheckpointIfDueAsync();
        _time.Advance(TimeSpan.FromMinutes(5));
        var nothingNew = await _db.Checkpoints.CheckpointIfDueAsync();

        Assert.Multiple(() =>
        {
            Assert.That(first?.TreeSize, Is.EqualTo(3));
            Assert.That(tooFewTooSoon, Is.Null);
            Assert.That(tenMore?.TreeSize, Is.EqualTo(13));
            Assert.That(notYet, Is.Null);
            Assert.That(aMinuteLater?.TreeSize, Is.EqualTo(14));
            Assert.That(nothingNew, Is.Null);
        });
    }

    [Test]
    public async Task SigningKey_IsGeneratedOnFirstUse_WithMode0600_AndReusedAfterwards()
    {
        await _db.AppendAsync(1);
        var checkpoint = await _db.Checkpoints.CheckpointAsync();
        var path = Path.Combine(_db.KeyDirectory, "audit-signing-key.pem");
        using var reloaded = ECDsa.Create();
        reloaded.ImportFromPem(await File.ReadAllTextAsync(path));

        Assert.Multiple(() =>
        {
            if (!OperatingSystem.IsWindows()) Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(AuditSigningKey.KeyIdOf(reloaded), Is.EqualTo(checkpoint!.KeyId));
            Assert.That(reloaded.VerifyData(checkpoint.SignedText(), checkpoint.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True);
        });
    }
}
