using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Lookup;

/// <summary>
/// Once-only lookups (issue 16): one record by key, or a batch of keys, answered under the caller's approved
/// subscription and its policy exactly as pulls are — fields and masks, row filters (a hidden record is not
/// found, exactly like an absent one), expiry, the daily row quota (one row per key asked, found or not, so
/// the quota cannot tell hidden from absent) — at the latest or a pinned version. Every lookup names a
/// purpose the subscription was approved for, and every one — found, not found or refused — is audited
/// with its subjects as <see cref="SubjectHash"/>es, never the keys in clear, before its answer leaves.
/// The hot path makes one query: the decision comes from the subscription cache and the audit entry and
/// quota charge ride a group commit (<see cref="AuditWriter"/>).
/// </summary>
public sealed partial class LookupService(LookupDataSource reads, SubscriptionService subscriptions, AuditWriter audit, MaskKey maskKey,
    SubjectHash subjects, EvidenceSigner signer, IOptions<LookupOptions> options, TimeProvider time, LookupMetrics metrics)
{
    /// <summary>Longest purpose and case reference, in characters.</summary>
    const int MaxPurposeLength = 200;

    readonly ReadCoalescer<ReadShape> _reads = new(new ShapeComparer(), options.Value.MaxBatchKeys);

    // A coalesced read serves several requests, so no one request's token cancels it.
    Func<ReadShape, IReadOnlyList<string>, Task<(int? Version, Dictionary<string, string> Rows)>> _readShape =>
        field ??= (shape, keys) => ReadAsync(shape.DatasetId, shape.Version, shape.Policy, keys, CancellationToken.None);

    /// <summary>Reads made for single-key lookups and the lookups they answered, since start.</summary>
    public (long Reads, long Lookups) SingleKeyReads => _reads.Counts;

    /// <summary>Looks up the keys of <paramref name="request"/> in <paramref name="datasetId"/> for <paramref name="caller"/>.</summary>
    public async Task<LookupAnswer> LookupAsync(Caller caller, string datasetId, LookupRequest request, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var decision = await subscriptions.DecideAsync(caller, datasetId, cancellationToken);
        var attempt = new Attempt(caller, datasetId, decision, request.Purpose?.Trim(), request.CaseRef?.Trim(), started);
        var keys = await KeysAsync(attempt, request, cancellationToken);
        attempt.Subjects = await subjects.OfAsync(datasetId, [.. keys.Select(k => k.Stored)], cancellationToken);
        await AuthorizeAsync(attempt, cancellationToken);
        var policy = decision.Policy!;
        var (version, rows) = await ReadKeysAsync(datasetId, request.Version, policy, keys, cancellationToken);
        if (version is not { } v)
            throw await RefuseAsync(attempt, "version-not-found", new NotFoundException(request.Version is { } asked
                ? $"Dataset '{datasetId}' has no version {asked}." : $"Dataset '{datasetId}' has no published version yet."), cancellationToken);

        var shaper = new PolicyShaper(policy, await maskKey.GetAsync(cancellationToken), decision.KeyFields);
        var evidence = request.Evidence ? new EvidenceContext(attempt, v, policy.Hash, time.GetUtcNow()) : null;
        var items = keys.Select(k => Answer(k, rows.GetValueOrDefault(k.Stored), shaper, evidence)).ToList();
        await RecordAsync(attempt, v, policy, items, cancellationToken);
        metrics.Looked(datasetId, "allowed", items.Count, items.Count(i => i.Found), started);
        return new LookupAnswer(datasetId, v, policy.Hash, items);
    }

    /// <summary>The keys of the request, each of the dataset's key fields; a malformed one is refused with 400 (audited).</summary>
    async Task<IReadOnlyList<LookupKey>> KeysAsync(Attempt attempt, LookupRequest request, CancellationToken cancellationToken)
    {
        var fields = attempt.Decision.KeyFields;
        if (request.Segment is { } segment)
            return LookupKey.FromSegment(segment, fields.Count) is { } one ? [one]
                : throw await RefuseAsync(attempt, "invalid-key", new InvalidException("invalid-key", "The key is not one of this dataset.", [LookupKey.Problem("/key", fields)]), cancellationToken);
        var max = options.Value.MaxBatchKeys;
        if (request.Keys is not { Count: > 0 } nodes || nodes.Count > max)
            throw await RefuseAsync(attempt, "invalid-key", new InvalidException("invalid-request", "The batch is not valid.",
                [new("/keys", "count", $"Give 1 to {max} keys.")]), cancellationToken);
        var keys = nodes.Select(n => LookupKey.FromJson(n, fields.Count)).ToList();
        var bad = keys.Select((k, i) => (k, i)).Where(x => x.k is null).Select(x => LookupKey.Problem($"/keys/{x.i}", fields)).ToList();
        if (bad.Count > 0) throw await RefuseAsync(attempt, "invalid-key", new InvalidException("invalid-key", "Some keys are not keys of this dataset.", bad), cancellationToken);
        return keys!;
    }

    /// <summary>
    /// Refuses (audited, with the subjects) a caller without an approved, unexpired subscription, a
    /// subscription not approved for lookups, and a purpose missing or not approved. The owner reads its own
    /// data for any purpose it names.
    /// </summary>
    async Task AuthorizeAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        var decision = attempt.Decision;
        if (!decision.Allowed)
            throw await RefuseAsync(attempt, decision.Code, new ForbiddenException(decision.Code, decision.Reason), cancellationToken);
        if (!decision.Policy!.Access.Contains(AccessKind.Lookup))
            throw await RefuseAsync(attempt, "lookup-not-approved", new ForbiddenException("lookup-not-approved",
                $"Subscription {decision.SubscriptionId} is approved for bulk pulls only; ask the steward to approve lookups."), cancellationToken);
        if (attempt.Purpose is not { Length: > 0 and <= MaxPurposeLength } purpose || attempt.CaseRef is { Length: > MaxPurposeLength })
            throw await RefuseAsync(attempt, "purpose-required", new InvalidException("purpose-required", "Every lookup names its purpose.",
                [new("/purpose", "required", $"Send the purpose (header Dx-Purpose, or 'purpose' in a batch), and any case reference (Dx-Case-Ref, 'caseRef'), each at most {MaxPurposeLength} characters.")]),
                cancellationToken);
        if (decision.SubscriptionId is not null && !decision.Policy.Approves(purpose, decision.Purpose))
            throw await RefuseAsync(attempt, "purpose-not-approved", new ForbiddenException("purpose-not-approved",
                $"Subscription {decision.SubscriptionId} is not approved for the purpose '{purpose}'; use one it was approved for, or ask the steward to add it."),
                cancellationToken);
    }

    /// <summary>One key's answer, shaped by the policy, signed when evidence was asked for.</summary>
    LookupItem Answer(LookupKey key, string? stored, PolicyShaper shaper, EvidenceContext? evidence)
    {
        byte[]? record = null;
        string? shownKey = null;
        if (stored is not null)
        {
            using var doc = JsonDocument.Parse(stored);
            record = JsonScratch.Api.ToArray((shaper, doc.RootElement), static (writer, s) => s.shaper.WriteJson(writer, s.RootElement));
            shownKey = shaper.Key(key.Stored, doc.RootElement);
        }
        return new LookupItem(stored is not null, shownKey, record, evidence is null ? null : signer.Sign(evidence.Payload(key, record)));
    }

    /// <summary>What one lookup request is about, for its answers and its audit entry.</summary>
    sealed class Attempt(Caller caller, string datasetId, AccessDecision decision, string? purpose, string? caseRef, long started)
    {
        /// <summary>When the request began (a Stopwatch timestamp), for the duration metric.</summary>
        public long Started { get; } = started;
        public Caller Caller { get; } = caller;
        public string DatasetId { get; } = datasetId;
        public AccessDecision Decision { get; } = decision;
        public string? Purpose { get; } = purpose is { Length: > 0 } ? purpose : null;
        public string? CaseRef { get; } = caseRef is { Length: > 0 } ? caseRef : null;
        public IReadOnlyList<string> Subjects { get; set; } = [];
    }
}
