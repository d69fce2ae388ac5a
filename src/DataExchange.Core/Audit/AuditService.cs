using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using Npgsql;

namespace DataExchange.Core.Audit;

/// <summary>
/// Reads the audit log for auditors. The exchange operator's auditors see everything; an agency's
/// auditors see entries made by their agency's clients or about their agency's datasets.
/// </summary>
public sealed partial class AuditService(NpgsqlDataSource dataSource, AuditCheckpoints checkpoints, AuditSigningKey key)
{
    const string Columns = "seq, at, actor_agency, actor_client, action, target, dataset_id, outcome, details::text, prev_hash, hash";

    const string SearchSql = $"""
        select {Columns} from dx.audit_log a
        where ($1 or a.actor_agency = $2 or a.dataset_id in (select id from dx.datasets where owner_agency_id = $2))
          and ($3::text is null or a.action = $3)
          and ($4::text is null or a.dataset_id = $4)
          and ($5::text is null or a.actor_agency = $5)
          and ($6::text is null or a.actor_client = $6)
          and ($7::text is null or a.outcome = $7)
          and ($8::timestamptz is null or a.at >= $8)
          and ($9::timestamptz is null or a.at < $9)
          and a.seq > $10
        order by a.seq limit $11
        """;

    /// <summary>A page of entries in log order.</summary>
    public async Task<Page<AuditEntry>> SearchAsync(Caller caller, AuditQuery query, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Auditor);
        var take = Paging.Limit(query.Limit);
        var after = Paging.Decode(query.After) is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : 0;
        await using var cmd = SearchCommand(caller, query, after, take + 1);
        var list = new List<AuditEntry>();
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) list.Add(Read(r));
        var next = list.Count > take ? Paging.Encode(list[take - 1].Seq.ToString(CultureInfo.InvariantCulture)) : null;
        return new Page<AuditEntry>(list.Take(take).ToList(), next);
    }

    /// <summary>
    /// Every entry matching the filters, in log order, streamed (exports of any size). The role is
    /// checked here, before the caller starts a response.
    /// </summary>
    public IAsyncEnumerable<AuditEntry> Export(Caller caller, AuditQuery query, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Auditor);
        return ExportCore(caller, query, cancellationToken);
    }

    /// <summary>Whether a query selects the whole log (an export of it can be verified offline).</summary>
    public static bool IsWholeLog(AuditQuery q) =>
        q is { Action: null, DatasetId: null, Agency: null, Client: null, Outcome: null, From: null, To: null, After: null };

    async IAsyncEnumerable<AuditEntry> ExportCore(Caller caller, AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var cmd = SearchCommand(caller, query, 0, long.MaxValue);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken)) yield return Read(r);
    }

    NpgsqlCommand SearchCommand(Caller caller, AuditQuery query, long after, long limit)
    {
        return Db.Command(dataSource, SearchSql, caller.IsOperator, caller.AgencyId, Db.Typed(query.Action), Db.Typed(query.DatasetId),
            Db.Typed(query.Agency), Db.Typed(query.Client), Db.Typed(query.Outcome), Db.Typed(query.From), Db.Typed(query.To), after, limit);
    }

    static AuditEntry Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.Get<string>(2), r.Get<string>(3), r.GetString(4), r.Get<string>(5), r.Get<string>(6),
        r.GetString(7), JsonNode.Parse(r.GetString(8)) as JsonObject ?? [], r.GetFieldValue<byte[]>(9), r.GetFieldValue<byte[]>(10));
}
