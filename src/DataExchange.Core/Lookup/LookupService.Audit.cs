using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;
using Npgsql;

namespace DataExchange.Core.Lookup;

public sealed partial class LookupService
{
    /// <summary>
    /// Puts the lookup on the record (<c>record-looked-up</c>: purpose, case, version, policy hash, and per
    /// subject whether it was found and the hash of its evidence) and charges its keys to the subscription's
    /// day, in one group-committed transaction; when the quota cannot take them all, the entry is the refusal
    /// instead and the answer 429. Returns once the entry is committed.
    /// </summary>
    async Task RecordAsync(Attempt attempt, int version, AccessPolicy policy, IReadOnlyList<LookupItem> items, CancellationToken cancellationToken)
    {
        var details = Details(attempt);
        details["version"] = version;
        details["policyHash"] = policy.Hash;
        details["found"] = new JsonArray([.. items.Select(i => JsonValue.Create(i.Found))]);
        if (items.Any(i => i.Evidence is not null))
            details["evidence"] = new JsonArray([.. items.Select(i => JsonValue.Create(EvidenceSigner.Hash(i.Evidence!)))]);
        var looked = new AuditRecord(attempt.Caller, AuditAction.RecordLookedUp, AuditOutcome.Allowed, $"{attempt.DatasetId}@{version}", attempt.DatasetId, details);
        var day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        long? refusedAt = null;
        if (attempt.Decision.SubscriptionId is { } sub)
            await audit.AppendAsync(new RowCharge(sub, day, items.Count, policy.DailyRowQuota), used =>
            {
                refusedAt = used;
                return used is { } already ? Refusal(attempt, "quota-exceeded", new JsonObject { ["quota"] = policy.DailyRowQuota, ["used"] = already }) : looked;
            }, cancellationToken);
        else
            await audit.AppendAsync(looked, cancellationToken);
        if (refusedAt is { } u)
        {
            metrics.Looked(attempt.DatasetId, "denied", items.Count, 0, attempt.Started);
            var now = time.GetUtcNow().UtcDateTime;
            throw new LimitExceededException("quota-exceeded",
                $"Subscription {attempt.Decision.SubscriptionId} has {Math.Max(0, policy.DailyRowQuota!.Value - u)} of its {policy.DailyRowQuota} rows left today (UTC), fewer than the {items.Count} keys asked; the quota resets at midnight UTC.",
                now.Date.AddDays(1) - now);
        }
    }

    /// <summary>Audits a refused lookup (<c>lookup-refused</c>, with its subjects) and returns <paramref name="refusal"/> to throw.</summary>
    async Task<DomainException> RefuseAsync(Attempt attempt, string reason, DomainException refusal, CancellationToken cancellationToken)
    {
        await audit.AppendAsync(Refusal(attempt, reason, new JsonObject { ["detail"] = refusal.Message }), cancellationToken);
        metrics.Looked(attempt.DatasetId, "denied", attempt.Subjects.Count, 0, attempt.Started);
        return refusal.MarkAudited();
    }

    static AuditRecord Refusal(Attempt attempt, string reason, JsonObject extra)
    {
        var details = Details(attempt);
        details["reason"] = reason;
        foreach (var (name, value) in extra) details[name] = value?.DeepClone();
        return new AuditRecord(attempt.Caller, AuditAction.LookupRefused, AuditOutcome.Denied, attempt.DatasetId, attempt.DatasetId, details);
    }

    /// <summary>What every lookup entry says: subscription, purpose and case (cut to their limit), and the subjects asked for.</summary>
    static JsonObject Details(Attempt attempt)
    {
        var details = new JsonObject();
        if (attempt.Decision.SubscriptionId is { } sub) details["subscription"] = sub;
        if (attempt.Purpose is { } purpose) details["purpose"] = Cut(purpose);
        if (attempt.CaseRef is { } caseRef) details["caseRef"] = Cut(caseRef);
        details["subjects"] = new JsonArray([.. attempt.Subjects.Select(s => JsonValue.Create(s))]);
        return details;
    }

    static string Cut(string s) => s.Length <= MaxPurposeLength ? s : string.Concat(s.AsSpan(0, MaxPurposeLength), "…");
}
