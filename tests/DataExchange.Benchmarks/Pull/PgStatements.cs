using Npgsql;

namespace DataExchange.Benchmarks.Pull;

/// <summary><c>--statements</c> of the read and lookup benchmarks: where a phase's database time goes.</summary>
internal static class PgStatements
{
    /// <summary>
    /// Resets pg_stat_statements before a phase, or prints after it what PostgreSQL spent in <paramref name="phase"/>,
    /// statement by statement, costliest first.
    /// </summary>
    internal static async Task StatementsAsync(string connectionString, bool reset, string phase = "")
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using (var create = new NpgsqlCommand("create extension if not exists pg_stat_statements", conn)) await create.ExecuteNonQueryAsync();
        if (reset)
        {
            await using var r = new NpgsqlCommand("select pg_stat_statements_reset()", conn);
            await r.ExecuteNonQueryAsync();
            return;
        }
        const string sql = """
            select calls, total_exec_time, mean_exec_time, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
            from pg_stat_statements order by total_exec_time desc limit 12
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Console.WriteLine($"statements during {phase} (pg_stat_statements):");
        while (await reader.ReadAsync())
            Console.WriteLine(FormattableString.Invariant($"  {reader.GetInt64(0),8} calls {reader.GetDouble(1),9:F0} ms  mean {reader.GetDouble(2),7:F3} ms  {reader.GetInt64(3),8} rows  {reader.GetString(4)}"));
    }
}
