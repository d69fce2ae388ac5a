using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Feeds;
using DataExchange.Core.Hosting;
using DataExchange.Core.Ingestion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataExchange.Benchmarks.Ingest;

/// <summary>
/// The exchange's Core services in this process (no HTTP, no Hangfire): a "run now" is queued
/// through <see cref="IngestionService"/> and executed by <see cref="IngestionRunner"/> inline,
/// exactly the code a Hangfire worker runs.
/// </summary>
public sealed class IngestHarness : IAsyncDisposable
{
    const string DatasetId = "bench-ag.rows";

    /// <summary>Datasets fed <c>warmup.csv</c>, whose first loads warm the JIT before anything is timed (ids sort after the benchmark's, as before).</summary>
    public static readonly string[] WarmUpIds = ["bench-ag.warmup", "bench-ag.warmup2", "bench-ag.warmup3", "bench-ag.warmup4", "bench-ag.warmup5", "bench-ag.warmup6"];
    static readonly Caller Steward = new("bench", "bench-ag", new HashSet<string>(StringComparer.Ordinal) { Role.Steward });

    readonly ServiceProvider _services;
    readonly InlineQueue _queue;

    IngestHarness(ServiceProvider services, InlineQueue queue) => (_services, _queue) = (services, queue);

    /// <summary>Migrates the database and registers the benchmark dataset with a <c>file:bench-ag/bench.csv</c> feed.</summary>
    public static async Task<IngestHarness> StartAsync(string connectionString, string dropRoot, string workDirectory)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Feeds:DropRoot"] = dropRoot,
            ["Feeds:WorkDirectory"] = Path.Combine(workDirectory, "spool"),
        }).Build();
        var services = new ServiceCollection().AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).AddFilter("DataExchange", LogLevel.Information).AddFilter("Npgsql", LogLevel.Warning)).AddDataExchangeCore(connectionString, configuration);
        var queue = new InlineQueue();
        services.AddSingleton<IConfiguration>(configuration).AddSingleton<IRunQueue>(queue).AddSingleton<IFeedScheduler, NoSchedule>();
        var harness = new IngestHarness(services.BuildServiceProvider(), queue);
        var sp = harness._services;
        await sp.GetRequiredService<Migrator>().MigrateAsync();
        await sp.GetRequiredService<AgencyService>().CreateAsync(Caller.System, new CreateAgencyRequest("bench-ag", "Benchmark agency"));
        foreach (var (id, file) in WarmUpIds.Select(w => (w, "warmup.csv")).Prepend((DatasetId, "bench.csv")))
            await sp.GetRequiredService<DatasetRegistry>().RegisterAsync(Steward, new RegisterDatasetRequest
            {
                Id = id,
                Title = "Benchmark rows",
                KeyFields = ["id"],
                Classification = "internal",
                Schema = JsonNode.Parse(BenchCsv.Schema)!.AsObject(),
                Feed = new FeedDefinition { Source = "file:bench-ag/" + file, Cron = "0 0 1 1 *" },
            });
        return harness;
    }

    /// <summary>Queues and executes one run; returns its status and counts as text.</summary>
    public async Task<string> RunOnceAsync(string datasetId = DatasetId)
    {
        var queued = await _services.GetRequiredService<IngestionService>().RunNowAsync(Steward, datasetId);
        var (runId, ticket) = _queue.Take();
        await _services.GetRequiredService<IngestionRunner>().ExecuteAsync(runId, ticket, finalAttempt: true, CancellationToken.None);
        var run = await _services.GetRequiredService<IngestionService>().GetRunAsync(datasetId, long.Parse(queued.Id, System.Globalization.CultureInfo.InvariantCulture));
        var c = run.Counts;
        return $"{run.Status} v{run.PublishedVersion} read={c.Read} rejected={c.Rejected} dup={c.Duplicate} ins={c.Inserted} upd={c.Updated} del={c.Deleted} same={c.Unchanged}";
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();

    sealed class InlineQueue : IRunQueue
    {
        readonly ConcurrentQueue<(long, Guid)> _runs = new();

        public string Enqueue(long runId, Guid ticket)
        {
            _runs.Enqueue((runId, ticket));
            return runId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsAlive(string jobId) => true;

        public (long RunId, Guid Ticket) Take() => _runs.TryDequeue(out var run) ? run : throw new InvalidOperationException("No run was queued.");
    }

    sealed class NoSchedule : IFeedScheduler
    {
        public void Schedule(string datasetId, string? cron) { }
    }
}
