using System.Diagnostics.Metrics;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Where a run's time goes, as the histogram <c>dx.ingestion.phase.duration</c> (seconds) of meter
/// <c>DataExchange.Ingestion</c>, tagged with the dataset and the phase: <c>stage</c> (parse, validate and
/// binary COPY, overlapped), <c>filters</c> (a re-ingest's read of the current records' hashes before staging, the first part of
/// <c>stage</c>: <see cref="CurrentHashes"/>), <c>validate</c> (the validators' busy time summed over threads), <c>prove</c> (a re-ingest's
/// proof that only the rows it did not know need a diff, <see cref="ProvenDiff"/>), <c>dedupe</c>,
/// <c>diff</c> (with the check of rows staged by their source row's hash, <see cref="KnownRows"/>, and the verification
/// of skipped records) and <c>publish</c>. Read by any metrics exporter and by the ingest benchmark.
/// </summary>
public static class IngestionMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "DataExchange.Ingestion";

    /// <summary>The histogram's name.</summary>
    public const string PhaseDuration = "dx.ingestion.phase.duration";

    static readonly Meter Meter = new(MeterName);
    static readonly Histogram<double> Phases = Meter.CreateHistogram(PhaseDuration, "s", "Duration of one phase of an ingestion run",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Common.Telemetry.SecondsBuckets });

    /// <summary>The counter of proofs tried by <see cref="ProvenDiff"/>, tagged with the dataset and the outcome (<c>proved</c>, or why not).</summary>
    public const string Proofs = "dx.ingestion.diff.proofs";

    static readonly Counter<long> ProofCounter = Meter.CreateCounter<long>(Proofs, "{run}", "Re-ingests whose diff was or was not proven to need only the rows they did not know");

    internal static void Proof(string datasetId, string outcome) =>
        ProofCounter.Add(1, new KeyValuePair<string, object?>("dataset", datasetId), new KeyValuePair<string, object?>("outcome", outcome));

    internal static void Record(string datasetId, string phase, TimeSpan elapsed) =>
        Phases.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("dataset", datasetId), new KeyValuePair<string, object?>("phase", phase));
}
