using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Ingestion;
using DataExchange.Core.Lookup;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Datasets;

/// <summary>A dataset: description, feed, schema versions with a diff, freshness, quality per run, recent versions and lookups per consumer and purpose.</summary>
public sealed class ShowModel(DatasetRegistry registry, IngestionService ingestion, LookupActivity lookups, TimeProvider time, Microsoft.Extensions.Localization.IStringLocalizer<ConsoleText> text) : ConsolePage
{
    // Razor HTML-encodes the text, so JSON need not escape non-ASCII (the samples' descriptions are Chinese).
    static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = Core.Common.MinimalJsonEncoder.Instance };

    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty(SupportsGet = true)] public int? From { get; set; }
    [BindProperty(SupportsGet = true)] public int? To { get; set; }

    public Dataset Dataset { get; private set; } = null!;
    public IReadOnlyList<DiffLine>? Diff { get; private set; }
    public string? Chart { get; private set; }
    public IReadOnlyList<RunInfo> Runs { get; private set; } = [];
    public IReadOnlyList<DatasetVersion> Versions { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }

    /// <summary>Lookups per consumer and purpose (every consumer for the owning agency, else the caller's own).</summary>
    public LookupActivityReport Lookups { get; private set; } = null!;

    /// <summary>Whether the caller may run the feed (stewards of the owning agency).</summary>
    public bool CanRun => Caller.Has(Role.Steward) && Caller.AgencyId == Dataset.Owner;

    /// <summary>Whether the caller may see the dataset's runs and feed (<see cref="DatasetOperations.CanRead"/>).</summary>
    public bool CanReadOperations => DatasetOperations.CanRead(Caller, Dataset);

    /// <summary>Loads everything the page shows (runs and the feed only to those who may read them).</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        Dataset = await registry.GetAsync(Caller, Id, cancellationToken);
        var versions = Dataset.SchemaVersions!;
        var to = To ?? versions[^1].Version;
        var from = From ?? (versions.Count > 1 ? versions[^2].Version : to);
        (From, To) = (from, to);
        Diff = LineDiff.Compute(await PrettyAsync(from, cancellationToken), await PrettyAsync(to, cancellationToken));
        if (CanReadOperations)
        {
            Runs = (await ingestion.ListRunsAsync(Caller, Id, 30, null, cancellationToken)).Items;
            Chart = QualityChart.Render([.. Runs.Reverse()], text);
        }
        Versions = [.. (await ingestion.ListVersionsAsync(Id, cancellationToken)).Take(10)];
        Lookups = await lookups.CountAsync(Caller, Id, Dataset.Owner, cancellationToken);
    }

    async Task<string> PrettyAsync(int version, CancellationToken cancellationToken)
    {
        var schema = (await registry.GetSchemaVersionAsync(Id, version, cancellationToken)).Schema ?? new JsonObject();
        return schema.ToJsonString(Pretty);
    }
}
