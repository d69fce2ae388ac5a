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

    /// <summary>
    /// Each test's set-up: a coalescer carrying at most <c>maxKeys</c> lookups per read over <see cref="GatedReads"/>;
    /// <see cref="Read"/> starts a lookup (<see cref="ReadAll"/> several), <see cref="StartedAsync"/> waits until the n-th read is under way.
    /// </summary>
    sealed class Harness(int maxKeys, Func<string[], Exception?>? fail = null)
    {
        public GatedReads Reads { get; } = new() { Fail = fail ?? (_ => null) };

        public ReadCoalescer<string> Coalescer { get; } = new(StringComparer.Ordinal, maxKeys);

        public Task<(int? Version, string? Row)> Read(string key, string shape = "d") => Coalescer.ReadAsync(shape, key, Reads.ReadAsync);

        public Task<(int? Version, string? Row)>[] ReadAll(params string[] keys) => [.. keys.Select(k => Read(k))];

        public Task StartedAsync(int reads) => Until(() => Reads.Count == reads);

        /// <summary>A lookup of <paramref name="key"/> whose read (read 0) is under way, held until released.</summary>
        public async Task<Task<(int? Version, string? Row)>> FirstAsync(string key)
        {
            var first = Read(key);
            await StartedAsync(1);
            return first;
        }

        /// <summary>Releases read <paramref name="call"/> and waits for the next one to be under way.</summary>
        public Task ReleaseAsync(int call)
        {
            Reads.Release(call);
            return StartedAsync(call + 2);
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
        var h = new Harness(1000);
        var first = await h.FirstAsync("k1");
        var queued = h.ReadAll("k2", "absent", "k3", "k2");
        // Another shape is not held up by this one.
        var other = h.Read("k9", shape: "e");
        await h.StartedAsync(2);
        Assert.That(h.Reads.Calls[1], Is.EqualTo(("e", new[] { "k9" })));
        h.Reads.Release(1);
        Assert.That(await other, Is.EqualTo(((int?)7, "row of k9")));

        Assert.That(queued.Any(t => t.IsCompleted), Is.False, "nothing answers before its read");
        h.Reads.Release(0);
        Assert.That(await first, Is.EqualTo(((int?)7, "row of k1")));
        await h.StartedAsync(3);
        Assert.That(h.Reads.Calls[2].Shape, Is.EqualTo("d"));
        Assert.That(h.Reads.Calls[2].Keys, Is.EqualTo(new[] { "k2", "absent", "k3" }), "the four queued lookups in one read, each key once");
        h.Reads.Release(2);
        var answers = await Task.WhenAll(queued);
        Assert.That(answers, Is.EqualTo(new (int?, string?)[] { (7, "row of k2"), (7, null), (7, "row of k3"), (7, "row of k2") }));
        Assert.That(h.Coalescer.Counts, Is.EqualTo((3L, 6L)));

        // Idle again: a lone lookup reads at once, alone.
        var lone = h.Read("k4");
        await h.StartedAsync(4);
        Assert.That(h.Reads.Calls[3].Keys, Is.EqualTo(new[] { "k4" }));
        h.Reads.Release(3);
        Assert.That(await lone, Is.EqualTo(((int?)7, "row of k4")));
    }

    [Test]
    public async Task AFailedRead_FailsItsOwnLookups_AndTheNextReadStillRuns()
    {
        var h = new Harness(1000, keys => keys.Contains("k1") ? new InvalidOperationException("read failed") : null);
        var first = await h.FirstAsync("k0");
        var failing = h.ReadAll("k1", "k2");
        await h.ReleaseAsync(0);
        Assert.That(await first, Is.EqualTo(((int?)7, "row of k0")));
        var later = h.Read("k3");
        await h.ReleaseAsync(1);
        foreach (var t in failing)
        {
            var failure = await t.ContinueWith(x => x.Exception?.InnerException, TaskScheduler.Default);
            Assert.That(failure, Is.InstanceOf<InvalidOperationException>());
        }
        Assert.That(h.Reads.Calls[2].Keys, Is.EqualTo(new[] { "k3" }));
        h.Reads.Release(2);
        Assert.That(await later, Is.EqualTo(((int?)7, "row of k3")));
    }

    [Test]
    public async Task OneRead_CarriesAtMostMaxKeysLookups()
    {
        var h = new Harness(2);
        var first = await h.FirstAsync("k0");
        var queued = h.ReadAll("k1", "k2", "k3");
        await h.ReleaseAsync(0);
        await first;
        Assert.That(h.Reads.Calls[1].Keys, Is.EqualTo(new[] { "k1", "k2" }));
        await h.ReleaseAsync(1);
        Assert.That(h.Reads.Calls[2].Keys, Is.EqualTo(new[] { "k3" }));
        h.Reads.Release(2);
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
