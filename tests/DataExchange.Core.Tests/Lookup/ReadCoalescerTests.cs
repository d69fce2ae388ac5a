using DataExchange.Core.Lookup;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Lookup;

/// <summary>
/// Issue 16: single-key lookups that arrive while a read of their shape is under way are read together by the
/// first of them, once that read is back; each gets its own key's row only; a failed read fails the lookups it
/// carried and no others; a lone lookup reads at once.
/// </summary>
public sealed class ReadCoalescerTests
{
    /// <summary>A read that records the keys it was given and waits until released.</summary>
    sealed class GatedReads
    {
        public List<(string Shape, string[] Keys)> Calls { get; } = [];
        public Dictionary<int, TaskCompletionSource> Gates { get; } = [];
        public Func<string[], Exception?> Fail { get; set; } = _ => null;

        public async Task<(int? Version, Dictionary<string, string> Rows)> ReadAsync(string shape, IReadOnlyList<string> keys)
        {
            TaskCompletionSource gate;
            lock (Calls)
            {
                Calls.Add((shape, [.. keys]));
                gate = Gates[Calls.Count - 1] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            await gate.Task;
            if (Fail([.. keys]) is { } e) throw e;
            // Rows exist for keys starting with "k"; every key of the read gets one, so a leak to another lookup would show.
            return (7, keys.Where(k => k.StartsWith('k')).ToDictionary(k => k, k => $"row of {k}"));
        }

        public void Release(int call)
        {
            TaskCompletionSource gate;
            lock (Calls) gate = Gates[call];
            gate.SetResult();
        }

        public int Count
        {
            get
            {
                lock (Calls) return Calls.Count;
            }
        }
    }

    static async Task Until(Func<bool> condition)
    {
        // A hang guard, not a timing assertion: the condition becomes true as soon as the tasks queued have run.
        for (var i = 0; i < 10_000 && !condition(); i++) await Task.Delay(1);
        Assert.That(condition(), "the condition never held");
    }

    [Test]
    public async Task LookupsQueuedDuringARead_AreReadTogether_EachGettingItsOwnRow()
    {
        var reads = new GatedReads();
        var coalescer = new ReadCoalescer<string>(StringComparer.Ordinal, 1000);
        var first = coalescer.ReadAsync("d", "k1", reads.ReadAsync);
        await Until(() => reads.Count == 1);
        var queued = new[] { "k2", "absent", "k3", "k2" }.Select(k => coalescer.ReadAsync("d", k, reads.ReadAsync)).ToArray();
        // Another shape is not held up by this one.
        var other = coalescer.ReadAsync("e", "k9", reads.ReadAsync);
        await Until(() => reads.Count == 2);
        Assert.That(reads.Calls[1], Is.EqualTo(("e", new[] { "k9" })));
        reads.Release(1);
        Assert.That(await other, Is.EqualTo(((int?)7, "row of k9")));

        Assert.That(queued.Any(t => t.IsCompleted), Is.False, "nothing answers before its read");
        reads.Release(0);
        Assert.That(await first, Is.EqualTo(((int?)7, "row of k1")));
        await Until(() => reads.Count == 3);
        Assert.That(reads.Calls[2].Shape, Is.EqualTo("d"));
        Assert.That(reads.Calls[2].Keys, Is.EqualTo(new[] { "k2", "absent", "k3" }), "the four queued lookups in one read, each key once");
        reads.Release(2);
        var answers = await Task.WhenAll(queued);
        Assert.That(answers, Is.EqualTo(new (int?, string?)[] { (7, "row of k2"), (7, null), (7, "row of k3"), (7, "row of k2") }));
        Assert.That(coalescer.Counts, Is.EqualTo((3L, 6L)));

        // Idle again: a lone lookup reads at once, alone.
        var lone = coalescer.ReadAsync("d", "k4", reads.ReadAsync);
        await Until(() => reads.Count == 4);
        Assert.That(reads.Calls[3].Keys, Is.EqualTo(new[] { "k4" }));
        reads.Release(3);
        Assert.That(await lone, Is.EqualTo(((int?)7, "row of k4")));
    }

    [Test]
    public async Task AFailedRead_FailsItsOwnLookups_AndTheNextReadStillRuns()
    {
        var reads = new GatedReads { Fail = keys => keys.Contains("k1") ? new InvalidOperationException("read failed") : null };
        var coalescer = new ReadCoalescer<string>(StringComparer.Ordinal, 1000);
        var first = coalescer.ReadAsync("d", "k0", reads.ReadAsync);
        await Until(() => reads.Count == 1);
        var failing = new[] { coalescer.ReadAsync("d", "k1", reads.ReadAsync), coalescer.ReadAsync("d", "k2", reads.ReadAsync) };
        reads.Release(0);
        Assert.That(await first, Is.EqualTo(((int?)7, "row of k0")));
        await Until(() => reads.Count == 2);
        var later = coalescer.ReadAsync("d", "k3", reads.ReadAsync);
        reads.Release(1);
        foreach (var t in failing)
        {
            var failure = await t.ContinueWith(x => x.Exception?.InnerException, TaskScheduler.Default);
            Assert.That(failure, Is.InstanceOf<InvalidOperationException>());
        }
        await Until(() => reads.Count == 3);
        Assert.That(reads.Calls[2].Keys, Is.EqualTo(new[] { "k3" }));
        reads.Release(2);
        Assert.That(await later, Is.EqualTo(((int?)7, "row of k3")));
    }

    [Test]
    public async Task OneRead_CarriesAtMostMaxKeysLookups()
    {
        var reads = new GatedReads();
        var coalescer = new ReadCoalescer<string>(StringComparer.Ordinal, 2);
        var first = coalescer.ReadAsync("d", "k0", reads.ReadAsync);
        await Until(() => reads.Count == 1);
        var queued = new[] { "k1", "k2", "k3" }.Select(k => coalescer.ReadAsync("d", k, reads.ReadAsync)).ToArray();
        reads.Release(0);
        await first;
        await Until(() => reads.Count == 2);
        Assert.That(reads.Calls[1].Keys, Is.EqualTo(new[] { "k1", "k2" }));
        reads.Release(1);
        await Until(() => reads.Count == 3);
        Assert.That(reads.Calls[2].Keys, Is.EqualTo(new[] { "k3" }));
        reads.Release(2);
        Assert.That((await Task.WhenAll(queued)).Select(a => a.Row), Is.EqualTo(new[] { "row of k1", "row of k2", "row of k3" }));
    }

    [Test]
    public async Task NoVersion_AnswersNoRow()
    {
        var coalescer = new ReadCoalescer<string>(StringComparer.Ordinal, 10);
        var answer = await coalescer.ReadAsync("d", "k1", (_, keys) => Task.FromResult<(int?, Dictionary<string, string>)>((null, keys.ToDictionary(k => k, k => "x"))));
        Assert.That(answer, Is.EqualTo(((int?)null, (string?)null)));
    }
}
