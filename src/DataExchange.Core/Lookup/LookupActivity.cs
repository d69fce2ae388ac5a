using DataExchange.Core.Common;
using Npgsql;

namespace DataExchange.Core.Lookup;

/// <summary>Lookups of one consumer agency for one purpose: requests answered, keys asked, keys found, requests refused, the latest.</summary>
public sealed record LookupCount(string? Agency, string? Purpose, long Answered, long Keys, long Found, long Refused, DateTimeOffset Last);

/// <summary>
/// The lookups of a dataset per consumer agency and purpose (the console's dataset page), counted from the audit
/// entries the lookups left (<c>record-looked-up</c>, <c>lookup-refused</c>) since <see cref="Since"/>. When more
/// entries than the page counts fell in the period, <see cref="Capped"/> says so and Since is the oldest counted.
/// <see cref="AllAgencies"/>: the owning agency and the exchange see every consumer, another agency its own lookups.
/// </summary>
public sealed record LookupActivityReport(DateTimeOffset Since, bool Capped, bool AllAgencies, IReadOnlyList<LookupCount> Items);

/// <summary>Counts a dataset's lookups per consumer and purpose from the audit log, scoped to the caller's agency.</summary>
public sealed class LookupActivity(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>The period counted. Default 30 days.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromDays(30);

    /// <summary>
    /// Newest lookup entries counted at most: the (dataset_id, seq) index is read backwards from the head and
    /// stops there, so a page view costs the same whether the dataset saw a thousand lookups or a billion.
    /// </summary>
    public const int MaxEntries = 20_000;

    // A batch entry names up to 1,000 subjects; "found" holds one boolean per subject, in order.
    const string Sql = """
        select l.actor_agency, l.details ->> 'purpose',
               count(*) filter (where l.action = 'record-looked-up'),
               coalesce(sum(jsonb_array_length(l.details -> 'subjects')) filter (where l.action = 'record-looked-up'), 0),
               coalesce(sum(jsonb_array_length(jsonb_path_query_array(l.details -> 'found', '$[*] ? (@ == true)'))), 0),
               count(*) filter (where l.action = 'lookup-refused'),
               max(l.at), min(l.at), count(*)
        from (select a.actor_agency, a.action, a.details, a.at from dx.audit_log a
              where a.dataset_id = $1 and a.action in ('record-looked-up', 'lookup-refused') and a.at >= $2 and ($3 or a.actor_agency = $4)
              order by a.seq desc limit $5) l
        group by 1, 2 order by 1 nulls first, 2 nulls first
        """;

    /// <summary>The counts of <paramref name="dataset"/> (its id and owner) as <paramref name="caller"/> may see them.</summary>
    public async Task<LookupActivityReport> CountAsync(Caller caller, string datasetId, string owner, CancellationToken cancellationToken = default)
    {
        var all = caller.AgencyId == owner || caller.IsOperator;
        var since = time.GetUtcNow() - Period;
        var items = new List<LookupCount>();
        DateTimeOffset? oldest = null;
        long entries = 0;
        await using (var cmd = Db.Command(dataSource, Sql, datasetId, since, all, caller.AgencyId, MaxEntries))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
            {
                items.Add(new LookupCount(r.Get<string>(0), r.Get<string>(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetFieldValue<DateTimeOffset>(6)));
                var first = r.GetFieldValue<DateTimeOffset>(7);
                oldest = oldest is { } o && o < first ? o : first;
                entries += r.GetInt64(8);
            }
        var capped = entries >= MaxEntries;
        return new LookupActivityReport(capped && oldest is { } at ? at : since, capped, all, items);
    }
}
