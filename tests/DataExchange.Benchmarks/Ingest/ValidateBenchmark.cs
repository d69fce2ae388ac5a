using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Feeds;
using DataExchange.Core.Ingestion;

namespace DataExchange.Benchmarks.Ingest;

/// <summary>
/// Where the in-process time of a CSV ingest goes, on one thread: parse only, then parse and
/// validate (coerce, evaluate, canonicalise, hash), on the general ("slow") path, which parses a JSON document, and on the CSV fast
/// path. Records/s per core for each.
/// </summary>
public static class ValidateBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = 300_000;
        for (var i = 0; i < args.Length - 1; i++)
            if (args[i] == "--rows") rows = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        var csv = Path.Combine(Path.GetTempPath(), $"dx-validate-{Environment.ProcessId}.csv");
        BenchCsv.Write(csv, rows, changed: false);
        try
        {
            var feed = new FeedDefinition { Source = "file:x.csv", Cron = "0 0 1 1 *", Format = "csv", Delimiter = ",", Quote = "\"" };
            var options = new IngestionOptions();
            var schema = await DatasetSchema.LoadAsync(BenchCsv.Schema, 1);
            var validator = new RecordValidator(schema, ["id"]);
            var cached = new List<string[]>();
            var hdr = new StrongBox<string[]>([]);
            await foreach (var r in PayloadReader.ReadAsync(csv, feed, options, hdr, CancellationToken.None)) cached.Add(r.Cells!);
            var slow = new RecordValidator(schema, ["id"]) { UseFastPath = false };
            var records = cached.Select((cells, i) => new SourceRecord(i + 2, cells, null, "")).ToList();
            for (var round = 0; round < 3; round++)
            {
                // Validation alone (coerce, evaluate, canonicalise, hash) over the parsed rows, per path.
                var (slowUs, _) = Time(slow, records, hdr.Value!);
                var (fastUs, fastValid) = Time(validator, records, hdr.Value!);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: µs/record validate+hash slow path {slowUs:F2} fast path {fastUs:F2} (fast/slow {fastUs / slowUs:F2}; {fastValid} valid)"));
            }
            foreach (var (name, v) in new[] { ("slow", slow), ("fast", validator) })
                for (var round = 0; round < 2; round++)
                {
                    var header = new StrongBox<string[]>([]);
                    var sw = Stopwatch.StartNew();
                    long n = 0;
                    await foreach (var r in PayloadReader.ReadAsync(csv, feed, options, header, CancellationToken.None)) n += r.Cells!.Length;
                    var parse = sw.Elapsed;
                    sw.Restart();
                    long valid = 0;
                    await foreach (var r in PayloadReader.ReadAsync(csv, feed, options, header, CancellationToken.None))
                        if (v.Process(r, header.Value!).Staged is not null) valid++;
                    var all = sw.Elapsed;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{name} path round {round}: parse {rows / parse.TotalSeconds,12:N0} rows/s; parse+validate+hash {rows / all.TotalSeconds,12:N0} rows/s ({valid} valid)"));
                }
            return 0;
        }
        finally
        {
            File.Delete(csv);
        }
    }

    static (double MicrosecondsPerRecord, long Valid) Time(RecordValidator validator, List<SourceRecord> records, string[] header)
    {
        long valid = 0;
        var sw = Stopwatch.StartNew();
        foreach (var r in records)
            if (validator.Process(r, header).Staged is not null) valid++;
        return (sw.Elapsed.TotalMilliseconds * 1000 / records.Count, valid);
    }
}
