using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace DataExchange.IntegrationTests.Load;

/// <summary>What the load clients saw: latencies and rows per request kind, and every error.</summary>
public sealed class LoadStats
{
    readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _latencies = new();
    readonly ConcurrentDictionary<string, long> _rows = new();
    readonly ConcurrentQueue<string> _errors = new();

    /// <summary>Errors: non-2xx/304 responses, exceptions and timeouts, described.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    public long Requests => _latencies.Values.Sum(q => (long)q.Count);

    public long Rows => _rows.Values.Sum();

    public void Ok(string kind, TimeSpan latency, long rows)
    {
        _latencies.GetOrAdd(kind, _ => new()).Enqueue(latency.TotalMilliseconds);
        _rows.AddOrUpdate(kind, rows, (_, n) => n + rows);
    }

    public void Error(string kind, string what) => _errors.Enqueue($"{kind}: {what}");

    /// <summary>A table: per kind, requests, requests/s, rows/s, p50 and p99 latency.</summary>
    public string Report(TimeSpan elapsed)
    {
        var s = elapsed.TotalSeconds;
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{"kind",-16}{"requests",10}{"req/s",10}{"rows/s",12}{"p50 ms",10}{"p99 ms",10}\n");
        foreach (var (kind, queue) in _latencies.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var sorted = queue.Order().ToArray();
            text.Append(CultureInfo.InvariantCulture, $"{kind,-16}{sorted.Length,10}{sorted.Length / s,10:F1}{_rows.GetValueOrDefault(kind) / s,12:F0}{Percentile(sorted, 0.50),10:F1}{Percentile(sorted, 0.99),10:F1}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"{"all",-16}{Requests,10}{Requests / s,10:F1}{Rows / s,12:F0}   errors: {_errors.Count}\n");
        return text.ToString();
    }

    static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
