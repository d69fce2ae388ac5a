using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Subscriptions;

/// <summary>
/// The subscription lifecycle (request → approve/reject → revoke/expire) and access decisions. A decision
/// is made on every request from a cached <see cref="DecisionSource"/> (issue 16: no database round trip
/// per request): a change made on this node takes effect at once, one made on another node within
/// <see cref="AccessCacheOptions.Ttl"/>; expiry is compared with the clock on every request.
/// </summary>
public sealed class SubscriptionService(NpgsqlDataSource dataSource, DatasetRegistry registry, AutoApprovals autoApprovals, AuditWriter audit, TimeProvider time,
    IOptions<AccessCacheOptions> cacheOptions)
{
    /// <summary>
    /// What decisions on a dataset for one agency are made from: the dataset's owner and key fields, whether it is
    /// open data (public and marked open), and the agency's latest subscription.
    /// </summary>
    sealed record DecisionSource(string Owner, IReadOnlyList<string> KeyFields, bool Open, StoredSubscription? Subscription);

    /// <summary>A subscription as decisions need it, its policy parsed once.</summary>
    sealed record StoredSubscription(string Id, string Status, AccessPolicy? Policy, DateTimeOffset? ExpiresAt, string Purpose, string? Reason);

    readonly TtlCache<(string DatasetId, string Agency), DecisionSource> _decisions = new(time, cacheOptions.Value);

    const string Columns = "id, dataset_id, consumer_agency_id, purpose, fields, status, policy::text, expires_at, requested_by, created_at, decided_at, decided_by, reason";

    /// <summary>Forgets the cached decisions on <paramref name="datasetId"/> for every agency (its metadata, and with it open, changed on this node).</summary>
    public void ForgetDecisions(string datasetId) => _decisions.Invalidate(k => k.DatasetId == datasetId);

    /// <summary>A consumer agency asks for a dataset, with a purpose.</summary>
    public async Task<Subscription> RequestAsync(Caller caller, SubscriptionRequest request, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Consumer);
        var errors = new List<ProblemItem>();
        if (string.IsNullOrWhiteSpace(request.DatasetId)) errors.Add(new("/datasetId", "required", "Name the dataset."));
        if (string.IsNullOrWhiteSpace(request.Purpose) || request.Purpose.Length > 1000)
            errors.Add(new("/purpose", "required", "State the purpose of use (at most 1000 characters); the steward decides on it."));
        if (errors.Count > 0) throw new InvalidException("invalid-request", "The subscription request is not valid.", errors);
        var dataset = await registry.FindAsync(request.DatasetId!, cancellationToken) ?? throw new NotFoundException($"Dataset '{request.DatasetId}' does not exist.");
        if (request.Fields is { } fields)
        {
            var schema = await registry.GetSchemaAsync(dataset.Id, dataset.SchemaVersion, cancellationToken);
            var known = schema.PropertyNames.ToHashSet(StringComparer.Ordinal);
            var unknown = fields.Select((f, i) => (f, i)).Where(x => !known.Contains(x.f)).ToList();
            if (unknown.Count > 0)
                throw new InvalidException("invalid-request", "Some requested fields are not in the dataset.", [.. unknown.Select(u => new ProblemItem($"/fields/{u.i}", "unknown-field", $"'{u.f}' is not a field."))]);
        }

        var id = Ids.New("sub");
        var now = time.GetUtcNow();
        const string sql = """
            insert into dx.subscriptions (id, dataset_id, consumer_agency_id, purpose, fields, status, requested_by, created_at)
            values ($1, $2, $3, $4, $5, 'pending', $6, $7)
            """;
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await RefuseSecondOpenAsync(conn, dataset.Id, caller.AgencyId, now, cancellationToken);
        await using (var cmd = Db.Command(conn, sql, id, dataset.Id, caller.AgencyId, request.Purpose!.Trim(), Db.Typed(request.Fields?.ToArray()), caller.ClientId, now))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.SubscriptionRequested, AuditOutcome.Succeeded, id, dataset.Id,
            new JsonObject { ["purpose"] = request.Purpose, ["consumer"] = caller.AgencyId }), cancellationToken);
        await autoApprovals.ApplyAsync(conn, caller, id, dataset, request.Fields, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        _decisions.Invalidate((dataset.Id, caller.AgencyId));
        return await GetAsync(caller, id, cancellationToken);
    }

    const string OpenSubscriptionSql = """
        select id, status from dx.subscriptions
        where dataset_id = $1 and consumer_agency_id = $2 and (status = 'pending' or (status = 'approved' and (expires_at is null or expires_at > $3)))
        order by created_at limit 1
        """;

    /// <summary>
    /// One open subscription (pending, or approved and unexpired) per agency and dataset (issue 18: a repeated request
    /// made a second one). Requests of the same pair queue on a transaction lock, so racing ones cannot both pass.
    /// </summary>
    static async Task RefuseSecondOpenAsync(NpgsqlConnection conn, string datasetId, string agencyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"subscription:{datasetId}\u001f{agencyId}")));
        await using (var lockCmd = Db.Command(conn, "select pg_advisory_xact_lock($1)", key)) await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        await using var cmd = Db.Command(conn, OpenSubscriptionSql, datasetId, agencyId, now);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
            throw new ConflictException("subscription-exists",
                $"Your agency already has subscription {reader.GetString(0)} ({reader.GetString(1)}) to '{datasetId}'; a second one is not made. Wait for the steward's decision, or withdraw or revoke it first.");
    }

    /// <summary>A steward of the owning agency approves with a policy.</summary>
    public async Task<Subscription> ApproveAsync(Caller caller, string id, ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        var sub = await GetForOwnerAsync(caller, id, cancellationToken);
        if (sub.Status is not (SubscriptionStatus.Pending or SubscriptionStatus.Approved))
            throw new ConflictException("invalid-transition", $"A {sub.Status} subscription cannot be approved; the consumer can request again.");
        if (request.ExpiresAt is { } e && e <= time.GetUtcNow())
            throw new InvalidException("invalid-request", "The expiry must be in the future.", [new("/expiresAt", "past", "Give a future time.")]);
        var dataset = await registry.FindAsync(sub.DatasetId, cancellationToken);
        var schema = await registry.GetSchemaAsync(sub.DatasetId, dataset!.SchemaVersion, cancellationToken);
        var policy = AccessPolicy.Parse(request.Policy, schema.PropertyNames);
        const string sql = """
            update dx.subscriptions set status = 'approved', policy = $2, expires_at = $3, decided_at = $4, decided_by = $5, reason = null
            where id = $1
            """;
        await TransitionAsync(caller, sub, AuditAction.SubscriptionApproved, new JsonObject { ["policyHash"] = policy.Hash, ["expiresAt"] = request.ExpiresAt?.ToString("O") },
            conn => Db.Command(conn, sql, sub.Id, Db.Jsonb(policy.Document.ToJsonString()), Db.Typed(request.ExpiresAt), time.GetUtcNow(), caller.ClientId),
            cancellationToken);
        return await GetAsync(caller, id, cancellationToken);
    }

    /// <summary>A steward of the owning agency rejects with a reason.</summary>
    public async Task<Subscription> RejectAsync(Caller caller, string id, RejectionRequest request, CancellationToken cancellationToken = default)
    {
        var sub = await GetForOwnerAsync(caller, id, cancellationToken);
        if (sub.Status != SubscriptionStatus.Pending)
            throw new ConflictException("invalid-transition", $"Only pending requests can be rejected; this one is {sub.Status}. Revoke an approved one instead.");
        if (string.IsNullOrWhiteSpace(request.Reason))
            throw new InvalidException("invalid-request", "Give the consumer a reason.", [new("/reason", "required", "State why the request is rejected.")]);
        const string sql = "update dx.subscriptions set status = 'rejected', reason = $2, decided_at = $3, decided_by = $4 where id = $1";
        await TransitionAsync(caller, sub, AuditAction.SubscriptionRejected, new JsonObject { ["reason"] = request.Reason },
            conn => Db.Command(conn, sql, sub.Id, request.Reason.Trim(), time.GetUtcNow(), caller.ClientId), cancellationToken);
        return await GetAsync(caller, id, cancellationToken);
    }

    /// <summary>Revokes an approval, effective on the next request; the owner's steward or the consumer itself may.</summary>
    public async Task<Subscription> RevokeAsync(Caller caller, string id, CancellationToken cancellationToken = default)
    {
        var sub = await GetAsync(caller, id, cancellationToken);
        var dataset = await registry.FindAsync(sub.DatasetId, cancellationToken);
        var isOwnerSteward = caller.Has(Role.Steward) && dataset!.Owner == caller.AgencyId;
        var isConsumer = caller.Has(Role.Consumer) && sub.ConsumerAgency == caller.AgencyId;
        if (!isOwnerSteward && !isConsumer) throw new ForbiddenException("role-required", "Only the owner's stewards or the consumer may revoke.");
        if (sub.Status is SubscriptionStatus.Revoked or SubscriptionStatus.Rejected) return sub;
        const string sql = "update dx.subscriptions set status = 'revoked', decided_at = $2, decided_by = $3 where id = $1";
        await TransitionAsync(caller, sub, AuditAction.SubscriptionRevoked, new JsonObject(),
            conn => Db.Command(conn, sql, sub.Id, time.GetUtcNow(), caller.ClientId), cancellationToken);
        return await GetAsync(caller, id, cancellationToken);
    }

    /// <summary>One subscription, visible to the consumer agency and the owning agency only (404 to others).</summary>
    public async Task<Subscription> GetAsync(Caller caller, string id, CancellationToken cancellationToken = default)
    {
        const string sql = $"select {Columns} from dx.subscriptions s where id = $1 and ($2 or consumer_agency_id = $3 or dataset_id in (select id from dx.datasets where owner_agency_id = $3))";
        await using var cmd = Db.Command(dataSource, sql, id, caller.IsOperator, caller.AgencyId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? Read(r, time.GetUtcNow()) : throw new NotFoundException($"Subscription '{id}' does not exist.");
    }

    /// <summary>Subscriptions the caller's agency made or received, newest first.</summary>
    public async Task<Page<Subscription>> ListAsync(Caller caller, string? status, string? datasetId, int? limit, string? after, CancellationToken cancellationToken = default)
    {
        var take = Paging.Limit(limit);
        const string sql = $"""
            select {Columns} from dx.subscriptions s
            where ($1 or consumer_agency_id = $2 or dataset_id in (select id from dx.datasets where owner_agency_id = $2))
              and ($3::text is null or dataset_id = $3) and ($4::text is null or id < $4)
            order by id desc limit $5
            """;
        await using var cmd = Db.Command(dataSource, sql, caller.IsOperator, caller.AgencyId, Db.Typed(datasetId), Db.Typed(Paging.Decode(after)), take + 1);
        var list = new List<Subscription>();
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) list.Add(Read(r, time.GetUtcNow()));
        // Status is derived (an approval past its expiry reads as expired), so it is filtered after reading.
        if (status is not null) list = list.Where(s => s.Status == status).ToList();
        var next = list.Count > take ? Paging.Encode(list[take - 1].Id) : null;
        return new Page<Subscription>(list.Take(take).ToList(), next);
    }

    /// <summary>
    /// Decides whether <paramref name="caller"/> may read <paramref name="datasetId"/> now. Deny by default:
    /// the owning agency reads everything; others need an approved, unexpired subscription.
    /// </summary>
    public async Task<AccessDecision> DecideAsync(Caller caller, string datasetId, CancellationToken cancellationToken = default)
    {
        var source = await _decisions.GetAsync((datasetId, caller.AgencyId), dataSource, LoadDecisionSourceAsync, cancellationToken)
            ?? throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
        var decision = Decide(caller, source, time.GetUtcNow());
        return decision with { KeyFields = source.KeyFields, Purpose = source.Subscription?.Purpose };
    }

    /// <summary>Explains the caller's access decision on a dataset without returning data; audited.</summary>
    public async Task<AccessExplanation> ExplainAsync(Caller caller, string datasetId, CancellationToken cancellationToken = default)
    {
        var d = await DecideAsync(caller, datasetId, cancellationToken);
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.AccessExplained, d.Allowed ? AuditOutcome.Allowed : AuditOutcome.Denied, datasetId, datasetId,
            new JsonObject { ["code"] = d.Code, ["subscription"] = d.SubscriptionId, ["policyHash"] = d.Policy?.Hash }), cancellationToken);
        return new AccessExplanation(d.Allowed, d.Code, d.Reason, d.SubscriptionId, d.ExpiresAt, d.Policy?.Summary());
    }

    static AccessDecision Decide(Caller caller, DecisionSource source, DateTimeOffset now)
    {
        if (source.Owner == caller.AgencyId)
            return new AccessDecision(true, "owner", "Your agency owns this dataset.", null, AccessPolicy.Owner);
        // Open data needs no subscription (a subscription's own policy still applies to its holder).
        var open = new AccessDecision(true, "open-data", "The dataset is public and open: anyone may read it.", null, AccessPolicy.Open);
        if (!caller.Has(Role.Consumer))
            return source.Open ? open : new AccessDecision(false, "role-required", "Reading another agency's data needs the consumer role.", null, null);
        if (source.Subscription is not { } sub)
            return source.Open ? open : new AccessDecision(false, "subscription-required", "Your agency has no subscription to this dataset; request one with a purpose.", null, null);
        // Expiry is checked at decision time on every request, not by a sweeper that might lag.
        var status = sub.Status == SubscriptionStatus.Approved && sub.ExpiresAt is { } e && e <= now ? SubscriptionStatus.Expired : sub.Status;
        return status switch
        {
            SubscriptionStatus.Approved => new AccessDecision(true, "subscription", $"Approved subscription {sub.Id}.", sub.Id, sub.Policy, sub.ExpiresAt),
            SubscriptionStatus.Expired => new AccessDecision(false, "policy-expired", $"Subscription {sub.Id} expired at {sub.ExpiresAt:O}.", sub.Id, null),
            SubscriptionStatus.Revoked => new AccessDecision(false, "subscription-revoked", $"Subscription {sub.Id} was revoked.", sub.Id, null),
            SubscriptionStatus.Rejected => new AccessDecision(false, "subscription-rejected", $"Subscription {sub.Id} was rejected: {sub.Reason}", sub.Id, null),
            _ => new AccessDecision(false, "subscription-pending", $"Subscription {sub.Id} awaits the steward's approval.", sub.Id, null),
        };
    }

    static async Task<DecisionSource?> LoadDecisionSourceAsync((string DatasetId, string Agency) key, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        // The agency's approved subscription if it has one, else its latest (pending, rejected, revoked).
        const string sql = """
            select d.owner_agency_id, d.key_fields, s.id, s.status, s.policy::text, s.expires_at, s.purpose, s.reason,
                   d.classification = 'public' and coalesce(d.metadata -> 'open' = 'true'::jsonb, false)
            from dx.datasets d left join lateral (
                select * from dx.subscriptions where dataset_id = d.id and consumer_agency_id = $2 order by (status = 'approved') desc, created_at desc limit 1) s on true
            where d.id = $1
            """;
        await using var cmd = Db.Command(dataSource, sql, key.DatasetId, key.Agency);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken)) return null;
        var sub = r.IsDBNull(2) ? null : new StoredSubscription(r.GetString(2), r.GetString(3),
            r.IsDBNull(4) ? null : AccessPolicy.FromStored(JsonNode.Parse(r.GetString(4)) as JsonObject), r.GetNullable<DateTimeOffset>(5), r.GetString(6), r.Get<string>(7));
        return new DecisionSource(r.GetString(0), r.GetFieldValue<string[]>(1), r.GetBoolean(8), sub);
    }

    async Task<Subscription> GetForOwnerAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        caller.Require(Role.Steward);
        var sub = await GetAsync(caller, id, cancellationToken);
        var dataset = await registry.FindAsync(sub.DatasetId, cancellationToken);
        if (dataset!.Owner != caller.AgencyId)
            throw new ForbiddenException("not-owner", "Only stewards of the agency that owns the dataset decide on its subscriptions.");
        return sub;
    }

    async Task TransitionAsync(Caller caller, Subscription sub, AuditAction action, JsonObject details, Func<NpgsqlConnection, NpgsqlCommand> update, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = update(conn)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        details["previousStatus"] = sub.Status;
        details["consumer"] = sub.ConsumerAgency;
        await audit.AppendAsync(conn, new AuditRecord(caller, action, AuditOutcome.Succeeded, sub.Id, sub.DatasetId, details), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        _decisions.Invalidate((sub.DatasetId, sub.ConsumerAgency));
    }

    static Subscription Read(NpgsqlDataReader r, DateTimeOffset now)
    {
        var status = r.GetString(5);
        var expires = r.GetNullable<DateTimeOffset>(7);
        // Expiry is checked at read time on every request, not by a sweeper that might lag.
        if (status == SubscriptionStatus.Approved && expires is { } e && e <= now) status = SubscriptionStatus.Expired;
        return new Subscription(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.Get<string[]>(4), status,
            r.IsDBNull(6) ? null : JsonNode.Parse(r.GetString(6)) as JsonObject, expires, r.GetString(8), r.GetFieldValue<DateTimeOffset>(9),
            r.GetNullable<DateTimeOffset>(10), r.Get<string>(11), r.Get<string>(12));
    }
}
