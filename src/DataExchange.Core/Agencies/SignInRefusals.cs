using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Agencies;

/// <summary>
/// Refused console sign-ins, counted per source address for one audit window (issue 13, item 8). The
/// first refusal of a window is audited at once (<c>console-sign-in-refused</c>, with the key id it
/// named); later ones only add to the window's count, which is audited as one
/// <c>console-sign-in-refusal-summary</c> once the window has closed — by the next refusal from that
/// source, or by the minutely Hangfire job <see cref="SummariseClosedAsync"/>. A flood from one source
/// thus costs the log two entries per window, whatever its size.
/// </summary>
public sealed class SignInRefusals(NpgsqlDataSource dataSource, AuditWriter audit, TimeProvider time, IOptions<ConsoleSignInOptions> options)
{
    /// <summary>Counts a refused sign-in from <paramref name="source"/> that presented <paramref name="presentedKey"/>; committed before the refusal is answered.</summary>
    public async Task RecordAsync(string source, string? presentedKey, bool rateLimited, CancellationToken cancellationToken = default)
    {
        const string open = """
            insert into dx.console_sign_in_refusals (source, attempts, rate_limited, first_at, last_at, window_end)
            values ($1, 0, 0, $2, $2, $3) on conflict (source) do nothing
            """;
        const string read = "select attempts, rate_limited, first_at, last_at, window_end from dx.console_sign_in_refusals where source = $1 for update";
        const string count = "update dx.console_sign_in_refusals set attempts = $2, rate_limited = $3, first_at = $4, last_at = $5, window_end = $6 where source = $1";
        var now = time.GetUtcNow();
        var fresh = new Window(source, 0, 0, now, now, now + options.Value.AuditWindow);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, open, source, now, fresh.End)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        Window window;
        await using (var cmd = Db.Command(conn, read, source))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await r.ReadAsync(cancellationToken);
            window = new Window(source, r.GetInt32(0), r.GetInt32(1), r.GetFieldValue<DateTimeOffset>(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4));
        }
        if (window.End <= now)
        {
            await SummariseAsync(conn, window, cancellationToken);
            window = fresh;
        }
        window = window with { Attempts = window.Attempts + 1, RateLimited = window.RateLimited + (rateLimited ? 1 : 0), Last = now };
        await using (var cmd = Db.Command(conn, count, source, window.Attempts, window.RateLimited, window.First, window.Last, window.End))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        if (window.Attempts == 1)
        {
            var claimed = ApiKeyFormat.TryParse(presentedKey?.Trim() ?? "", out var id, out _) ? id : null;
            await audit.AppendAsync(conn, new AuditRecord(null, AuditAction.ConsoleSignInRefused, AuditOutcome.Denied, claimed,
                Details: new JsonObject { ["remoteAddress"] = source, ["rateLimited"] = rateLimited, ["windowEnd"] = window.End }), cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Audits the summary of every window that has closed and forgets it (the minutely job <c>console-sign-in-refusals</c>); returns how many.</summary>
    public async Task<int> SummariseClosedAsync(CancellationToken cancellationToken)
    {
        // At most 1,000 sources a run (one transaction); the next minute takes the rest.
        const string closed = """
            select source, attempts, rate_limited, first_at, last_at, window_end from dx.console_sign_in_refusals
            where window_end <= $1 order by window_end limit 1000 for update skip locked
            """;
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var windows = new List<Window>();
        await using (var cmd = Db.Command(conn, closed, time.GetUtcNow()))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                windows.Add(new Window(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5)));
        foreach (var window in windows) await SummariseAsync(conn, window, cancellationToken);
        await using (var cmd = Db.Command(conn, "delete from dx.console_sign_in_refusals where source = any($1)", (object)windows.Select(w => w.Source).ToArray()))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return windows.Count;
    }

    // A window of one refusal is told in full by its first entry.
    async Task SummariseAsync(NpgsqlConnection conn, Window window, CancellationToken cancellationToken)
    {
        if (window.Attempts <= 1) return;
        await audit.AppendAsync(conn, new AuditRecord(null, AuditAction.ConsoleSignInRefusalSummary, AuditOutcome.Denied, Details: new JsonObject
        {
            ["remoteAddress"] = window.Source,
            ["attempts"] = window.Attempts,
            ["rateLimited"] = window.RateLimited,
            ["from"] = window.First,
            ["to"] = window.Last,
        }), cancellationToken);
    }

    sealed record Window(string Source, int Attempts, int RateLimited, DateTimeOffset First, DateTimeOffset Last, DateTimeOffset End);
}
