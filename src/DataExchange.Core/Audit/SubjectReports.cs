using System.Globalization;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Lookup;

namespace DataExchange.Core.Audit;

/// <summary>One lookup of a subject: who, when, why, with what outcome (issue 16).</summary>
public sealed record SubjectAccess(long Seq, DateTimeOffset At, string? Agency, string? Client, string Action, string Outcome, string? Purpose, string? CaseRef,
    string? Subscription, int? Version, bool? Found, string? EvidenceHash, string? Reason);

/// <summary>The lookups of one subject of a dataset, oldest first; the subject named by its hash.</summary>
public sealed record SubjectReport(string DatasetId, string Subject, IReadOnlyList<SubjectAccess> Items, string? Next);

/// <summary>
/// The subject access report (issue 16): every lookup of one key of a dataset — found, not found or
/// refused — as the audit log recorded it, found by the key's <see cref="SubjectHash"/> (the key itself is
/// in no entry). For stewards of the owning agency and auditors; the exchange's and the owning agency's
/// see every lookup, another agency's auditors their own agency's. Reading a report is audited.
/// </summary>
public sealed class SubjectReports(Npgsql.NpgsqlDataSource dataSource, DatasetRegistry registry, SubjectHash hashes, AuditWriter audit)
{
    // The partial GIN index audit_log_lookup_subjects answers the containment test (migration 0021).
    const string Sql = """
        select seq, at, actor_agency, actor_client, action, outcome, details::text from dx.audit_log a
        where a.action in ('record-looked-up', 'lookup-refused') and a.details -> 'subjects' @> $1::jsonb and a.dataset_id = $2
          and ($3 or a.actor_agency = $4) and a.seq > $5
        order by a.seq limit $6
        """;

    /// <summary>The report of the key whose values (in key order) are <paramref name="keyParts"/>.</summary>
    public async Task<SubjectReport> ReportAsync(Caller caller, string datasetId, IReadOnlyList<string> keyParts, int? limit, string? after, CancellationToken cancellationToken = default)
    {
        var dataset = await AuthorizeAsync(caller, datasetId, cancellationToken);
        var key = LookupKey.FromParts(keyParts, dataset.KeyFields.Count)
            ?? throw new InvalidException("invalid-key", "Name the subject by its key: one key parameter per key field, in key order.", [LookupKey.Problem("/key", dataset.KeyFields)]);
        return await ReportAsync(caller, dataset, (await hashes.OfAsync(datasetId, [key.Stored], cancellationToken))[0], limit, after, cancellationToken);
    }

    /// <summary>
    /// The report of the subject whose <see cref="SubjectHash"/> is <paramref name="subject"/> (the console hashes the key
    /// it is given once, then pages by the hash, so that the key is never in a URL).
    /// </summary>
    public async Task<SubjectReport> ReportOfHashAsync(Caller caller, string datasetId, string subject, int? limit, string? after, CancellationToken cancellationToken = default)
    {
        var dataset = await AuthorizeAsync(caller, datasetId, cancellationToken);
        if (subject.Length != 64 || !subject.All(char.IsAsciiHexDigitLower))
            throw new InvalidException("invalid-subject", "The subject is not a subject hash.", [new("/subject", "pattern", "A subject hash is 64 lower-case hex digits.")]);
        return await ReportAsync(caller, dataset, subject, limit, after, cancellationToken);
    }

    /// <summary>The hash of <paramref name="keySegment"/> (the key as in a lookup URL: a composite key's parts percent-encoded and joined by ',') in a dataset the caller may report on.</summary>
    public async Task<string> SubjectOfAsync(Caller caller, string datasetId, string keySegment, CancellationToken cancellationToken = default)
    {
        var dataset = await AuthorizeAsync(caller, datasetId, cancellationToken);
        var key = LookupKey.FromSegment(keySegment, dataset.KeyFields.Count)
            ?? throw new InvalidException("invalid-key", "The key is not one of this dataset.", [LookupKey.Problem("/key", dataset.KeyFields)]);
        return (await hashes.OfAsync(datasetId, [key.Stored], cancellationToken))[0];
    }

    async Task<Dataset> AuthorizeAsync(Caller caller, string datasetId, CancellationToken cancellationToken)
    {
        var dataset = await registry.FindAsync(datasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
        if (!(dataset.Owner == caller.AgencyId && caller.Has(Role.Steward)) && !caller.Has(Role.Auditor))
            throw new ForbiddenException("role-required", "The subject access report is for stewards of the owning agency and auditors.");
        return dataset;
    }

    async Task<SubjectReport> ReportAsync(Caller caller, Dataset dataset, string subject, int? limit, string? after, CancellationToken cancellationToken)
    {
        var datasetId = dataset.Id;
        var owner = dataset.Owner == caller.AgencyId;
        var take = Paging.Limit(limit);
        var from = Paging.Decode(after) is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : 0;

        var items = new List<SubjectAccess>();
        await using (var cmd = Db.Command(dataSource, Sql, new JsonArray(subject).ToJsonString(), datasetId, owner || caller.IsOperator, caller.AgencyId, from, take + 1))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                items.Add(Read(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.Get<string>(2), r.Get<string>(3), r.GetString(4), r.GetString(5),
                    JsonNode.Parse(r.GetString(6))!.AsObject(), subject));
        var next = items.Count > take ? Paging.Encode(items[take - 1].Seq.ToString(CultureInfo.InvariantCulture)) : null;
        var page = items.Take(take).ToList();
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.SubjectReportRead, AuditOutcome.Succeeded, datasetId, datasetId,
            new JsonObject { ["subject"] = subject, ["entries"] = page.Count }), cancellationToken);
        return new SubjectReport(datasetId, subject, page, next);
    }

    // A batch entry names many subjects: this one's answer is at its position in each per-key array.
    static SubjectAccess Read(long seq, DateTimeOffset at, string? agency, string? client, string action, string outcome, JsonObject details, string subject)
    {
        var i = details["subjects"]!.AsArray().Select(s => s?.GetValue<string>()).ToList().IndexOf(subject);
        string? Text(string name) => details[name]?.GetValue<string>();
        return new SubjectAccess(seq, at, agency, client, action, outcome, Text("purpose"), Text("caseRef"), Text("subscription"),
            details["version"]?.GetValue<int>(), details["found"]?[i]?.GetValue<bool>(), details["evidence"]?[i]?.GetValue<string>(), Text("reason"));
    }
}
