using System.Runtime.CompilerServices;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Evaluates chosen lines of a run's payload again, in full, in one read of the payload: the rows staged without
/// an evaluation or a body that turn out to need one (<see cref="SkippedVerifier"/>, <see cref="KnownRows"/>).
/// </summary>
internal static class PayloadRecheck
{
    /// <summary>The staged or quarantined record of each of <paramref name="lines"/>.</summary>
    public static async Task<Dictionary<long, (StagedRecord? Staged, QuarantinedRecord? Quarantined)>> EvaluateAsync(RunPayload payload, IngestionOptions options,
        IReadOnlySet<long> lines, CancellationToken cancellationToken)
    {
        var feed = payload.Feed;
        var validator = new RecordValidator(payload.Schema, payload.KeyFields, feed.CaseInsensitiveKeys == true, feed.Mode == "incremental" ? feed.DeleteMarker : null)
        { PatternBudget = options.PatternBudget };
        var header = new StrongBox<string[]>([]);
        var evaluated = new Dictionary<long, (StagedRecord?, QuarantinedRecord?)>(lines.Count);
        await foreach (var record in PayloadReader.ReadAsync(payload.Path, feed, options, header, null, lines, cancellationToken))
            evaluated[record.Line] = validator.Process(record, header.Value!);
        // The payload is the one just staged, read the same way: a line it no longer has would be a record lost.
        if (evaluated.Count < lines.Count)
            throw new InvalidOperationException($"{lines.Count - evaluated.Count} staged rows were not found on reading the payload again.");
        return evaluated;
    }
}
