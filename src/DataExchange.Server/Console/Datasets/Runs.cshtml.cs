using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Ingestion;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Datasets;

/// <summary>A dataset's runs with status, timings and counts, and "run now" for the owner's stewards.</summary>
public sealed class RunsModel(DatasetRegistry registry, IngestionService ingestion) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? After { get; set; }
    [BindProperty(SupportsGet = true)] public string? Queued { get; set; }

    public Dataset Dataset { get; private set; } = null!;
    public Page<RunInfo> Runs { get; private set; } = new([], null);

    /// <summary>Whether the caller manages the feed (stewards of the owning agency).</summary>
    public bool IsOwnerSteward => Caller.Has(Role.Steward) && Caller.AgencyId == Dataset.Owner;

    /// <summary>Lists runs, newest first.</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Dataset = await registry.FindAsync(Id, cancellationToken) ?? throw new NotFoundException($"Dataset '{Id}' does not exist.");
        Runs = await ingestion.ListRunsAsync(Id, 50, string.IsNullOrEmpty(After) ? null : After, cancellationToken);
    }

    /// <summary>"Run now": queues a run (the capability refuses anyone but the owner's stewards).</summary>
    public async Task<IActionResult> OnPostRunAsync(CancellationToken cancellationToken)
    {
        var run = await ingestion.RunNowAsync(Caller, Id, cancellationToken);
        return Redirect($"/console/datasets/{Uri.EscapeDataString(Id)}/runs?queued={run.Id}");
    }
}
