using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;

namespace DataExchange.Server.Catalogue;

/// <summary>
/// The read side of CKAN's Action API (issue 17) at /api/3/action/…, for CKAN clients and harvesters:
/// package_list, package_show, package_search, organization_list, organization_show and datastore_search,
/// by GET (query parameters) or POST (a JSON object), answered in CKAN's envelope
/// <c>{help, success, result}</c> or <c>{help, success: false, error: {__type, message}}</c>. Same keys as
/// the REST API (also CKAN's raw <c>Authorization</c> header); without a key, the public catalogue.
/// </summary>
public static class CkanEndpoints
{
    delegate Task<JsonNode?> Action(Caller caller, CkanParameters p, IServiceProvider services, string api, CancellationToken ct);

    static readonly Dictionary<string, (string Summary, Action Run)> Actions = new(StringComparer.Ordinal)
    {
        ["package_list"] = ("Dataset ids (CKAN package names) you may see; `limit`, `offset`.", PackageListAsync),
        ["package_show"] = ("One dataset as a CKAN package (`id`), with its datastore resource (the records) and stream resources.", PackageShowAsync),
        ["package_search"] = ("Search packages: `q`, `fq` (`tags:…`, `organization:…`), `rows`, `start`, `sort`, `facet.field`.", PackageSearchAsync),
        ["organization_list"] = ("Agencies as CKAN organizations (names, or dicts with `all_fields`).", OrganizationListAsync),
        ["organization_show"] = ("One agency as a CKAN organization (`id`; `include_datasets`).", OrganizationShowAsync),
        ["datastore_search"] = ("A dataset's records under your policy: `resource_id` (the dataset id), `limit`, `offset`, `filters`, `q`, `fields`, `include_total`. Audited as pulls.", DatastoreSearchAsync),
    };

    /// <summary>Maps /api/3/action/{action} for GET and POST.</summary>
    public static IEndpointRouteBuilder MapCkan(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/3/action").WithTags("CKAN").RequireRateLimiting(RateLimiting.PerClient);
        foreach (var (name, (summary, run)) in Actions)
            foreach (var method in new[] { "GET", "POST" })
                group.MapMethods("/" + name, [method], (HttpContext http, CancellationToken ct) => RunAsync(http, name, run, ct))
                    .WithSummary(summary + (method == "POST" ? " Parameters as a JSON object." : ""))
                    // No underscore in operation ids: NSwag splits an id at `_` into one client class per prefix.
                    .WithName("Ckan" + string.Concat(name.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..])) + (method == "POST" ? "Post" : ""))
                    .Produces<JsonObject>(200, "application/json")
                    .AllowPublic(PublicAccess.Scope.List);
        return app;
    }

    /// <summary>The services behind the actions.</summary>
    public static IServiceCollection AddCkan(this IServiceCollection services) => services.AddSingleton<CkanPackages>().AddSingleton<CkanDatastore>();

    static async Task<IResult> RunAsync(HttpContext http, string name, Action run, CancellationToken ct)
    {
        var request = http.Request;
        var root = $"{request.Scheme}://{request.Host}{request.PathBase}";
        var envelope = new JsonObject { ["help"] = $"{root}/api/3/action/help_show?name={name}" };
        try
        {
            var parameters = await CkanParameters.ReadAsync(request, ct);
            envelope["success"] = true;
            envelope["result"] = await run(http.CallerOrAnonymous(), parameters, http.RequestServices, root + "/api/v1", ct);
            return Results.Json(envelope, statusCode: 200);
        }
        catch (Exception e) when (Error(e) is { } error)
        {
            // A refusal the capability audited itself (a refused pull's access-denied) is not recorded again as request-refused.
            if (e is DomainException { Audited: true }) Audit.RefusalAuditMiddleware.MarkRecorded(http);
            envelope["success"] = false;
            envelope["error"] = new JsonObject { ["__type"] = error.Type, ["message"] = e.Message };
            if (e is InvalidException invalid)
                foreach (var item in invalid.Errors) envelope["error"]![item.Pointer.TrimStart('/')] = new JsonArray(item.Message);
            return Results.Json(envelope, statusCode: error.Status);
        }
    }

    // CKAN's error types and statuses (ckan/views/api.py): validation 409, authorisation 403, not found 404.
    static (string Type, int Status)? Error(Exception e) => e switch
    {
        InvalidException => ("Validation Error", 409),
        ForbiddenException => ("Authorization Error", 403),
        NotFoundException => ("Not Found Error", 404),
        LimitExceededException => ("Rate Limit", 429),
        JsonException => ("Validation Error", 409),
        _ => null,
    };

    static CkanPackages Packages(IServiceProvider s) => s.GetRequiredService<CkanPackages>();

    static async Task<Dictionary<string, string>> AgencyNamesAsync(IServiceProvider s, CancellationToken ct) =>
        await s.GetRequiredService<AgencyService>().ListAsync(ct).ToDictionaryAsync(a => a.Id, a => a.Name, StringComparer.Ordinal, ct);

    static async Task<JsonNode?> PackageListAsync(Caller caller, CkanParameters p, IServiceProvider s, string api, CancellationToken ct)
    {
        var names = (await Packages(s).VisibleAsync(caller, null, null, null, ct)).Select(d => d.Id).Skip(p.Int("offset") ?? 0);
        if (p.Int("limit") is { } limit) names = names.Take(limit);
        return new JsonArray([.. names.Select(n => (JsonNode?)JsonValue.Create(n))]);
    }

    static async Task<JsonNode?> PackageShowAsync(Caller caller, CkanParameters p, IServiceProvider s, string api, CancellationToken ct)
    {
        var id = p.Text("id") ?? p.Text("name_or_id") ?? throw Missing("id");
        var dataset = await s.GetRequiredService<DatasetRegistry>().FindAsync(id, ct);
        if (dataset is null || (caller.IsAnonymous && dataset.Classification != Classification.Public)) throw new NotFoundException("Not found: the dataset does not exist or is not visible to you.");
        return CkanPackages.Package(dataset, (await AgencyNamesAsync(s, ct)).GetValueOrDefault(dataset.Owner, dataset.Owner), api);
    }

    static async Task<JsonNode?> PackageSearchAsync(Caller caller, CkanParameters p, IServiceProvider s, string api, CancellationToken ct)
    {
        var (tags, organization) = ParseFq(p.Text("fq"));
        var q = p.Text("q") is { } text && text is not ("*:*" or "") ? text : null;
        IEnumerable<Dataset> found = await Packages(s).VisibleAsync(caller, q, tags.FirstOrDefault(), organization, ct);
        found = found.Where(d => tags.All(d.Tags.Contains));
        var sort = p.Text("sort") ?? "score desc, metadata_modified desc";
        var first = sort.Split(',')[0].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var descending = first.Length > 1 && first[1].Equals("desc", StringComparison.OrdinalIgnoreCase);
        Func<Dataset, string> key = first[0] switch
        {
            "name" or "id" => d => d.Id,
            "title_string" or "title" => d => d.Title,
            "metadata_modified" => d => CkanPackages.Time(d.PublishedAt ?? d.CreatedAt),
            "metadata_created" => d => CkanPackages.Time(d.CreatedAt),
            "score" => d => "",
            _ => throw new InvalidException("invalid-sort", $"Cannot sort by '{first[0]}'.", [new("/sort", "enum", "Sort by name, title_string, metadata_modified, metadata_created or score.")]),
        };
        var list = (descending ? found.OrderByDescending(key, StringComparer.Ordinal) : found.OrderBy(key, StringComparer.Ordinal)).ToList();
        var rows = Math.Clamp(p.Int("rows") ?? 10, 0, Paging.MaxLimit);
        var names = await AgencyNamesAsync(s, ct);
        var facets = new JsonObject();
        var searchFacets = new JsonObject();
        foreach (var field in p.List("facet.field") ?? [])
        {
            var counts = (field switch
            {
                "tags" => list.SelectMany(d => d.Tags),
                "organization" => list.Select(d => d.Owner),
                "license_id" => list.Select(d => d.Metadata?.Licence).OfType<string>(),
                "res_format" => list.SelectMany(_ => new[] { "JSON", "CSV", "NDJSON" }),
                _ => throw new InvalidException("invalid-facet", $"Cannot facet on '{field}'.", [new("/facet.field", "enum", "Facet on tags, organization, license_id or res_format.")]),
            }).GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(p.Int("facet.limit") ?? 50).ToList();
            facets[field] = new JsonObject([.. counts.Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))]);
            searchFacets[field] = new JsonObject
            {
                ["title"] = field,
                ["items"] = new JsonArray([.. counts.Select(g => (JsonNode?)new JsonObject
                {
                    ["name"] = g.Key, ["display_name"] = field == "organization" ? names.GetValueOrDefault(g.Key, g.Key) : g.Key, ["count"] = g.Count(),
                })]),
            };
        }
        return new JsonObject
        {
            ["count"] = list.Count, ["sort"] = sort, ["facets"] = facets, ["search_facets"] = searchFacets,
            ["results"] = new JsonArray([.. list.Skip(Math.Max(0, p.Int("start") ?? 0)).Take(rows).Select(d => (JsonNode?)CkanPackages.Package(d, names.GetValueOrDefault(d.Owner, d.Owner), api))]),
        };
    }

    // fq in Solr syntax, the parts CKAN clients send: tags:x, organization:y, values optionally quoted.
    static (List<string> Tags, string? Organization) ParseFq(string? fq)
    {
        var tags = new List<string>();
        string? organization = null;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(fq ?? "", "\\+?(\\w+):(\"[^\"]*\"|\\S+)"))
        {
            var value = m.Groups[2].Value.Trim('"');
            switch (m.Groups[1].Value)
            {
                case "tags": tags.Add(value); break;
                case "organization" or "owner_org": organization = value; break;
                default: throw new InvalidException("invalid-fq", $"Cannot filter on '{m.Groups[1].Value}'.", [new("/fq", "enum", "Filter on tags or organization.")]);
            }
        }
        return (tags, organization);
    }

    static async Task<JsonNode?> OrganizationListAsync(Caller caller, CkanParameters p, IServiceProvider s, string api, CancellationToken ct)
    {
        var organizations = await Packages(s).OrganizationsAsync(caller, ct);
        if (p.Text("sort")?.EndsWith("desc", StringComparison.OrdinalIgnoreCase) == true) organizations.Reverse();
        IEnumerable<JsonObject> page = organizations.Skip(p.Int("offset") ?? 0);
        if (p.Int("limit") is { } limit) page = page.Take(limit);
        return p.Bool("all_fields") == true ? new JsonArray([.. page]) : new JsonArray([.. page.Select(o => (JsonNode?)JsonValue.Create(o["name"]!.GetValue<string>()))]);
    }

    static async Task<JsonNode?> OrganizationShowAsync(Caller caller, CkanParameters p, IServiceProvider s, string api, CancellationToken ct)
    {
        var id = p.Text("id") ?? throw Missing("id");
        var organization = (await Packages(s).OrganizationsAsync(caller, ct)).FirstOrDefault(o => o["id"]!.GetValue<string>() == id)
            ?? throw new NotFoundException("Not found: the organization does not exist or is not visible to you.");
        if (p.Bool("include_datasets") == true)
        {
            var names = await AgencyNamesAsync(s, ct);
            organization["packages"] = new JsonArray([.. (await Packages(s).VisibleAsync(caller, null, null, id, ct)).Select(d => (JsonNode?)CkanPackages.Package(d, names[d.Owner], api))]);
        }
        return organization;
    }

    static async Task<JsonNode?> DatastoreSearchAsync(Caller caller, CkanParameters p, IServiceProvider s, string api, CancellationToken ct) =>
        await s.GetRequiredService<CkanDatastore>().SearchAsync(caller, p, ct);

    static InvalidException Missing(string name) => new("missing-parameter", $"{name} is required.", [new("/" + name, "required", $"Missing value: give {name}.")]);
}
