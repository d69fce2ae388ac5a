using Npgsql;

namespace DataExchange.Core.Audit;

/// <summary>
/// The audit action numbers, stored and enforced (issue 19, item 9): <c>dx.audit_actions(code, name)</c> holds
/// every <see cref="AuditAction"/> with its number, filled at each start-up by the migrator; a foreign key from
/// <c>dx.audit_log.action</c> admits only names that have a number. A build in which a number's name changed
/// (a renamed member) or a name's number changed does not start: a renamed action would silently split its
/// history into two names, and verifiers and reports query by name.
/// </summary>
public static class AuditActionCodes
{
    // Created here rather than in a numbered migration: its rows come from the enum on every start-up,
    // and the foreign key NOT VALID leaves entries written before it alone (all of them named from the enum).
    const string EnsureSql = """
        create table if not exists dx.audit_actions (
            code  int primary key,
            name  text not null unique
        );
        do $$ begin
            if not exists (select 1 from pg_constraint where conname = 'audit_log_action_known') then
                alter table dx.audit_log add constraint audit_log_action_known foreign key (action) references dx.audit_actions (name) not valid;
            end if;
        end $$;
        """;

    const string ChangedSql = """
        select a.code, a.name, e.code, e.name
        from dx.audit_actions a join unnest($1::int[], $2::text[]) as e(code, name) on e.code = a.code or e.name = a.name
        where e.code <> a.code or e.name <> a.name
        order by a.code
        """;

    const string AddSql = """
        insert into dx.audit_actions (code, name) select * from unnest($1::int[], $2::text[]) on conflict do nothing
        """;

    /// <summary>Every action of this build: its number and stored name.</summary>
    public static IReadOnlyList<(int Code, string Name)> All { get; } =
        [.. Enum.GetValues<AuditAction>().Select(a => ((int)a, AuditNames.Of(a)))];

    /// <summary>
    /// Creates the table and key if missing, refuses (<see cref="InvalidOperationException"/>) when a stored number
    /// or name now means something else, then adds the actions this build introduces. Runs under the migration lock.
    /// </summary>
    public static async Task SyncAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using (var ensure = new NpgsqlCommand(EnsureSql, conn)) await ensure.ExecuteNonQueryAsync(cancellationToken);
        var codes = All.Select(a => a.Code).ToArray();
        var names = All.Select(a => a.Name).ToArray();
        var changed = new List<string>();
        await using (var cmd = new NpgsqlCommand(ChangedSql, conn)
        { Parameters = { new NpgsqlParameter<int[]> { TypedValue = codes }, new NpgsqlParameter<string[]> { TypedValue = names } } })
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                changed.Add($"{r.GetInt32(0)} '{r.GetString(1)}' is now {r.GetInt32(2)} '{r.GetString(3)}'");
        if (changed.Count > 0)
            throw new InvalidOperationException("Audit action numbers and names are fixed once entries may carry them, but this build changes "
                + string.Join("; ", changed) + ". Restore the old number and name (add a new action instead of renaming one).");
        await using var add = new NpgsqlCommand(AddSql, conn)
        { Parameters = { new NpgsqlParameter<int[]> { TypedValue = codes }, new NpgsqlParameter<string[]> { TypedValue = names } } };
        await add.ExecuteNonQueryAsync(cancellationToken);
    }
}
