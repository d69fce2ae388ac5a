using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Hosting;
using DataExchange.IntegrationTests.Console;
using DataExchange.IntegrationTests.Hosting;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 13, item 8: anonymous console sign-in is rate-limited per source address, and a flood of
/// refused sign-ins leaves a bounded number of audit entries that still tell the true count.
/// </summary>
[TestFixture, Category("Security")]
public sealed class ConsoleSignInFloodTests
{
    const int Attempts = 1000, PermitLimit = 10;
    static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.1"), Colleague = IPAddress.Parse("127.0.0.2");
    KestrelExchange _exchange = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _exchange = await KestrelExchange.StartAsync("signinflood", new Dictionary<string, string?>
    {
        ["Console:SignIn:PermitLimit"] = PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // Longer than the test, so every attempt after the tenth meets the same closed window.
        ["Console:SignIn:Window"] = "00:10:00",
        ["Console:SignIn:AuditWindow"] = "00:00:15",
    });

    [OneTimeTearDown]
    public void Stop() => _exchange.Dispose();

    [Test]
    public async Task AThousandBadSignIns_FromOneAddress_Are429AfterTheLimit_AndAuditedAsOneEntryPerWindowWithTheTrueCount()
    {
        var signIn = new Uri(_exchange.Address, "/console/signin");
        var good = await _exchange.KeyAsync("flood-ok", "steward");
        using var attacker = new ConsoleHttp(Attacker);
        var token = await attacker.TokenAsync(signIn);
        var answers = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode Status, TimeSpan? RetryAfter, string Body)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Attempts), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            // Well-formed keys naming seven different key ids, none with the right secret.
            using var response = await attacker.SignInAsync(_exchange.Address, $"dx_kflood{i % 7:D6}_notthesecret{i}", token);
            answers.Add((response.StatusCode, response.Headers.RetryAfter?.Delta, await response.Content.ReadAsStringAsync()));
        });

        var limited = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(answers.Count(a => a.Status == HttpStatusCode.Unauthorized), Is.EqualTo(PermitLimit), "the first attempts are checked and refused");
            Assert.That(limited, Has.Count.EqualTo(Attempts - PermitLimit), "the rest are refused unchecked");
            Assert.That(limited, Has.All.Matches<(HttpStatusCode, TimeSpan? RetryAfter, string)>(a => a.RetryAfter > TimeSpan.Zero), "429 says when to retry");
            Assert.That(limited[0].Body, Does.Contain("Too many sign-in attempts").And.Contain("<html"), "a page for a person, not a bare status");
        });

        using (var sameAddress = new ConsoleHttp(Attacker))
        using (var response = await sameAddress.SignInAsync(_exchange.Address, good))
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the limit holds for the address, whatever the key");
        using (var colleague = new ConsoleHttp(Colleague))
        {
            using var response = await colleague.SignInAsync(_exchange.Address, good);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "a good key from another address still signs in");
            Assert.That(colleague.Cookies, Does.ContainKey("dx_console"));
            var (console, _) = await colleague.GetAsync(new Uri(_exchange.Address, "/console"));
            Assert.That(console.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        // The flood and the good key's refused attempt from the same address.
        const int refused = Attempts + 1;
        var entries = await RefusalEntriesAsync(Attacker.ToString(), expectAttempts: refused);
        var firsts = entries.Count(e => e.Action == "console-sign-in-refused");
        var summaries = entries.Where(e => e.Action == "console-sign-in-refusal-summary").Select(e => e.Details).ToList();
        TestContext.Out.WriteLine($"{refused} refused sign-ins → {entries.Count} audit entries: {string.Join(" | ", entries.Select(e => $"{e.Action} {e.Details.ToJsonString()}"))}");
        Assert.Multiple(() =>
        {
            Assert.That(firsts, Is.InRange(1, 2), "one entry at the first refusal of each window (a 15 s window; the flood lasts a few seconds)");
            Assert.That(entries, Has.Count.LessThanOrEqualTo(2 * firsts), "and at most one summary per window: the log does not grow with the flood");
            Assert.That(Counted(entries), Is.EqualTo(refused), "the summaries tell the true count");
            Assert.That(summaries.Sum(s => s["rateLimited"]!.GetValue<int>()), Is.EqualTo(refused - PermitLimit));
        });
    }

    [TestCase("203.0.113.7", "203.0.113.7")]
    [TestCase("::ffff:203.0.113.7", "203.0.113.7")]
    [TestCase("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [TestCase("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64")]
    public void ASource_IsAnIPv4Address_OrTheSlash64OfAnIPv6One(string address, string source) =>
        Assert.That(DataExchange.Server.Console.SignInLimiter.SourceOf(IPAddress.Parse(address)), Is.EqualTo(source),
            "one IPv6 host usually holds a whole /64; counting its addresses would multiply its tries by 2^64");

    /// <summary>
    /// The refusal entries of <paramref name="address"/>, once their windows have closed and the
    /// summary job has run (triggered here rather than waiting for its minute).
    /// </summary>
    async Task<List<(string Action, JsonObject Details)>> RefusalEntriesAsync(string address, int expectAttempts)
    {
        var connectionString = _exchange.Factory.Services.GetRequiredService<DatabaseOptions>().ConnectionString;
        var jobs = _exchange.Factory.Services.GetRequiredService<IRecurringJobManager>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var entries = new List<(string, JsonObject)>();
            await using (var conn = new NpgsqlConnection(connectionString))
            {
                await conn.OpenAsync();
                const string sql = """
                    select action, details::text from dx.audit_log
                    where action in ('console-sign-in-refused', 'console-sign-in-refusal-summary') and details->>'remoteAddress' = $1 order by seq
                    """;
                await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = address } } };
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) entries.Add((r.GetString(0), JsonNode.Parse(r.GetString(1))!.AsObject()));
            }
            if (Counted(entries) >= expectAttempts || DateTime.UtcNow > deadline) return entries;
            jobs.Trigger("console-sign-in-refusals");
            await Task.Delay(2000);
        }
    }

    /// <summary>Refusals the entries account for: a window's summary counts all of them, a window of one refusal has only its first entry.</summary>
    static int Counted(List<(string Action, JsonObject Details)> entries)
    {
        var summaries = entries.Where(e => e.Action == "console-sign-in-refusal-summary").ToList();
        return summaries.Sum(e => e.Details["attempts"]!.GetValue<int>()) + entries.Count(e => e.Action == "console-sign-in-refused") - summaries.Count;
    }
}
