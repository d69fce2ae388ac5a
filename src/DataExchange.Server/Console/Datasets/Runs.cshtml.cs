using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Ingestion;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Datasets;

/// <summary>A dataset's runs with status, timings and counts, "run now" for the owner's stewards, and release/discard of held runs.</summary>
public sealed class RunsModel(DatasetRegistry registry, IngestionService ingestion, HeldRunService held) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? After { get; set; }
    [BindProperty(SupportsGet = true)] public string? Queued { get; set; }
    [BindProperty(SupportsGet = true)] public long? Released { get; set; }
    [BindProperty(SupportsGet = true)] public long? Discarded { get; set; }
    [BindProperty(SupportsGet = true)] public int? Version { get; set; }

    /// <summary>The held run just released or discarded, as (English text with {0} and {1}, run, version); null when none.</summary>
    public (string Text, long Run, int? Version)? Decided =>
        Released is { } r ? ("Run {0} released as version {1}.", r, Version) : Discarded is { } d ? ("Run {0} discarded; nothing was published.", d, null) : null;

    public Dataset Dataset { get; private set; } = null!;
    public Page<RunInfo> Runs { get; private set; } = new([], null);

    /// <summary>Whether the caller manages the feed (stewards of the owning agency).</summary>
    public bool IsOwnerSteward => Caller.Has(Role.Steward) && Caller.AgencyId == Dataset.Owner;

    /// <summary>Whether the caller may release or discard held runs (the owner's stewards and admins, the operator's admins).</summary>
    public bool MayDecide => IsOwnerSteward || (Caller.Has(Role.Admin) && (Caller.AgencyId == Dataset.Owner || Caller.IsOperator));

    /// <summary>Lists runs, newest first (the capability refuses, 403 and audited, all but the owner's stewards, admins and auditors and the operator's).</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Dataset = await registry.FindAsync(Id, cancellationToken) ?? throw new NotFoundException($"Dataset '{Id}' does not exist.");
        Runs = await ingestion.ListRunsAsync(Caller, Id, 50, string.IsNullOrEmpty(After) ? null : After, cancellationToken);
    }

    /// <summary>"Run now": queues a run (the capability refuses anyone but the owner's stewards).</summary>
    public async Task<IActionResult> OnPostRunAsync(CancellationToken cancellationToken)
    {
        var run = await ingestion.RunNowAsync(Caller, Id, cancellationToken);
        return Redirect($"/console/datasets/{Uri.EscapeDataString(Id)}/runs?queued={run.Id}");
    }

    /// <summary>Releases a held run: publishes exactly what it staged (the capability refuses, and audits, anyone else or a stale run).</summary>
    public async Task<IActionResult> OnPostReleaseAsync(long runId, CancellationToken cancellationToken)
    {
        var run = await held.ReleaseAsync(Caller, Id, runId, cancellationToken);
        return Redirect($"/console/datasets/{Uri.EscapeDataString(Id)}/runs?released={run.Id}&version={run.PublishedVersion}");
    }

    /// <summary>Discards a held run: nothing is published.</summary>
    public async Task<IActionResult> OnPostDiscardAsync(long runId, CancellationToken cancellationToken)
    {
        var run = await held.DiscardAsync(Caller, Id, runId, cancellationToken);
        return Redirect($"/console/datasets/{Uri.EscapeDataString(Id)}/runs?discarded={run.Id}");
    }
}
