using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Audit;

/// <summary>
/// A request the API refused (401, 403, 404, 429 rate-limited), as the HTTP layer saw it. <see cref="Caller"/> is null
/// without a valid key; <see cref="Reason"/> then says whether one was sent (missing-key, invalid-key).
/// <see cref="Windowed"/>: audited once per source, kind and window even with a known caller (a client past its rate
/// limit keeps sending, and each refusal is cheap to send).
/// </summary>
public sealed record Refusal(Caller? Caller, string Method, string? Route, string Path, int Status, string Problem, string? DatasetId, string Source,
    string? Reason = null, bool Windowed = false);

/// <summary>
/// Puts refused requests on the record as <c>request-refused</c>. A known caller's refusal is one
/// entry each (its key is rate-limited). A caller without a valid key could send garbage forever, and a
/// known caller past its rate limit keeps being refused, so those are audited once per source, kind (with
/// the client's id for a known caller) and <see cref="AuditOptions.RefusalWindow"/>: the first opens a row
/// of dx.refusal_windows and the entry in one transaction; the rest only count there.
/// </summary>
public sealed class RefusalLog(NpgsqlDataSource dataSource, AuditWriter audit, IOptions<AuditOptions> options, TimeProvider time)
{
    // Concurrent first refusals of one window wait on the primary key; exactly one sees refused = 1.
    const string CountSql = """
        insert into dx.refusal_windows (source, kind, window_start, refused, last_at) values ($1, $2, $3, 1, $4)
        on conflict (source, kind, window_start) do update set refused = dx.refusal_windows.refused + 1, last_at = excluded.last_at
        returning refused
        """;
    const string OpenedSql = "update dx.refusal_windows set seq = $4 where source = $1 and kind = $2 and window_start = $3";

    /// <summary>Audits <paramref name="refusal"/>; throws when it could not be put on the record (the refusal must then not be answered).</summary>
    public async Task RecordAsync(Refusal refusal, CancellationToken cancellationToken = default)
    {
        if (refusal.Caller is not null && !refusal.Windowed)
        {
            await audit.AppendAsync(Entry(refusal, null), cancellationToken);
            return;
        }
        var now = time.GetUtcNow();
        var window = options.Value.RefusalWindow;
        var start = new DateTimeOffset(now.UtcTicks - now.UtcTicks % window.Ticks, TimeSpan.Zero);
        var kind = $"{refusal.Problem}:{refusal.Reason ?? refusal.Caller?.ClientId}";
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        long refused;
        await using (var cmd = Db.Command(conn, CountSql, refusal.Source, kind, start, now))
            refused = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        if (refused == 1)
        {
            var seq = await audit.AppendAsync(conn, Entry(refusal, new JsonObject
            {
                ["from"] = AuditCheckpoint.Time(start),
                ["seconds"] = (long)window.TotalSeconds,
                ["counter"] = "dx.refusal_windows",
            }), cancellationToken);
            await using var cmd = Db.Command(conn, OpenedSql, refusal.Source, kind, start, seq);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    static AuditRecord Entry(Refusal r, JsonObject? window)
    {
        var details = new JsonObject
        {
            ["method"] = r.Method,
            ["route"] = r.Route,
            ["status"] = r.Status,
            ["problem"] = r.Problem,
            ["source"] = r.Source,
        };
        if (r.Reason is not null) details["reason"] = r.Reason;
        if (window is not null) details["window"] = window;
        // The dataset the request named, when it is shaped like one: its owner's auditors then see the
        // refusal; a probe such as "' or 1=1" stays in the target only.
        return new AuditRecord(r.Caller, AuditAction.RequestRefused, AuditOutcome.Denied, Truncate(r.Path),
            Datasets.DatasetRegistry.IsWellFormedId(r.DatasetId) ? r.DatasetId : null, details);
    }

    // Paths and ids come from the request; 256 characters name any real resource.
    static string Truncate(string s) => s.Length <= 256 ? s : string.Concat(s.AsSpan(0, 255), "…");
}
