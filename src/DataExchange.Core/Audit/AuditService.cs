using System.Globalization;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using Npgsql;
using NpgsqlTypes;

namespace DataExchange.Core.Audit;

/// <summary>
/// Reads the audit log for auditors. The exchange operator's auditors see everything; an agency's
/// auditors see entries made by their agency's clients or about their agency's datasets.
/// </summary>
public sealed class AuditService(NpgsqlDataSource dataSource)
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
        await using var cmd = Db.Command(dataSource, SearchSql, caller.IsOperator, caller.AgencyId, query.Action, query.DatasetId, query.Agency,
            query.Client, query.Outcome, query.From, query.To, after, take + 1);
        for (var i = 2; i <= 6; i++) cmd.Parameters[i].NpgsqlDbType = NpgsqlDbType.Text;
        cmd.Parameters[7].NpgsqlDbType = cmd.Parameters[8].NpgsqlDbType = NpgsqlDbType.TimestampTz;
        var list = new List<AuditEntry>();
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) list.Add(Read(r));
        var next = list.Count > take ? Paging.Encode(list[take - 1].Seq.ToString(CultureInfo.InvariantCulture)) : null;
        return new Page<AuditEntry>(list.Take(take).ToList(), next);
    }

    /// <summary>
    /// Recomputes the whole chain from the stored entries (operator auditors: it reads every entry)
    /// and names the first position whose hash, link or sequence does not verify.
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Auditor);
        if (!caller.IsOperator) throw new ForbiddenException("operator-required", "Verifying the whole chain reads every agency's entries; the exchange's auditors do it.");
        await using var cmd = Db.Command(dataSource, $"select {Columns} from dx.audit_log order by seq");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var prev = new byte[32];
        long expected = 1, count = 0;
        while (await r.ReadAsync(cancellationToken))
        {
            var e = Read(r);
            count++;
            if (e.Seq != expected) return new ChainVerification(false, count, expected, $"Entry {expected} is missing (found {e.Seq} next).");
            if (!e.PrevHash.AsSpan().SequenceEqual(prev)) return new ChainVerification(false, count, e.Seq, "The link to the previous entry does not match.");
            var hash = AuditEntry.ComputeHash(prev, AuditEntry.CanonicalBytes(e.Seq, e.At, e.ActorAgency, e.ActorClient, e.Action, e.Target, e.DatasetId, e.Outcome, e.Details));
            if (!hash.AsSpan().SequenceEqual(e.Hash)) return new ChainVerification(false, count, e.Seq, "The entry's content does not match its hash.");
            prev = e.Hash;
            expected++;
        }
        return new ChainVerification(true, count, null, null);
    }

    static AuditEntry Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.Get<string>(2), r.Get<string>(3), r.GetString(4), r.Get<string>(5), r.Get<string>(6),
        r.GetString(7), JsonNode.Parse(r.GetString(8)) as JsonObject ?? [], r.GetFieldValue<byte[]>(9), r.GetFieldValue<byte[]>(10));
}
