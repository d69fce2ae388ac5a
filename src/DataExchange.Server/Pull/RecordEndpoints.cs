using System.Buffers;
using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Pull;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;

namespace DataExchange.Server.Pull;

/// <summary>Pulling records and changes under the caller's access policy.</summary>
public static class RecordEndpoints
{
    // The streamed formats have operations of their own, so that each operation answers one media type
    // (generated clients type a JSON page and a stream differently); the lists still negotiate by Accept.
    static readonly (string Suffix, RecordFormat Format, string MediaType)[] Streams =
        [("ndjson", RecordFormat.Ndjson, "application/x-ndjson"), ("csv", RecordFormat.Csv, "text/csv")];

    const string StreamLimit = " 429 `too-many-streams` (with Retry-After) while your key (4 by default) or your agency (16) has as many streams open as it may; also 429 `quota-exceeded`.";

    /// <summary>Maps /api/v1/datasets/{id}/records, …/changes and their .ndjson and .csv streams.</summary>
    public static RouteGroupBuilder MapRecords(this RouteGroupBuilder api)
    {
        api.MapGet("/datasets/{datasetId}/records", (string datasetId, int? version, string? after, int? limit, HttpContext http, PullService pull, SnapshotReader snapshot,
                    CancellationToken ct) =>
                ReadRecordsAsync(datasetId, version, after, limit, Negotiate(http.Request), http, pull, snapshot, ct))
            .WithTags("Records").WithName("getRecords")
            .WithSummary("The snapshot at the latest (or given) version under your policy, as JSON pages (keyset cursor).")
            .WithDescription("ETag `\"<dataset>@<version>+<policy hash>\"`; `If-None-Match` answers 304. gzip with `Accept-Encoding: gzip`. 403 without an approved, unexpired subscription; "
                + "429 when the daily row quota or the rate limit is used up. The whole snapshot streams from `records.ndjson` and `records.csv`; this list also streams them to "
                + "`Accept: application/x-ndjson` or `text/csv` (or `?format=ndjson|csv`), as earlier clients ask.")
            .Produces<RecordPageBody>(200, "application/json")
            .Produces(304)
            .AllowPublic(PublicAccess.Scope.OpenRecords);
        api.MapGet("/datasets/{datasetId}/changes", (string datasetId, int? since, int? until, string? after, int? limit, HttpContext http, ChangeFeed changes, CancellationToken ct) =>
                ReadChangesAsync(datasetId, since, until, after, limit, Negotiate(http.Request), http, changes, ct))
            .WithTags("Records").WithName("getChanges")
            .WithSummary("Net inserts, updates and deletes (tombstones) between version `since` (default 0: everything) and `until` (default latest), as JSON pages ordered by key and resumable by cursor.")
            .WithDescription("The key is shaped by your policy like its key field(s) (hashed, partial) and absent when a key field is hidden or redacted. Cursors are opaque, bound to your key, "
                + "the dataset and `since`; any other answers 400 `invalid-cursor`. gzip with `Accept-Encoding: gzip`. Every change streams from `changes.ndjson` and `changes.csv` "
                + "(this list also streams them by `Accept` or `?format=`).")
            .Produces<ChangePageBody>(200, "application/json")
            .AllowPublic(PublicAccess.Scope.OpenRecords);
        api.MapGet("/datasets/{datasetId}/openapi.json", async (string datasetId, int? version, HttpContext http, RecordTypes types, CancellationToken ct) =>
            {
                var request = http.Request;
                var document = await types.DescribeRecordsAsync(http.CallerOrAnonymous(), datasetId, version, $"{request.Scheme}://{request.Host}{request.PathBase}/api/v1", ct);
                http.Response.Headers.Vary = "Authorization";
                http.Response.Headers.CacheControl = "private, no-cache";
                return Results.Text(document.ToJsonString(Json.Options), "application/json; charset=utf-8");
            })
            .WithTags("Records").WithName("getRecordTypes")
            .WithSummary("This dataset's records as an OpenAPI 3.0 document under your policy, to generate a client typed for the data: only the fields you receive (masked ones as strings), the key fields, and the record, change and lookup operations your policy allows.")
            .WithDescription("Decided like a read of the records: the same refusal (403 `subscription-required`, `subscription-pending`, `policy-expired`…, audited), except that a lookup-only "
                + "subscription gets the lookups alone. The schema is that of the latest (or given) published version. Audited `record-types-described`. "
                + "`info.version` is `<dataset>@<version>+<policy hash>`: a new approval changes it.")
            .Produces<System.Text.Json.Nodes.JsonObject>(200, "application/json")
            .AllowPublic(PublicAccess.Scope.OpenRecords);
        foreach (var (suffix, format, mediaType) in Streams)
        {
            var name = char.ToUpperInvariant(suffix[0]) + suffix[1..];
            api.MapGet($"/datasets/{{datasetId}}/records.{suffix}", (string datasetId, int? version, string? after, HttpContext http, PullService pull, SnapshotReader snapshot,
                        CancellationToken ct) =>
                    ReadRecordsAsync(datasetId, version, after, null, format, http, pull, snapshot, ct))
                .WithTags("Records").WithName($"getRecords{name}")
                .WithSummary($"The whole snapshot at the latest (or given) version under your policy, streamed as {suffix.ToUpperInvariant()}, from after the cursor when one is given.")
                .WithDescription((format == RecordFormat.Csv
                    ? "A header row of the fields your policy shows, then one row per record; text cells starting with `= + - @`, tab or CR are prefixed with `'` (formula injection). ETag and 304 as for `records`; gzip with `Accept-Encoding: gzip`."
                    : "One record object per line, shaped by your policy. ETag and 304 as for `records`; gzip with `Accept-Encoding: gzip`.") + StreamLimit)
                .Produces<string>(200, mediaType)
                .Produces(304)
                .AllowPublic(PublicAccess.Scope.OpenRecords);
            api.MapGet($"/datasets/{{datasetId}}/changes.{suffix}", (string datasetId, int? since, int? until, string? after, HttpContext http, ChangeFeed changes, CancellationToken ct) =>
                    ReadChangesAsync(datasetId, since, until, after, null, format, http, changes, ct))
                .WithTags("Records").WithName($"getChanges{name}")
                .WithSummary($"Every net change between `since` and `until`, streamed as {suffix.ToUpperInvariant()}.")
                .WithDescription((format == RecordFormat.Csv
                    ? "Columns `_op,_key,_version`, then the fields your policy shows (empty for a delete); formula cells neutralised. gzip with `Accept-Encoding: gzip`."
                    : "One change object `{op, key, version, record}` per line, as in the JSON pages. gzip with `Accept-Encoding: gzip`.") + StreamLimit)
                .Produces<string>(200, mediaType)
                .AllowPublic(PublicAccess.Scope.OpenRecords);
        }
        return api;
    }

    static async Task<IResult> ReadRecordsAsync(string datasetId, int? version, string? after, int? limit, RecordFormat fmt, HttpContext http, PullService pull, SnapshotReader snapshot,
        CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var caller = http.CallerOrAnonymous();
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
            await snapshot.StreamAsync(caller, context, fmt, afterKey, http.Response.Body, ct);
            return Results.Empty;
        }
        var page = await snapshot.ReadPageAsync(caller, context, afterKey, take, ct);
        if (page.Next is not null) http.Response.Headers.Append("Link", $"<{NextUrl(http, page.Next)}>; rel=\"next\"");
        return Body(w => w.WriteNumber("version", page.Version), page.ItemsJson, page.Next);
    }

    static async Task<IResult> ReadChangesAsync(string datasetId, int? since, int? until, string? after, int? limit, RecordFormat fmt, HttpContext http, ChangeFeed changes, CancellationToken ct)
    {
        http.Response.Headers.Vary = "Accept, Accept-Encoding";
        if (fmt != RecordFormat.Json)
        {
            http.Response.ContentType = ContentType(fmt);
            await changes.StreamChangesAsync(http.CallerOrAnonymous(), datasetId, since ?? 0, until, after, fmt, http.Response.Body, ct);
            return Results.Empty;
        }
        var page = await changes.ReadChangesAsync(http.CallerOrAnonymous(), datasetId, since ?? 0, until, after, limit, ct);
        if (page.Next is not null) http.Response.Headers.Append("Link", $"<{NextUrl(http, page.Next)}>; rel=\"next\"");
        return Body(w => { w.WriteNumber("since", page.Since); w.WriteNumber("until", page.Until); }, page.ItemsJson, page.Next);
    }

    static string ContentType(RecordFormat format) => format == RecordFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";

    // ?format= and Accept on the lists (kept for earlier clients; the document describes the .ndjson and .csv operations).
    static RecordFormat Negotiate(HttpRequest request)
    {
        if (request.Query["format"].FirstOrDefault() is { } format)
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

    // The items are already UTF-8 JSON (shaped row by row); they are spliced in between the head and the tail,
    // neither re-parsed nor copied into another buffer.
    static IResult Body(Action<Utf8JsonWriter> head, byte[] items, string? next)
    {
        var start = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(start, Json.WriterOptions))
        {
            w.WriteStartObject();
            head(w);
            w.WritePropertyName("items");
        }
        // The head ends after "items": (the writer's next raw value), the tail closes the object.
        var end = new ArrayBufferWriter<byte>(64);
        if (next is not null)
        {
            end.Write(",\"next\":"u8);
            using var w = new Utf8JsonWriter(end, Json.WriterOptions);
            w.WriteStringValue(next);
        }
        end.Write("}"u8);
        return new SplicedJson(start.WrittenMemory, items, end.WrittenMemory);
    }

    sealed class SplicedJson(ReadOnlyMemory<byte> head, byte[] items, ReadOnlyMemory<byte> tail) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = head.Length + items.Length + tail.Length;
            var body = http.Response.BodyWriter;
            body.Write(head.Span);
            body.Write(items);
            body.Write(tail.Span);
            return body.FlushAsync(http.RequestAborted).AsTask();
        }
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
