using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// A fresh migrated database with the audit services only (no web host, no Hangfire): what the
/// tampering and concurrency tests need, at a fraction of a full server's start-up.
/// </summary>
public sealed class AuditDatabase : IAsyncDisposable
{
    readonly ServiceProvider _services;

    AuditDatabase(string connectionString, ServiceProvider services, string keyDirectory)
    {
        ConnectionString = connectionString;
        _services = services;
        KeyDirectory = keyDirectory;
    }

    /// <summary>The database, as the superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>Holds the signing key file; deleted on dispose.</summary>
    public string KeyDirectory { get; }

    /// <summary>The exchange's auditor.</summary>
    public static Caller OperatorAuditor { get; } = new("auditor", Caller.OperatorAgency, new HashSet<string>(StringComparer.Ordinal) { Role.Auditor });

    public AuditWriter Writer => _services.GetRequiredService<AuditWriter>();
    public AuditService Service => _services.GetRequiredService<AuditService>();
    public AuditCheckpoints Checkpoints => _services.GetRequiredService<AuditCheckpoints>();

    /// <summary>Creates and migrates a database named after <paramref name="prefix"/>; optionally on a fake clock and with extra settings.</summary>
    public static async Task<AuditDatabase> CreateAsync(string prefix, TimeProvider? time = null, IDictionary<string, string?>? settings = null)
    {
        var cs = await TestCluster.CreateDatabaseAsync(prefix);
        var keys = Directory.CreateTempSubdirectory("dx-audit-key-").FullName;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Audit:SigningKeyPath"] = Path.Combine(keys, "audit-signing-key.pem"),
        }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var collection = new ServiceCollection().AddLogging().AddDataExchangeCore(cs, configuration);
        if (time is not null) collection.AddSingleton(time);
        var services = collection.BuildServiceProvider();
        await services.GetRequiredService<Migrator>().MigrateAsync();
        return new AuditDatabase(cs, services, keys);
    }

    /// <summary>Appends <paramref name="count"/> entries, each in its own transaction, with varied fields (some null, some non-ASCII).</summary>
    public Task AppendAsync(int count) => AppendAsync(Writer, count);

    /// <summary>Appends <paramref name="count"/> varied entries through <paramref name="writer"/> (also a full server's).</summary>
    public static async Task AppendAsync(AuditWriter writer, int count)
    {
        var actor = new Caller("key-1", "gd-amr", new HashSet<string>(StringComparer.Ordinal) { Role.Steward });
        for (var i = 0; i < count; i++)
            await writer.AppendAsync(new AuditRecord(i % 3 == 0 ? null : actor, i % 2 == 0 ? AuditAction.RecordsPulled : AuditAction.AccessDenied,
                i % 2 == 0 ? AuditOutcome.Allowed : AuditOutcome.Denied, $"gd-amr.licences@{i}", i % 4 == 0 ? null : "gd-amr.licences",
                new JsonObject { ["rows"] = i, ["note"] = "营业执照 \"quoted\"", ["nested"] = new JsonObject { ["b"] = 1.5, ["a"] = new JsonArray(1, 2) } }));
    }

    /// <summary>
    /// Runs statements as the superuser with the append-only triggers disabled — the attack the
    /// chain and checkpoints exist to detect — then re-enables them.
    /// </summary>
    public Task TamperAsync(params string[] statements) => TamperAsync(ConnectionString, statements);

    /// <summary>The same on any database: the log's and the checkpoints' triggers are off while the statements run.</summary>
    public static async Task TamperAsync(string connectionString, params string[] statements)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await Exec(conn, "alter table dx.audit_log disable trigger user");
        await Exec(conn, "alter table dx.audit_checkpoints disable trigger user");
        foreach (var sql in statements) await Exec(conn, sql);
        await Exec(conn, "alter table dx.audit_checkpoints enable trigger user");
        await Exec(conn, "alter table dx.audit_log enable trigger user");
        await tx.CommitAsync();
    }

    /// <summary>Inserts a row as given, bypassing the writer (forgeries).</summary>
    public async Task InsertRawAsync(AuditEntry e)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = Db.Command(conn, """
            insert into dx.audit_log (seq, at, actor_agency, actor_client, action, target, dataset_id, outcome, details, prev_hash, hash)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
            """, e.Seq, e.At, Db.Typed(e.ActorAgency), Db.Typed(e.ActorClient), e.Action, Db.Typed(e.Target), Db.Typed(e.DatasetId), e.Outcome,
            e.Details.ToJsonString(), e.PrevHash, e.Hash);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The stored hash of entry <paramref name="seq"/>.</summary>
    public async Task<byte[]> HashOfAsync(long seq)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = Db.Command(conn, "select hash from dx.audit_log where seq = $1", seq);
        return (byte[])(await cmd.ExecuteScalarAsync())!;
    }

    static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(KeyDirectory, recursive: true);
    }
}
