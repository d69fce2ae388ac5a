using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using Npgsql;

namespace DataExchange.Core.Catalogue;

/// <summary>One page of the DCAT catalogue: its graph, the cursor of the next page (null on the last) and the datasets in all pages.</summary>
public sealed record DcatPage(Rdf Graph, string? Next, long Total);

/// <summary>
/// The catalogue as DCAT-AP 3 (issue 17): a dcat:Catalog published by the exchange operator, one
/// dcat:Dataset per dataset the caller may see (anonymous callers: the public ones), with its agency as
/// publisher, the steward's metadata (licence, contact point, themes, coverage), keywords from tags,
/// accrual periodicity from the feed's cron, issued/modified from the published versions, conformsTo the
/// latest schema version, and the records endpoints as distributions. Validated against the official
/// DCAT-AP 3.0.0 SHACL shapes by the tests.
/// </summary>
public sealed class DcatCatalogue(NpgsqlDataSource dataSource)
{
    const string Eu = "http://publications.europa.eu/resource/authority/";

    // A page of datasets in id order (keyset: after the cursor's id), one more than asked to know whether another follows.
    const string ExtraSql = """
        select d.id, a.name, f.cron, (select min(published_at) from dx.dataset_versions v where v.dataset_id = d.id)
        from dx.datasets d join dx.agencies a on a.id = d.owner_agency_id left join dx.feeds f on f.dataset_id = d.id
        where ($1::text is null or d.id = $1) and (not $2 or d.classification = 'public') and ($3::text is null or d.id > $3)
        order by d.id limit $4
        """;

    const string CountSql = "select count(*) from dx.datasets d where not $1 or d.classification = 'public'";

    /// <summary>
    /// One dataset as DCAT-AP at <paramref name="baseUrl"/> (the API's scheme, host and path base), in its catalogue;
    /// 404 when unknown or not visible.
    /// </summary>
    public async Task<Rdf> BuildAsync(string baseUrl, bool publicOnly, string datasetId, CancellationToken cancellationToken = default) =>
        (await BuildAsync(baseUrl, publicOnly, datasetId, 1, null, cancellationToken)).Graph;

    /// <summary>
    /// One page of the catalogue (<paramref name="limit"/> datasets, default 100, at most 1,000, after the cursor
    /// <paramref name="after"/>), paged as DCAT-AP harvesters expect (ckanext-dcat, data.europa.eu): the page is a
    /// <c>hydra:PagedCollection</c> with <c>hydra:totalItems</c>, <c>hydra:itemsPerPage</c>, <c>hydra:firstPage</c>
    /// and, unless it is the last, <c>hydra:nextPage</c> (page URLs as literals, like ckanext-dcat writes them).
    /// </summary>
    public async Task<DcatPage> BuildPageAsync(string baseUrl, bool publicOnly, int? limit, string? after, CancellationToken cancellationToken = default)
    {
        var take = Paging.Limit(limit);
        var page = await BuildAsync(baseUrl, publicOnly, null, take, Paging.Decode(after), cancellationToken);
        long total;
        await using (var cmd = Db.Command(dataSource, CountSql, publicOnly))
            total = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        var catalogue = baseUrl.TrimEnd('/') + "/api/v1/catalogue/dcat";
        string Url(string? cursor) => $"{catalogue}?limit={take}" + (cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor));
        var node = RdfTerm.Iri(Url(after));
        page.Graph.Is(node, "hydra:PagedCollection")
            .Add(node, "hydra:totalItems", RdfTerm.Typed(total.ToString(System.Globalization.CultureInfo.InvariantCulture), Rdf.Xsd + "integer"))
            .Add(node, "hydra:itemsPerPage", RdfTerm.Typed(take.ToString(System.Globalization.CultureInfo.InvariantCulture), Rdf.Xsd + "integer"))
            .Add(node, "hydra:firstPage", RdfTerm.Text(Url(null)));
        if (page.Next is { } next) page.Graph.Add(node, "hydra:nextPage", RdfTerm.Text(Url(next)));
        return page with { Total = total };
    }

    async Task<DcatPage> BuildAsync(string baseUrl, bool publicOnly, string? datasetId, int take, string? afterId, CancellationToken cancellationToken)
    {
        var extras = new Dictionary<string, (string Agency, string? Cron, DateTimeOffset? Issued)>(StringComparer.Ordinal);
        string? next = null, last = null;
        await using (var cmd = Db.Command(dataSource, ExtraSql, Db.Typed(datasetId), publicOnly, Db.Typed(afterId), take + 1))
        {
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                if (extras.Count == take)
                {
                    next = Paging.Encode(last!);
                    break;
                }
                last = r.GetString(0);
                extras[last] = (r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetNullable<DateTimeOffset>(3));
            }
        }
        if (datasetId is not null && extras.Count == 0) throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
        var datasets = new List<Dataset>();
        await using (var cmd = Db.Command(dataSource, DatasetSql.Select + " where d.id = any($1) order by d.id", (object)extras.Keys.ToArray()))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) datasets.Add(DatasetSql.Read(r));

        var rdf = new Rdf();
        var api = baseUrl.TrimEnd('/') + "/api/v1";
        var catalogue = RdfTerm.Iri(api + "/catalogue/dcat");
        rdf.Is(catalogue, "dcat:Catalog")
            .Add(catalogue, "dct:title", RdfTerm.Text("DataExchange catalogue"))
            .Add(catalogue, "dct:description", RdfTerm.Text("Datasets that government agencies share through this exchange; their records are read under access policies."))
            .Add(catalogue, "dct:publisher", Agent(rdf, api, Caller.OperatorAgency, "Exchange operator"))
            .Add(catalogue, "foaf:homepage", Concept(rdf, api + "/datasets", "foaf:Document"));
        foreach (var dataset in datasets)
            rdf.Add(catalogue, "dcat:dataset", Describe(rdf, api, dataset, extras[dataset.Id]));
        return new DcatPage(rdf, next, extras.Count);
    }

    static RdfTerm Agent(Rdf rdf, string api, string id, string name)
    {
        var agent = RdfTerm.Iri($"{api}/agencies/{id}");
        rdf.Is(agent, "foaf:Agent").Add(agent, "foaf:name", RdfTerm.Text(name)).Add(agent, "dct:identifier", RdfTerm.Text(id));
        return agent;
    }

    static RdfTerm Describe(Rdf rdf, string api, Dataset d, (string Agency, string? Cron, DateTimeOffset? Issued) extra)
    {
        var node = RdfTerm.Iri($"{api}/datasets/{d.Id}");
        var meta = d.Metadata ?? new DatasetMetadata();
        rdf.Is(node, "dcat:Dataset")
            .Add(node, "dct:identifier", RdfTerm.Text(d.Id))
            .Add(node, "dct:title", RdfTerm.Text(d.Title))
            .Add(node, "dct:description", RdfTerm.Text(d.Description.Length > 0 ? d.Description : d.Title))
            .Add(node, "dct:publisher", Agent(rdf, api, d.Owner, extra.Agency))
            .Add(node, "dct:issued", RdfTerm.DateTime(extra.Issued ?? d.CreatedAt))
            .Add(node, "dct:accessRights", Concept(rdf, Eu + "access-right/" + (d.IsOpen ? "PUBLIC" : d.Classification == Classification.Public ? "RESTRICTED" : "NON_PUBLIC"), "dct:RightsStatement"));
        if (d.PublishedAt is { } modified) rdf.Add(node, "dct:modified", RdfTerm.DateTime(modified));
        foreach (var tag in d.Tags) rdf.Add(node, "dcat:keyword", RdfTerm.Text(tag));
        var schema = RdfTerm.Iri($"{api}/datasets/{d.Id}/schemas/{d.SchemaVersion}");
        rdf.Add(node, "dct:conformsTo", schema).Is(schema, "dct:Standard");
        if (Frequency(extra.Cron) is { } frequency) rdf.Add(node, "dct:accrualPeriodicity", Concept(rdf, Eu + "frequency/" + frequency, "dct:Frequency"));
        foreach (var theme in meta.Themes ?? [])
        {
            var concept = RdfTerm.Iri(theme);
            rdf.Add(node, "dcat:theme", concept).Is(concept, "skos:Concept").Add(concept, "skos:prefLabel", RdfTerm.Text(theme.TrimEnd('/').Split('/', '#')[^1]));
        }
        foreach (var place in meta.Spatial ?? []) rdf.Add(node, "dct:spatial", Concept(rdf, place, "dct:Location"));
        if (meta.Temporal is { } temporal)
        {
            var period = rdf.NewBlank();
            rdf.Add(node, "dct:temporal", period).Is(period, "dct:PeriodOfTime");
            if (temporal.Start is not null) rdf.Add(period, "dcat:startDate", RdfTerm.Typed(temporal.Start, Rdf.Xsd + "date"));
            if (temporal.End is not null) rdf.Add(period, "dcat:endDate", RdfTerm.Typed(temporal.End, Rdf.Xsd + "date"));
        }
        if (meta.ContactPoint is { } contact)
        {
            var kind = rdf.NewBlank();
            rdf.Add(node, "dcat:contactPoint", kind).Is(kind, "vcard:Kind");
            if (contact.Name is not null) rdf.Add(kind, "vcard:fn", RdfTerm.Text(contact.Name));
            if (contact.Email is not null) rdf.Add(kind, "vcard:hasEmail", RdfTerm.Iri("mailto:" + contact.Email));
            if (contact.Url is not null) rdf.Add(kind, "vcard:hasURL", RdfTerm.Iri(contact.Url));
        }
        var licence = meta.Licence is null ? null : Concept(rdf, meta.Licence, "dct:LicenseDocument");
        foreach (var (suffix, mediaType, format, title) in Distributions)
        {
            var distribution = RdfTerm.Iri($"{api}/datasets/{d.Id}/records{suffix}");
            rdf.Add(node, "dcat:distribution", distribution).Is(distribution, "dcat:Distribution")
                .Add(distribution, "dcat:accessURL", Concept(rdf, distribution.Value, "rdfs:Resource"))
                .Add(distribution, "dct:title", RdfTerm.Text(title))
                .Add(distribution, "dcat:mediaType", Concept(rdf, "http://www.iana.org/assignments/media-types/" + mediaType, "dct:MediaType"))
                .Add(distribution, "dct:format", Concept(rdf, Eu + "file-type/" + format, "dct:MediaTypeOrExtent"));
            if (licence is not null) rdf.Add(distribution, "dct:license", licence);
        }
        return node;
    }

    static readonly (string Suffix, string MediaType, string Format, string Title)[] Distributions =
    [
        ("", "application/json", "JSON", "Records as JSON pages"),
        (".ndjson", "application/x-ndjson", "JSON", "Records streamed as NDJSON"),
        (".csv", "text/csv", "CSV", "Records streamed as CSV"),
    ];

    static RdfTerm Concept(Rdf rdf, string iri, string @class)
    {
        var term = RdfTerm.Iri(iri);
        rdf.Is(term, @class);
        return term;
    }

    /// <summary>
    /// The EU frequency authority's code for a 5-field cron (minute hour day-of-month month day-of-week):
    /// fixed minute and hour every day DAILY, on some weekdays WEEKLY, on a day of the month MONTHLY, in some
    /// months ANNUAL; a fixed minute every hour HOURLY; anything else (or no cron: upload feeds) IRREG.
    /// </summary>
    public static string? Frequency(string? cron)
    {
        if (cron is null) return "IRREG";
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 5) return "IRREG";
        static bool Fixed(string s) => s.All(char.IsDigit);
        return (Fixed(f[0]), f[1], f[2], f[3], f[4]) switch
        {
            (true, "*", "*", "*", "*") => "HOURLY",
            (true, var h, "*", "*", "*") when Fixed(h) => "DAILY",
            (true, var h, "*", "*", _) when Fixed(h) => "WEEKLY",
            (true, var h, var dom, "*", "*") when Fixed(h) && Fixed(dom) => "MONTHLY",
            (true, var h, var dom, _, "*") when Fixed(h) && Fixed(dom) => "ANNUAL",
            _ => "IRREG",
        };
    }
}
