using System.Net;
using DataExchange.IntegrationTests.Hosting;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 13, item 5: refusals of callers without a valid key are audited once per source, kind and
/// window and counted after that, so 10,000 garbage keys cannot grow the log by 10,000 entries —
/// yet every one of them is refused and counted.
/// </summary>
[TestFixture, Category("Security")]
public sealed class RefusalFloodTests() : ExchangeFixture("refusal_flood")
{
    [Test]
    public async Task TenThousandGarbageKeys_AddABoundedNumberOfEntries_AndAreAllCounted()
    {
        var connectionString = Factory.ConnectionString;
        var client = Factory.CreateClient();
        var before = await ScalarAsync(connectionString, "select seq from dx.audit_head");
        var answeredOtherwise = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            // Half look like keys (and are looked up), half are garbage; some plant a formula.
            var key = i % 2 == 0 ? $"dx_{Guid.NewGuid():N}_{i}" : $"=HYPERLINK(\"http://evil.example/{i}\")";
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/subscriptions");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            using var response = await client.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.Unauthorized) Interlocked.Increment(ref answeredOtherwise);
        });

        var added = await ScalarAsync(connectionString, "select seq from dx.audit_head") - before;
        var windows = await ScalarAsync(connectionString, "select count(*) from dx.refusal_windows where kind = 'unauthenticated:invalid-key'");
        var counted = await ScalarAsync(connectionString, "select coalesce(sum(refused), 0)::bigint from dx.refusal_windows where kind = 'unauthenticated:invalid-key'");
        var opened = await ScalarAsync(connectionString, $"select count(*) from dx.audit_log where seq > {before} and action = 'request-refused' and seq in (select seq from dx.refusal_windows)");
        Assert.Multiple(() =>
        {
            Assert.That(answeredOtherwise, Is.Zero, "every request is refused with 401, as before");
            Assert.That(windows, Is.InRange(1, 2), "one window of 10 minutes (two if the run straddles a boundary)");
            Assert.That(added, Is.EqualTo(windows), "one entry per window, nothing else");
            Assert.That(opened, Is.EqualTo(windows), "each window names the entry that opened it");
            Assert.That(counted, Is.EqualTo(10_000), "every refusal is counted");
        });
        TestContext.Out.WriteLine($"10,000 garbage keys: {added} audit entries, {counted} refusals counted in {windows} window(s).");
    }

    static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
