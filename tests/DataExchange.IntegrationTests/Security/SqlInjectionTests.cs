using System.Net;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 8: SQL-injection probes in every string parameter of every read endpoint (from the
/// OpenAPI document). All SQL is parameterised, so a probe is just an odd value: never a 5xx, never
/// more data than the caller may see, and the database is unchanged afterwards.
/// </summary>
[TestFixture, Category("Security")]
public sealed class SqlInjectionTests : SecurityFixture
{
    static readonly string[] Probes =
    [
        "' or '1'='1", "'; drop table dx.records; --", "\" or 1=1 --", "1; select pg_sleep(5)", "') union select null, null --",
        "%' or 1=1 --", "\\'; truncate dx.audit_log; --", "1' and (select count(*) from pg_tables) > 0 --", "$1", "%", "_", "\u0000",
    ];

    [Test]
    public async Task ProbesInEveryStringParameter_NeverFail_LeakOrChangeAnything()
    {
        var before = await FingerprintAsync();
        var problems = new List<string>();
        var calls = 0;
        var callers = new[] { Keys[(A, "steward")], Keys[(Operator, "auditor")], Keys[(B, "consumer")] };
        foreach (var (method, path, parameters) in (await OperationsAsync()).Where(o => o.Method == "GET" && o.Path.StartsWith("/api/v1/", StringComparison.Ordinal)))
        {
            foreach (var (name, location) in parameters.Where(p => p.Name is not ("limit" or "version" or "runId" or "from" or "to")))
            {
                // A NUL in a path never reaches us: Kestrel answers 400 (the test host throws), so it is probed in queries only.
                foreach (var probe in Probes.Where(p => location == "query" || !p.Contains('\0', StringComparison.Ordinal)))
                {
                    var url = Build(path, parameters, name, location, probe);
                    foreach (var key in callers)
                    {
                        var (status, body, _) = await Client(key).SendAsync(HttpMethod.Get, url);
                        calls++;
                        if ((int)status >= 500) problems.Add($"{url}: {(int)status} {body}");
                        if (name == "after" && status == HttpStatusCode.OK) problems.Add($"{url}: a forged cursor was accepted");
                    }
                }
            }
        }
        Assert.That(problems, Is.Empty);
        Assert.That(await FingerprintAsync(), Is.EqualTo(before), "no probe changed the database");
        TestContext.Out.WriteLine($"SQL injection: {calls} probing calls, 0 server errors, database unchanged.");
    }

    string Build(string template, List<(string Name, string In)> parameters, string probed, string location, string probe)
    {
        var path = template;
        foreach (var (name, @in) in parameters.Where(p => p.In == "path"))
        {
            var value = name == probed ? probe : name switch
            {
                "agencyId" => A,
                "datasetId" => DatasetId,
                "version" => "1",
                "runId" => RunId,
                "subscriptionId" => SubscriptionId,
                _ => "x",
            };
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }
        return location == "query" ? $"{path}?{probed}={Uri.EscapeDataString(probe)}" : path;
    }

    async Task<string> FingerprintAsync()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        const string sql = """
            select (select count(*) from dx.datasets) || '/' || (select count(*) from dx.records) || '/' || (select count(*) from dx.subscriptions)
                || '/' || (select count(*) from dx.api_clients) || '/' || (select count(*) from pg_tables where schemaname = 'dx')
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
