using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Lookup;
using DataExchange.Server.Agencies;
using DataExchange.Server.Audit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Lookup;

/// <summary>Once-only lookups (issue 16): one record by key, a batch of keys, a subject's access report, the evidence key.</summary>
public static class LookupEndpoints
{
    /// <summary>The purpose of a lookup (percent-encoded UTF-8 when it is not ASCII).</summary>
    public const string PurposeHeader = "Dx-Purpose";

    /// <summary>The case or procedure a lookup serves (percent-encoded UTF-8 when it is not ASCII).</summary>
    public const string CaseRefHeader = "Dx-Case-Ref";

    /// <summary>The media type of a compact JWS (RFC 7515).</summary>
    public const string Jose = "application/jose";

    /// <summary>Maps …/records/{key}, …/lookups and …/subjects/access-report.</summary>
    public static RouteGroupBuilder MapLookups(this RouteGroupBuilder api)
    {
        api.MapGet("/datasets/{datasetId}/records/{key}", LookupOneAsync)
            .WithTags("Lookup").WithName("getRecord")
            .WithSummary("One record by its key, under your subscription's policy, for a purpose it was approved for (header Dx-Purpose; optional Dx-Case-Ref).")
            .WithDescription("The key is the value of the dataset's key field; a composite key's values are each percent-encoded and joined by `,` in key order "
                + "(a literal comma separates, `%2C` is a comma inside a value). 404 `record-not-found` when there is no record you may see at that version — a record "
                + "your policy's row filters hide answers exactly like an absent one. `Accept: application/jose` or `?evidence=true` answers a compact JWS (ES256) "
                + "signed with the key at /.well-known/dataexchange/evidence-key, also for not found (proof of absence). Every lookup is audited with the key as a "
                + "keyed hash, and charges one row to the daily quota. 403 `purpose-not-approved`, `lookup-not-approved`; 429 `quota-exceeded`.")
            .Produces<LookupBody>(200, "application/json")
            .Produces<string>(200, Jose);
        api.MapPost("/datasets/{datasetId}/lookups", LookupManyAsync)
            .WithTags("Lookup").WithName("postLookups")
            .WithSummary("Up to 1,000 records by key in one request; answers in the order asked, each found or not.")
            .WithDescription("Each key is a string, or an array of strings for a composite key (values in key order). `purpose` (or header Dx-Purpose) is required; "
                + "`evidence: true` adds a signed compact JWS to every answer. One row per key is charged to the daily quota; a batch that does not fit answers 429 as a whole.")
            .Produces<LookupBatchBody>(200, "application/json");
        api.MapGet("/datasets/{datasetId}/subjects/access-report", async (string datasetId, [FromQuery(Name = "key")] string[]? key, int? limit, string? after, HttpContext http,
                SubjectReports reports, CancellationToken ct) => TypedResults.Ok(await reports.ReportAsync(http.Caller(), datasetId, key ?? [], limit, after, ct)))
            .WithTags("Lookup").WithName("getSubjectAccessReport")
            .WithSummary("Who looked up one subject (a key of the dataset), when, why and with what outcome — the report a citizen may ask for (owner stewards, auditors; audited).")
            .WithDescription("`key` once per key field, in key order (`?key=Guangzhou&key=7` for a two-field key). The log holds the key only as a keyed hash, "
                + "which the report is found by; an agency's auditors see their own agency's lookups, the owning agency and the exchange's auditors all of them.");
        return api;
    }

    /// <summary>GET /.well-known/dataexchange/evidence-key, anonymous: the public key that signs lookup evidence, as PEM and JWK.</summary>
    public static void MapEvidenceKey(this WebApplication app) =>
        app.MapGet("/.well-known/dataexchange/evidence-key", (EvidenceSigner signer) =>
                TypedResults.Ok(new EvidenceKeyBody(signer.KeyId, "ES256", signer.PublicKeyPem, signer.Jwk())))
            .AllowAnonymous().WithTags("Lookup").WithName("getEvidenceKey")
            .WithSummary("The public key that signs lookup evidence (ES256): SPKI PEM, JWK and key id. Keep a copy to verify evidence offline.");

    // `key` is bound so that the document declares the path's {key} parameter; the value used is read from the raw path
    // (RawKey), because routing has already decoded %2C, which would make a comma inside a value a separator.
    static async Task<IResult> LookupOneAsync(string datasetId, string key, int? version, bool? evidence, [FromHeader(Name = PurposeHeader)] string? purpose,
        [FromHeader(Name = CaseRefHeader)] string? caseRef, HttpContext http, LookupService lookups, CancellationToken ct)
    {
        var signed = evidence == true || http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(Jose, StringComparison.OrdinalIgnoreCase));
        var request = new LookupRequest(RawKey(http), null, Decoded(purpose), Decoded(caseRef), version, signed);
        var answer = await lookups.LookupAsync(http.Caller(), datasetId, request, ct);
        var item = answer.Items[0];
        http.Response.Headers.CacheControl = "no-store";
        if (signed)
        {
            // The lookup's own entry recorded the not-found: no request-refused besides.
            if (!item.Found) RefusalAuditMiddleware.MarkRecorded(http);
            return Results.Text(item.Evidence, Jose, statusCode: item.Found ? 200 : 404);
        }
        if (!item.Found)
        {
            // The lookup's own entry recorded the not-found; answered as ProblemMapping answers a NotFoundException, without throwing one per absent key.
            RefusalAuditMiddleware.MarkRecorded(http);
            return Results.Problem(detail: $"No record with this key that you may see at version {answer.Version} of '{datasetId}'.", statusCode: 404, title: "Not found",
                type: "urn:dataexchange:problem:record-not-found");
        }
        return Results.Bytes(Write(w =>
        {
            w.WriteString("datasetId", answer.DatasetId);
            w.WriteNumber("version", answer.Version);
            WriteItem(w, item);
        }), "application/json");
    }

    static async Task<IResult> LookupManyAsync(string datasetId, LookupBatchRequest body, [FromHeader(Name = PurposeHeader)] string? purpose,
        [FromHeader(Name = CaseRefHeader)] string? caseRef, HttpContext http, LookupService lookups, CancellationToken ct)
    {
        var request = new LookupRequest(null, body.Keys, body.Purpose ?? Decoded(purpose), body.CaseRef ?? Decoded(caseRef), body.Version, body.Evidence == true);
        var answer = await lookups.LookupAsync(http.Caller(), datasetId, request, ct);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Bytes(Write(w =>
        {
            w.WriteString("datasetId", answer.DatasetId);
            w.WriteNumber("version", answer.Version);
            w.WriteStartArray("items");
            foreach (var item in answer.Items)
            {
                w.WriteStartObject();
                WriteItem(w, item);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }), "application/json");
    }

    // The shaped record is already UTF-8 JSON: spliced in, not re-parsed.
    static void WriteItem(Utf8JsonWriter w, LookupItem item)
    {
        w.WriteBoolean("found", item.Found);
        if (item.Key is not null) w.WriteString("key", item.Key);
        if (item.Record is not null)
        {
            w.WritePropertyName("record");
            w.WriteRawValue(item.Record, skipInputValidation: true);
        }
        if (item.Evidence is not null) w.WriteString("evidence", item.Evidence);
    }

    static byte[] Write(Action<Utf8JsonWriter> members) => JsonScratch.Api.ToArray(members, static (w, members) =>
    {
        w.WriteStartObject();
        members(w);
        w.WriteEndObject();
    });

    /// <summary>
    /// The key segment as sent, still percent-encoded (the server decodes the path, and a decoded <c>%2C</c>
    /// could not be told from the separating comma): the last segment of the request target's path.
    /// </summary>
    static string RawKey(HttpContext http)
    {
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw : http.Request.Path.ToUriComponent();
        var path = target.Split('?', 2)[0];
        return path[(path.LastIndexOf('/') + 1)..];
    }

    // Header values are ASCII: a purpose in other scripts is sent percent-encoded (UTF-8).
    static string? Decoded(string? header) => header is null ? null : Uri.UnescapeDataString(header);
}

/// <summary>A lookup's answer (documentation shape): the record as your policy shows it, and its key when the policy shows the key.</summary>
public sealed record LookupBody(string DatasetId, int Version, bool Found, string? Key, Dictionary<string, object?> Record);

/// <summary>One answer of a batch (documentation shape): found or not; the key and record when found; the compact JWS when evidence was asked for.</summary>
public sealed record LookupBatchItem(bool Found, string? Key, Dictionary<string, object?>? Record, string? Evidence);

/// <summary>A batch's answers, in the order the keys were asked (documentation shape).</summary>
public sealed record LookupBatchBody(string DatasetId, int Version, IReadOnlyList<LookupBatchItem> Items);

/// <summary>The evidence key: key id, algorithm, SPKI PEM and JWK.</summary>
public sealed record EvidenceKeyBody(string KeyId, string Algorithm, string PublicKeyPem, System.Text.Json.Nodes.JsonObject Jwk);
