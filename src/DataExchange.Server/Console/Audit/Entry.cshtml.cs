using System.Globalization;
using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Audit;

/// <summary>One audit entry with its details and hashes, read through the same visibility rule as the search.</summary>
public sealed class EntryModel(AuditService audit) : ConsolePage
{
    static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = Core.Common.MinimalJsonEncoder.Instance };

    [BindProperty(SupportsGet = true)] public long Seq { get; set; }

    public AuditEntry Entry { get; private set; } = null!;

    /// <summary>The details, pretty-printed.</summary>
    public string Details => Entry.Details.ToJsonString(Pretty);

    /// <summary>Loads the entry; 404 when it does not exist or is not the caller's to see.</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var after = Paging.Encode((Seq - 1).ToString(CultureInfo.InvariantCulture));
        var page = await audit.SearchAsync(Caller, new AuditQuery(Limit: 1, After: after), cancellationToken);
        Entry = page.Items.FirstOrDefault(e => e.Seq == Seq) ?? throw new NotFoundException($"Audit entry {Seq} does not exist.");
    }
}
