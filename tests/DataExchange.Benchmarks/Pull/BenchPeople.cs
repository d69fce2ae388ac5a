using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using static DataExchange.Benchmarks.Pull.PullBenchmark;

namespace DataExchange.Benchmarks.Pull;

/// <summary>
/// The people dataset that the pull, read, lookup and load benchmarks read: the owner agency <c>bench</c> with a
/// steward, <see cref="DatasetId"/> registered through the API, consumer agencies approved under a policy each,
/// and records seeded by binary COPY straight into dx.records (the ingest benchmark times the pipeline; COPY
/// seeds a million rows in seconds).
/// </summary>
internal sealed class BenchPeople
{
    internal const string DatasetId = "bench.people";

    const string Schema = """
        {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"id":{"type":"string"},"name":{"type":"string"},"phone":{"type":"string"},"city":{"type":"string"},"age":{"type":"integer"}}}
        """;

    readonly HttpClient _admin;
    readonly Func<string, HttpClient> _client;

    BenchPeople(HttpClient admin, HttpClient steward, Func<string, HttpClient> client) => (_admin, Steward, _client) = (admin, steward, client);

    /// <summary>The steward of the owner agency.</summary>
    internal HttpClient Steward { get; }

    /// <summary>Registers the owner agency, its steward and the dataset; <paramref name="client"/> makes a client for a key.</summary>
    internal static async Task<BenchPeople> RegisterAsync(HttpClient admin, Func<string, HttpClient> client)
    {
        await PostAsync(admin, "/api/v1/agencies", new { code = "bench", name = "Bench owner" });
        var steward = client((await PostAsync(admin, "/api/v1/agencies/bench/keys", new { name = "s", roles = new[] { "steward" } }))["key"]!.GetValue<string>());
        await PostAsync(steward, "/api/v1/datasets", new
        {
            id = DatasetId, title = "Bench", description = "Benchmark people", keyFields = new[] { "id" }, classification = "internal", tags = new[] { "bench" },
            schema = JsonNode.Parse(Schema), feed = new { source = "upload", format = "ndjson", mode = "snapshot" },
        });
        return new BenchPeople(admin, steward, client);
    }

    /// <summary>A consumer agency with a key, its subscription approved under <paramref name="policy"/> (an agency holds one open subscription per dataset).</summary>
    internal async Task<HttpClient> ConsumerAsync(string agency, object policy, string purpose = "benchmark")
    {
        await PostAsync(_admin, "/api/v1/agencies", new { code = agency, name = "Bench consumer " + agency });
        var consumer = _client((await PostAsync(_admin, $"/api/v1/agencies/{agency}/keys", new { name = "c", roles = new[] { "consumer" } }))["key"]!.GetValue<string>());
        var sub = await PostAsync(consumer, "/api/v1/subscriptions", new { datasetId = DatasetId, purpose });
        await PostAsync(Steward, $"/api/v1/subscriptions/{sub["id"]}/approval", new { policy });
        return consumer;
    }

    /// <summary>Version 1 of the dataset with <paramref name="rows"/> records, by COPY; then analyze.</summary>
    internal static async Task SeedAsync(string connectionString, int rows)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        const string runSql = """
            insert into dx.ingestion_runs (dataset_id, trigger, status, schema_version, queued_at, finished_at, read_count, valid_count, inserted_count, published_version)
            values ($1, 'manual', 'succeeded', 1, now(), now(), $2, $2, $2, 1) returning id
            """;
        long runId;
        await using (var cmd = new NpgsqlCommand(runSql, conn) { Parameters = { new() { Value = DatasetId }, new() { Value = (long)rows } } })
            runId = (long)(await cmd.ExecuteScalarAsync())!;
        await using (var cmd = new NpgsqlCommand("insert into dx.dataset_versions values ($1, 1, $2, 1, now(), $3, 0, 0, $3)", conn) { Parameters = { new() { Value = DatasetId }, new() { Value = runId }, new() { Value = (long)rows } } })
            await cmd.ExecuteNonQueryAsync();
        string[] cities = ["Guangzhou", "Shenzhen", "Foshan", "Dongguan", "Zhuhai"];
        await using (var import = await conn.BeginBinaryImportAsync("copy dx.records (dataset_id, key, valid_from, hash, schema_version, data) from stdin (format binary)"))
        {
            for (var i = 0; i < rows; i++)
            {
                var key = i.ToString("D8", CultureInfo.InvariantCulture);
                var data = FormattableString.Invariant($"{{\"id\":\"{key}\",\"name\":\"Person {i}\",\"phone\":\"138{i:D8}\",\"city\":\"{cities[i % 5]}\",\"age\":{18 + i % 70}}}");
                await import.StartRowAsync();
                await import.WriteAsync(DatasetId, NpgsqlDbType.Text);
                await import.WriteAsync(key, NpgsqlDbType.Text);
                await import.WriteAsync(1, NpgsqlDbType.Integer);
                await import.WriteAsync(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(data)), NpgsqlDbType.Bytea);
                await import.WriteAsync(1, NpgsqlDbType.Integer);
                await import.WriteAsync(data, NpgsqlDbType.Jsonb);
            }
            await import.CompleteAsync();
        }
        await using (var cmd = new NpgsqlCommand("analyze dx.records", conn)) await cmd.ExecuteNonQueryAsync();
    }
}
