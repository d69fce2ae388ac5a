using DataExchange.Core.Audit;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;

namespace DataExchange.Server.Audit;

/// <summary>The audit trail for auditors.</summary>
public static class AuditEndpoints
{
    /// <summary>An entry as the API shows it: hashes in hex.</summary>
    public sealed record EntryBody(long Seq, DateTimeOffset At, string? ActorAgency, string? ActorClient, string Action, string? Target,
        string? DatasetId, string Outcome, System.Text.Json.Nodes.JsonObject Details, string PrevHash, string Hash)
    {
        internal static EntryBody From(AuditEntry e) => new(e.Seq, e.At, e.ActorAgency, e.ActorClient, e.Action, e.Target, e.DatasetId, e.Outcome,
            e.Details, Convert.ToHexStringLower(e.PrevHash), Convert.ToHexStringLower(e.Hash));
    }

    /// <summary>Maps /api/v1/audit….</summary>
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/audit").WithTags("Audit");
        group.MapGet("/entries", async (string? action, string? dataset, string? agency, string? client, string? outcome, DateTimeOffset? from, DateTimeOffset? to,
            int? limit, string? after, HttpContext http, AuditService audit, CancellationToken ct) =>
        {
            var page = await audit.SearchAsync(http.Caller(), new AuditQuery(action, dataset, agency, client, outcome, from, to, limit, after), ct);
            return TypedResults.Ok(new DataExchange.Core.Common.Page<EntryBody>(page.Items.Select(EntryBody.From).ToList(), page.Next).ToBody(http));
        }).WithSummary("Search the audit trail (auditors; an agency's auditors see their agency's entries).");

        group.MapPost("/verification", async (HttpContext http, AuditService audit, CancellationToken ct) =>
            TypedResults.Ok(await audit.VerifyAsync(http.Caller(), ct)))
            .WithSummary("Recompute the hash chain and name the first bad position (exchange auditors).");
        return api;
    }
}
