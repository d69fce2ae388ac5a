using System.Text;
using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A replay's payload: the original run's quarantine, written out as a payload of its own and read in
/// incremental mode (it upserts what is now valid and never deletes by omission).
/// </summary>
public sealed class QuarantineReplay(FeedSources sources)
{
    // Records rejected for their own content; 'duplicate-key-conflict' rows hold canonical JSON, not source text, and are left out.
    const string QuarantineSql = """
        select line, raw from dx.rejected_records
        where run_id = $1 and not errors @> '[{"code": "duplicate-key-conflict"}]'
        order by line
        """;

    /// <summary>
    /// How a replay reads: the original run's quarantine as a payload of its own, in incremental mode
    /// (it upserts what is now valid and never deletes by omission), CSV with the saved header or NDJSON,
    /// UTF-8, and no reject threshold (what is still invalid is quarantined again under the replay).
    /// </summary>
    internal static async Task<FeedDefinition> FeedAsync(NpgsqlConnection conn, long original, FeedDefinition feed, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select csv_header is not null from dx.ingestion_runs where id = $1", original);
        var csv = await cmd.ExecuteScalarAsync(cancellationToken) is true;
        return feed with
        {
            Format = csv ? "csv" : "ndjson",
            Mode = "incremental",
            Encoding = "utf-8",
            Gzip = false,
            RejectThreshold = 1.0,
            Delimiter = feed.Delimiter ?? ",",
            Quote = feed.Quote ?? "\"",
        };
    }

    /// <summary>Writes the quarantine of <paramref name="original"/> to a temp file and spools it like any payload.</summary>
    internal async Task<FetchedPayload> SpoolAsync(NpgsqlConnection conn, long original, FeedDefinition feed, CancellationToken cancellationToken)
    {
        var temp = Path.GetTempFileName();
        try
        {
            await using (var file = new StreamWriter(temp, false, new UTF8Encoding(false), 1 << 16))
            {
                if (feed.Format == "csv")
                {
                    await using var h = Db.Command(conn, "select csv_header from dx.ingestion_runs where id = $1", original);
                    var header = (string[])(await h.ExecuteScalarAsync(cancellationToken))!;
                    await file.WriteAsync(CsvCell.VerbatimLine(header, feed.Delimiter![0], feed.Quote![0]) + "\n");
                }
                await using var cmd = Db.Command(conn, QuarantineSql, original);
                await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
                while (await r.ReadAsync(cancellationToken))
                    await file.WriteAsync(r.GetString(1).TrimEnd('\r', '\n') + "\n");
            }
            await using var input = File.OpenRead(temp);
            return await sources.SpoolAsync(input, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
