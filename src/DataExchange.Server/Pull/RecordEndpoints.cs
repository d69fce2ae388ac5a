using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Pull;
using DataExchange.Server.Agencies;

namespace DataExchange.Server.Pull;

/// <summary>Pulling records and changes under the caller's access policy.</summary>
public static class RecordEndpoints
{
    /// <summary>Maps /api/v1/datasets/{id}/records and …/changes.</summary>
    public static RouteGroupBuilder MapRecords(this RouteGroupBuilder api)
    {
        api.MapGet("/datasets/{datasetId}/records", ReadRecordsAsync).WithTags("Records").WithName("getRecords")
            .WithSummary("The snapshot at the latest (or given) version under your policy: JSON pages (keyset cursor), or the whole snapshot streamed as NDJSON or CSV.")
            .WithDescription("Format by `Accept` (application/json, application/x-ndjson, text/csv) or `?format=`. `limit` pages JSON only; NDJSON and CSV stream every row after the cursor. "
                + "ETag `\"<dataset>@<version>+<policy hash>\"`; `If-None-Match` answers 304. gzip with `Accept-Encoding: gzip`. 403 without an approved, unexpired subscription; 429 when the daily row quota or the rate limit is used up.")
            .Produces<RecordPageBody>(200, "application/json", "application/x-ndjson", "text/csv")
            .Produces(304);
        api.MapGet("/datasets/{datasetId}/changes", ReadChangesAsync).WithTags("Records").WithName("getChanges")
            .WithSummary("Net inserts, updates and deletes (tombstones) between version `since` (default 0: everything) and `until` (default latest), ordered by key and resumable by cursor.")
            .WithDescription("Format by `Accept` (application/json, application/x-ndjson, text/csv) or `?format=`. JSON is paged by `limit`; NDJSON (one change object per line) and CSV "
                + "(columns `_op,_key,_version`, then the fields your policy shows, empty for a delete; formula cells neutralised) stream every change after the cursor. gzip with `Accept-Encoding: gzip`. "
                + "The key is shaped by your policy like its key field(s) (hashed, partial) and absent when a key field is hidden or redacted. Cursors are opaque, bound to your key, the dataset and `since`; any other answers 400 `invalid-cursor`.")
            .Produces<ChangePageBody>(200, "application/json", "application/x-ndjson", "text/csv");
        return api;
    }

    static async Task<IResult> ReadRecordsAsync(string datasetId, int? version, string? after, int? limit, string? format, HttpContext http, PullService pull, CancellationToken ct)
    {
        var fmt = Negotiate(format, http.Request);
        var take = Paging.Limit(limit);
        var caller = http.Caller();
        var (context, afterKey) = await pull.OpenRecordsAsync(caller, datasetId, version, after, ct);
        http.Response.Headers.ETag = context.ETag;
        http.Response.Headers.Vary = "Accept, Accept-Encoding";
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Select(s => s.Trim()).Contains(context.ETag)))
        {
            await pull.RecordPullAsync(caller, context, AuditAction.RecordsPulled, 0, fmt.ToString().ToLowerInvariant(), new() { ["notModified"] = true });
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        if (fmt != RecordFormat.Json)
        {
            http.Response.ContentType = ContentType(fmt);
            await pull.StreamAsync(caller, context, fmt, afterKey, http.Response.Body, ct);
            return Results.Empty;
        }
        var page = await pull.ReadPageAsync(caller, context, afterKey, take, ct);
        if (page.Next is not null) http.Response.Headers.Append("Link", $"<{NextUrl(http, page.Next)}>; rel=\"next\"");
        return Results.Bytes(Body(w => w.WriteNumber("version", page.Version), page.ItemsJson, page.Next), "application/json");
    }

    static async Task<IResult> ReadChangesAsync(string datasetId, int? since, int? until, string? after, int? limit, string? format, HttpContext http, PullService pull, CancellationToken ct)
    {
        var fmt = Negotiate(format, http.Request);
        http.Response.Headers.Vary = "Accept, Accept-Encoding";
        if (fmt != RecordFormat.Json)
        {
            http.Response.ContentType = ContentType(fmt);
            await pull.StreamChangesAsync(http.Caller(), datasetId, since ?? 0, until, after, fmt, http.Response.Body, ct);
            return Results.Empty;
        }
        var page = await pull.ReadChangesAsync(http.Caller(), datasetId, since ?? 0, until, after, limit, ct);
        if (page.Next is not null) http.Response.Headers.Append("Link", $"<{NextUrl(http, page.Next)}>; rel=\"next\"");
        return Results.Bytes(Body(w => { w.WriteNumber("since", page.Since); w.WriteNumber("until", page.Until); }, page.ItemsJson, page.Next), "application/json");
    }

    static string ContentType(RecordFormat format) => format == RecordFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";

    static RecordFormat Negotiate(string? format, HttpRequest request)
    {
        if (format is not null)
            return format.ToLowerInvariant() switch
            {
                "json" => RecordFormat.Json,
                "ndjson" => RecordFormat.Ndjson,
                "csv" => RecordFormat.Csv,
                _ => throw new InvalidException("invalid-format", "format is json, ndjson or csv.", [new("/format", "enum", "Use json, ndjson or csv.")]),
            };
        var accept = request.GetTypedHeaders().Accept;
        foreach (var media in accept.OrderByDescending(a => a.Quality ?? 1))
        {
            if (media.MediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)) return RecordFormat.Ndjson;
            if (media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)) return RecordFormat.Csv;
            if (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)) return RecordFormat.Json;
        }
        return RecordFormat.Json;
    }

    // The items are already UTF-8 JSON (shaped row by row); they are spliced in, not re-parsed.
    static byte[] Body(Action<Utf8JsonWriter> head, byte[] items, string? next)
    {
        using var buffer = new MemoryStream(items.Length + 256);
        using (var w = new Utf8JsonWriter(buffer, Json.WriterOptions))
        {
            w.WriteStartObject();
            head(w);
            w.WritePropertyName("items");
            w.WriteRawValue(items, skipInputValidation: true);
            if (next is not null) w.WriteString("next", next);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    static string NextUrl(HttpContext http, string next)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(http.Request.QueryString.Value);
        var pairs = query.Where(q => q.Key != "after").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))).Append(new("after", next));
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(http.Request.Path, pairs);
    }
}

/// <summary>A JSON page of records (documentation shape).</summary>
public sealed record RecordPageBody(int Version, IReadOnlyList<Dictionary<string, object?>> Items, string? Next);

/// <summary>
/// One change: op insert|update|delete, the key as the policy shows it (absent when a key field is hidden
/// or redacted), the version it happened in, the record (absent for deletes).
/// </summary>
public sealed record ChangeItem(string Op, string? Key, int Version, Dictionary<string, object?>? Record);

/// <summary>A page of the change feed (documentation shape).</summary>
public sealed record ChangePageBody(int Since, int Until, IReadOnlyList<ChangeItem> Items, string? Next);
