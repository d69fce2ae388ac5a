using DataExchange.Core.Common;
using DataExchange.Core.Ingestion;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataExchange.Core.Hosting;

/// <summary>
/// Re-hashes every stored record under the lossless canonical form (issue 12): rows written before it
/// were hashed over Newtonsoft's text (131.0 for a CSV 131, escaped U+2028, decimals cut to 28 digits).
/// Each row's jsonb is read back as text, canonicalised and hashed, so an unchanged payload still finds
/// its published content unchanged. Runs once, after the SQL migrations and under their lock; a start-up
/// that stops midway redoes it (hashing is a pure function of the data), and a marker row ends it.
/// </summary>
internal static partial class RecordRehash
{
    const string Step = "0010-rehash-canonical-form";

    // 2000 rows of a few kB each: a few MB per batch, whatever the size of dx.records.
    const int BatchSize = 2000;

    const string IsDoneSql = "select exists (select 1 from dx.maintenance_steps where name = $1)";

    const string BatchSql = """
        select dataset_id, key, valid_from, data::text from dx.records
        where (dataset_id, key, valid_from) > ($1, $2, $3)
        order by dataset_id, key, valid_from
        limit $4
        """;

    const string UpdateSql = """
        update dx.records r set hash = u.hash
        from unnest($1::text[], $2::text[], $3::int[], $4::bytea[]) as u (dataset_id, key, valid_from, hash)
        where r.dataset_id = u.dataset_id and r.key = u.key and r.valid_from = u.valid_from and r.hash <> u.hash
        """;

    const string DoneSql = "insert into dx.maintenance_steps (name) values ($1) on conflict do nothing";

    /// <summary>Re-hashes dx.records unless done before; returns how many hashes changed.</summary>
    public static async Task<long> RunAsync(NpgsqlConnection conn, ILogger logger, CancellationToken cancellationToken)
    {
        if (await ScalarAsync<bool>(conn, IsDoneSql, cancellationToken, Step)) return 0;
        long changed = 0, read = 0;
        (string DatasetId, string Key, int ValidFrom) after = ("", "", int.MinValue);
        while (true)
        {
            var (datasets, keys, froms, hashes) = (new List<string>(), new List<string>(), new List<int>(), new List<byte[]>());
            await using (var cmd = new NpgsqlCommand(BatchSql, conn) { Parameters = { new() { Value = after.DatasetId }, new() { Value = after.Key }, new() { Value = after.ValidFrom }, new() { Value = BatchSize } } })
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
                while (await r.ReadAsync(cancellationToken))
                {
                    datasets.Add(r.GetString(0));
                    keys.Add(r.GetString(1));
                    froms.Add(r.GetInt32(2));
                    hashes.Add(RecordShaper.Hash(Canonical(r.GetString(3))));
                }
            if (datasets.Count == 0) break;
            read += datasets.Count;
            await using (var update = new NpgsqlCommand(UpdateSql, conn)
            { Parameters = { new() { Value = datasets.ToArray() }, new() { Value = keys.ToArray() }, new() { Value = froms.ToArray() }, new() { Value = hashes.ToArray() } } })
                changed += await update.ExecuteNonQueryAsync(cancellationToken);
            after = (datasets[^1], keys[^1], froms[^1]);
        }
        await ScalarAsync<object>(conn, DoneSql, cancellationToken, Step);
        LogRehashed(logger, read, changed);
        return changed;
    }

    /// <summary>The canonical text of a stored record's jsonb text (what ingestion would stage for it today).</summary>
    internal static string Canonical(string jsonbText)
    {
        using var document = System.Text.Json.JsonDocument.Parse(jsonbText, new System.Text.Json.JsonDocumentOptions { MaxDepth = 256 });
        return CanonicalJson.Of(document.RootElement);
    }

    static async Task<T?> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken cancellationToken, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        var result = await cmd.ExecuteScalarAsync(cancellationToken);
        return result is T t ? t : default;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Records re-hashed under the lossless canonical form: {Read} read, {Changed} changed.")]
    static partial void LogRehashed(ILogger logger, long read, long changed);
}
