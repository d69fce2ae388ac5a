using DataExchange.Core.Catalogue;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console;

/// <summary>The catalogue, searchable by text, owner, tag and classification (every signed-in agency sees it).</summary>
public sealed class CatalogueModel(CatalogueService catalogue, TimeProvider time) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    [BindProperty(SupportsGet = true)] public string? Tag { get; set; }
    [BindProperty(SupportsGet = true)] public string? Classification { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    /// <summary>The matching page.</summary>
    public Page<Dataset> Results { get; private set; } = new([], null);

    /// <summary>Now, for freshness.</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>Searches.</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        Results = await catalogue.SearchAsync(new CatalogueQuery(Q, Blank(Owner), Blank(Tag), Blank(Classification), 50, Blank(After)), cancellationToken);
    }

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
