using DataExchange.Core.Audit;
using DataExchange.Core.Common;
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
            return TypedResults.Ok(new Page<EntryBody>(page.Items.Select(EntryBody.From).ToList(), page.Next).ToBody(http));
        }).WithSummary("Search the audit trail (auditors; an agency's auditors see their agency's entries).");

        group.MapGet("/entries/export", async (string? format, string? action, string? dataset, string? agency, string? client, string? outcome,
            DateTimeOffset? from, DateTimeOffset? to, HttpContext http, AuditService audit, AuditCheckpoints checkpoints, CancellationToken ct) =>
        {
            if (format is not (null or "ndjson" or "csv"))
                throw new InvalidException("invalid-format", "format must be ndjson or csv.", [new("/format", "enum", "Use ndjson or csv.")]);
            var caller = http.Caller();
            var query = new AuditQuery(action, dataset, agency, client, outcome, from, to);
            var entries = audit.Export(caller, query, ct);
            if (format == "csv")
            {
                http.Response.ContentType = "text/csv; charset=utf-8";
                await AuditExportWriter.WriteCsvAsync(http.Response.Body, entries, ct);
                return;
            }
            // Only an export of the whole log can be checked against a checkpoint, so only it carries one:
            // the newest, taken before the entries are read (AuditCheckpoints.ForExportAsync).
            var checkpoint = caller.IsOperator && AuditService.IsWholeLog(query) ? await checkpoints.ForExportAsync(ct) : null;
            http.Response.ContentType = "application/x-ndjson";
            await AuditExportWriter.WriteNdjsonAsync(http.Response.BodyWriter, entries, checkpoint, ct);
        }).WithSummary("Stream matching entries as NDJSON (default; a whole-log export ends with the newest signed checkpoint, of its head when this node can sign) or CSV.")
          .Produces<string>(200, "application/x-ndjson", "text/csv");

        group.MapPost("/verification", async (HttpContext http, AuditService audit, CancellationToken ct) =>
            TypedResults.Ok(await audit.VerifyAsync(http.Caller(), ct)))
            .WithSummary("Recompute the hash chain, hold it against every signed checkpoint, and name the first bad position (exchange auditors).");

        group.MapGet("/checkpoints", async (int? limit, string? after, HttpContext http, AuditCheckpoints checkpoints, CancellationToken ct) =>
        {
            var page = await checkpoints.ListAsync(http.Caller(), limit, after, ct);
            return TypedResults.Ok(new Page<CheckpointBody>(page.Items.Select(CheckpointBody.From).ToList(), page.Next).ToBody(http));
        }).WithSummary("Signed checkpoints, newest first (auditors).");

        group.MapGet("/entries/{seq:long}/inclusion", async (long seq, long? treeSize, HttpContext http, AuditProofs proofs, CancellationToken ct) =>
            TypedResults.Ok(InclusionBody.From(await proofs.InclusionAsync(http.Caller(), seq, treeSize, ct))))
            .WithSummary("RFC 9162 inclusion proof of an entry in the tree of treeSize entries (default: the latest checkpoint).");

        group.MapGet("/consistency", async (long? from, long? to, HttpContext http, AuditProofs proofs, CancellationToken ct) =>
            TypedResults.Ok(ConsistencyBody.Of(await proofs.ConsistencyAsync(http.Caller(), from, to, ct))))
            .WithSummary("RFC 9162 consistency proof that the tree of 'from' entries is a prefix of the tree of 'to' entries.");
        return api;
    }

    /// <summary>
    /// GET /.well-known/dataexchange/audit-key, anonymous: the public key anyone may use to check
    /// checkpoints. Auditors should pin it (keep a copy) rather than fetch it at every check.
    /// </summary>
    public static void MapAuditKey(this WebApplication app) =>
        app.MapGet("/.well-known/dataexchange/audit-key", (AuditSigningKey key) => TypedResults.Ok(new AuditKeyBody(key.KeyId, "ECDSA P-256 SHA-256", key.PublicKeyPem)))
            .AllowAnonymous().WithTags("Audit").WithName("getAuditKey").WithSummary("The public key that signs audit checkpoints (SPKI PEM) and its key id.");
}
