using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DataExchange.Core.Subscriptions.Notifications;
using DataExchange.IntegrationTests.Pull;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Subscriptions;

/// <summary>Issue 5: a published version is announced to the subscriber's webhook, signed, through the outbox and Hangfire.</summary>
[TestFixture]
public sealed class WebhookTests
{
    [Test]
    public async Task PublishedVersion_IsPostedSignedToTheWebhook_AndListedAsDelivered()
    {
        await using var bed = await PullTestBed.StartAsync("webhooks", new Dictionary<string, string?> { ["Feeds:AllowedHosts:0"] = "127.0.0.1" });
        var consumer = await bed.NewConsumerAsync("hook");
        var subId = await bed.SubscribeAsync(consumer, new { });

        var (refused, problem, _) = await consumer.SendAsync(HttpMethod.Put, $"/api/v1/subscriptions/{subId}/webhook", new { url = "http://example.org/hook" });
        Assert.That(refused, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());

        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var (status, hook, _) = await consumer.SendAsync(HttpMethod.Put, $"/api/v1/subscriptions/{subId}/webhook", new { url = $"http://127.0.0.1:{port}/hook" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), hook?.ToJsonString());
        var secret = hook!["secret"]!.GetValue<string>();

        var received = listener.GetContextAsync();
        var version = await bed.PublishAsync(new { id = "x1", name = "X" }, new { id = "x2", name = "Y" });
        var context = await received.WaitAsync(TimeSpan.FromSeconds(30));
        var body = await new StreamReader(context.Request.InputStream).ReadToEndAsync();
        var timestamp = context.Request.Headers["X-DataExchange-Timestamp"]!;
        var signature = context.Request.Headers["X-DataExchange-Signature"];
        context.Response.StatusCode = 204;
        context.Response.Close();

        Assert.That(signature, Is.EqualTo("v1=" + WebhookJob.Sign(secret, timestamp, body)));
        var payload = JsonNode.Parse(body)!;
        Assert.That(payload["datasetId"]!.GetValue<string>(), Is.EqualTo(PullTestBed.DatasetId));
        Assert.That(payload["version"]!.GetValue<int>(), Is.EqualTo(version));
        Assert.That(payload["counts"]!["inserted"]!.GetValue<long>(), Is.EqualTo(2));

        JsonNode delivery;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(100);
            delivery = (await consumer.GetAsync($"/api/v1/subscriptions/{subId}/deliveries"))["items"]![0]!;
        } while (delivery["status"]!.GetValue<string>() != "delivered" && DateTime.UtcNow < deadline);
        Assert.That(delivery["status"]!.GetValue<string>(), Is.EqualTo("delivered"));
        Assert.That(delivery["lastStatus"]!.GetValue<int>(), Is.EqualTo(204));
        // Session 13: the secret signed the delivery, yet no row of any table holds it (it was in clear in dx.webhooks).
        await AssertInNoTableAsync(bed.ConnectionString, secret, "dx.webhooks");
    }

    /// <summary>
    /// Session 13: a secret kept in clear before migration 0031 is sealed by <see cref="WebhookSecrets.SealStoredAsync"/>
    /// (the dispatcher runs it at start) and still signs the deliveries; a sealed secret moved to another URL does not open.
    /// </summary>
    [Test]
    public async Task ASecretKeptInClear_IsSealed_AndStillSigns()
    {
        await using var bed = await PullTestBed.StartAsync("webhookseal", new Dictionary<string, string?> { ["Feeds:AllowedHosts:0"] = "127.0.0.1" });
        var consumer = await bed.NewConsumerAsync("hookseal");
        var subId = await bed.SubscribeAsync(consumer, new { });
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var (status, hook, _) = await consumer.SendAsync(HttpMethod.Put, $"/api/v1/subscriptions/{subId}/webhook", new { url = $"http://127.0.0.1:{port}/hook" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), hook?.ToJsonString());

        // As a row written before 0031 holds it: the secret in clear, nothing sealed.
        const string legacy = "whsec_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        await ExecuteAsync(bed.ConnectionString, "update dx.webhooks set secret = $2, secret_sealed = null where subscription_id = $1", subId, legacy);
        var secrets = bed.Services.GetRequiredService<WebhookSecrets>();
        Assert.That(await secrets.SealStoredAsync(CancellationToken.None), Is.EqualTo(1));
        await AssertInNoTableAsync(bed.ConnectionString, legacy, "dx.webhooks");

        var (timestamp, body, signature) = await PublishAndReceiveAsync(bed, listener);
        Assert.That(signature, Is.EqualTo("v1=" + WebhookJob.Sign(legacy, timestamp, body)));

        await using var conn = new NpgsqlConnection(bed.ConnectionString);
        await conn.OpenAsync();
        await using var read = new NpgsqlCommand("select secret_sealed from dx.webhooks where subscription_id = $1", conn) { Parameters = { new() { Value = subId } } };
        var sealedSecret = (byte[])(await read.ExecuteScalarAsync())!;
        Assert.That(await secrets.OpenAsync(subId, $"http://127.0.0.1:{port}/hook", sealedSecret, CancellationToken.None), Is.EqualTo(legacy));
        Assert.That(await secrets.OpenAsync(subId, "http://127.0.0.1:1/elsewhere", sealedSecret, CancellationToken.None), Is.Null, "bound to its URL");
    }

    /// <summary>
    /// Review (session 13): during a rolling upgrade a node still running the code before 0031 re-registers a sealed webhook: its
    /// upsert writes the new secret in clear and leaves the old sealed one. The subscriber holds the new secret, so the delivery
    /// must sign with it (it signed with the old sealed one).
    /// </summary>
    [Test]
    public async Task AClearSecretBesideASealedOne_IsTheNewest_AndSigns()
    {
        await using var bed = await PullTestBed.StartAsync("webhookclearnewest", new Dictionary<string, string?> { ["Feeds:AllowedHosts:0"] = "127.0.0.1" });
        var consumer = await bed.NewConsumerAsync("hooknewest");
        var subId = await bed.SubscribeAsync(consumer, new { });
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var (status, hook, _) = await consumer.SendAsync(HttpMethod.Put, $"/api/v1/subscriptions/{subId}/webhook", new { url = $"http://127.0.0.1:{port}/hook" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), hook?.ToJsonString());
        var first = hook!["secret"]!.GetValue<string>();

        // The older node's upsert: url, secret and created_at set, secret_sealed untouched.
        const string renewed = "whsec_fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
        await ExecuteAsync(bed.ConnectionString, "update dx.webhooks set secret = $2 where subscription_id = $1 and secret_sealed is not null", subId, renewed);

        var (timestamp, body, signature) = await PublishAndReceiveAsync(bed, listener);
        Assert.That(signature, Is.EqualTo("v1=" + WebhookJob.Sign(renewed, timestamp, body)));
        Assert.That(signature, Is.Not.EqualTo("v1=" + WebhookJob.Sign(first, timestamp, body)));
    }

    /// <summary>Publishes one record and answers 204 to the delivery it causes; returns its timestamp, body and signature.</summary>
    static async Task<(string Timestamp, string Body, string? Signature)> PublishAndReceiveAsync(PullTestBed bed, HttpListener listener)
    {
        var received = listener.GetContextAsync();
        await bed.PublishAsync(new { id = "s1", name = "S" });
        var context = await received.WaitAsync(TimeSpan.FromSeconds(30));
        var body = await new StreamReader(context.Request.InputStream).ReadToEndAsync();
        var timestamp = context.Request.Headers["X-DataExchange-Timestamp"]!;
        var signature = context.Request.Headers["X-DataExchange-Signature"];
        context.Response.StatusCode = 204;
        context.Response.Close();
        return (timestamp, body, signature);
    }

    static async Task ExecuteAsync(string connectionString, string sql, params object[] values)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>No row of any table holds <paramref name="secret"/>, as text or as its UTF-8 bytes in hex.</summary>
    static async Task AssertInNoTableAsync(string connectionString, string secret, string mustExist)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select format('%I.%I', table_schema, table_name) from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')", conn))
        await using (var r = await list.ExecuteReaderAsync())
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        Assert.That(tables, Does.Contain(mustExist));
        var hex = Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(secret));
        foreach (var table in tables)
        {
            await using var cmd = new NpgsqlCommand($"select count(*) from {table} t where strpos(t::text, $1) > 0 or strpos(t::text, $2) > 0", conn)
            {
                Parameters = { new() { Value = secret }, new() { Value = hex } },
            };
            Assert.That(await cmd.ExecuteScalarAsync(), Is.Zero, $"rows of {table}");
        }
    }

    static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
