using DataExchange.Core.Common;
using DataExchange.Core.Ingestion;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Datasets;

/// <summary>A run's quarantined records with their errors (stewards of the owner: raw rows may hold personal data).</summary>
public sealed class RejectedModel(IngestionService ingestion) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty(SupportsGet = true)] public long RunId { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    public Page<RejectedRecord> Records { get; private set; } = new([], null);

    /// <summary>Loads a page of rejected records.</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Records = await ingestion.ListRejectedAsync(Caller, Id, RunId, 100, string.IsNullOrEmpty(After) ? null : After, cancellationToken);
}
