using System.Globalization;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>
/// Issue 14: the lines and keys of a first load's directly written records, spilled to a file and read back for the
/// keys that repeat. Every entry comes back exactly (entries across the buffer's edges, keys of every length up to
/// longer than the buffer, any code point), only those asked for, in the order written; the file goes with the spill.
/// </summary>
[TestFixture]
public sealed class KeySpillTests
{
    string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("dx-keyspill-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    // Keys of varied length and script: ASCII, CJK (3 bytes of UTF-8), an emoji (a surrogate pair, 4 bytes), a separator.
    static string Key(int i) => (i % 5) switch
    {
        0 => "R" + i.ToString("D8", CultureInfo.InvariantCulture),
        1 => "营业执照" + i.ToString(CultureInfo.InvariantCulture),
        2 => "k\u001f" + new string('x', i % 300) + i.ToString(CultureInfo.InvariantCulture),
        3 => "😀" + i.ToString(CultureInfo.InvariantCulture),
        _ => i.ToString(CultureInfo.InvariantCulture),
    };

    [Test]
    public void TheKeysAskedFor_ComeBackWithTheirLines_InTheOrderWritten()
    {
        const int n = 200_000;
        using var spill = new KeySpill(_directory);
        // Lines out of order, as batches reach the writer from parallel validators.
        long LineOf(int i) => 1_000_000L - (i * 7919L % n);
        for (var i = 0; i < n; i++) spill.Add(LineOf(i), Key(i));
        var wanted = Enumerable.Range(0, n).Where(i => i % 97 == 3 || i % 5 == 3 && i % 11 == 0).ToList();
        var keys = new HashSet<string>(wanted.Select(Key), StringComparer.Ordinal);
        var found = new List<(long Line, string Key)>();
        spill.Find(keys, (line, key) => found.Add((line, key)));
        Assert.Multiple(() =>
        {
            Assert.That(spill.Count, Is.EqualTo(n));
            Assert.That(found, Is.EqualTo(wanted.Select(i => (LineOf(i), Key(i))).ToList()));
            Assert.That(found.All(f => keys.TryGetValue(f.Key, out var held) && ReferenceEquals(held, f.Key)), "the set's own strings, none made per entry");
        });
    }

    [Test]
    public void AKeyLongerThanTheBuffer_AndOneAtItsEdge_ComeBackWhole()
    {
        var longest = string.Concat(Enumerable.Repeat("键", 40_000)); // 120,000 bytes of UTF-8, past the 64 KiB buffer
        using var spill = new KeySpill(_directory);
        var keys = new List<string>();
        // Fill most of the buffer so that the next entries straddle its edge, then the long one, then short ones after it.
        for (var i = 0; i < 5_000; i++) keys.Add("a" + i.ToString("D5", CultureInfo.InvariantCulture));
        keys.Add(longest);
        keys.Add(new string('z', 65_000));
        for (var i = 0; i < 100; i++) keys.Add("b" + i.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < keys.Count; i++) spill.Add(i + 2, keys[i]);
        var found = new List<(long, string)>();
        spill.Find(new HashSet<string>(keys, StringComparer.Ordinal), (line, key) => found.Add((line, key)));
        Assert.That(found, Is.EqualTo(keys.Select((k, i) => ((long)i + 2, k)).ToList()));
    }

    [Test]
    public void TheFile_IsInTheDirectory_NamedAsASpool_AndGoneOnceDisposed()
    {
        var spill = new KeySpill(_directory);
        spill.Add(2, "R00000001");
        spill.Find(new HashSet<string>(StringComparer.Ordinal), (_, _) => Assert.Fail("nothing was asked for"));
        var files = Directory.GetFiles(_directory);
        Assert.That(files.Select(Path.GetFileName), Has.Exactly(1).StartsWith("payload-" + Environment.MachineName + "-" + Environment.ProcessId + "-"));
        spill.Dispose();
        Assert.That(Directory.GetFiles(_directory), Is.Empty);
    }

    [Test]
    public void ALoneSurrogate_IsRefused_NotWrittenAsAnotherKey()
    {
        using var spill = new KeySpill(_directory);
        Assert.That(() => spill.Add(2, "R\uD800"), Throws.InstanceOf<System.Text.EncoderFallbackException>());
    }
}
