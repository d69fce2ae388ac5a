using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using DataExchange.Core.Catalogue;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;

namespace DataExchange.Server.Catalogue;

/// <summary>
/// The exchange's catalogue in CKAN's shapes (issue 17): agencies are organizations, datasets are packages,
/// each with one datastore resource (the records, id = the dataset id) and the CSV and NDJSON streams as
/// plain resources. Field names and types follow CKAN 2.10's action API documentation.
/// </summary>
public sealed class CkanPackages(CatalogueService catalogue, AgencyService agencies)
{
    /// <summary>Every dataset the caller may see (anonymous callers: classified public), in id order.</summary>
    public async Task<List<Dataset>> VisibleAsync(Caller caller, string? q, string? tag, string? organization, CancellationToken ct)
    {
        var all = new List<Dataset>();
        string? after = null;
        do
        {
            var page = await catalogue.SearchAsync(new CatalogueQuery(q, organization, tag, caller.IsAnonymous ? Classification.Public : null, Paging.MaxLimit, after), ct);
            all.AddRange(page.Items);
            after = page.Next;
        } while (after is not null);
        return all;
    }

    /// <summary>The agencies as CKAN organizations, with the number of datasets the caller may see.</summary>
    public async Task<List<JsonObject>> OrganizationsAsync(Caller caller, CancellationToken ct)
    {
        var counts = (await VisibleAsync(caller, null, null, null, ct)).GroupBy(d => d.Owner).ToDictionary(g => g.Key, g => g.Count());
        var list = new List<JsonObject>();
        await foreach (var agency in agencies.ListAsync(ct))
            if (!caller.IsAnonymous || counts.ContainsKey(agency.Id)) list.Add(Organization(agency, counts.GetValueOrDefault(agency.Id)));
        return list;
    }

    /// <summary>An organization dict (organization_show, organization_list with all_fields).</summary>
    public static JsonObject Organization(Agency agency, int packageCount) => new()
    {
        ["id"] = agency.Id, ["name"] = agency.Id, ["title"] = agency.Name, ["display_name"] = agency.Name, ["description"] = "",
        ["type"] = "organization", ["is_organization"] = true, ["state"] = "active", ["approval_status"] = "approved",
        ["image_url"] = "", ["created"] = Time(agency.CreatedAt), ["package_count"] = packageCount,
    };

    /// <summary>A package dict (package_show, package_search results).</summary>
    public static JsonObject Package(Dataset d, string agencyName, string api)
    {
        var meta = d.Metadata ?? new DatasetMetadata();
        var modified = Time(d.PublishedAt ?? d.CreatedAt);
        var resources = new JsonArray();
        foreach (var (suffix, format, mimetype, name) in new[] { ("", "JSON", "application/json", "Records"), (".csv", "CSV", "text/csv", "Records (CSV stream)"), (".ndjson", "NDJSON", "application/x-ndjson", "Records (NDJSON stream)") })
            resources.Add(new JsonObject
            {
                ["id"] = d.Id + suffix, ["package_id"] = d.Id, ["name"] = name, ["description"] = "", ["format"] = format, ["mimetype"] = mimetype,
                ["url"] = $"{api}/datasets/{d.Id}/records{suffix}", ["url_type"] = "", ["state"] = "active", ["position"] = resources.Count,
                ["datastore_active"] = suffix.Length == 0, ["created"] = Time(d.CreatedAt), ["last_modified"] = modified, ["size"] = null, ["hash"] = "",
            });
        var tags = new JsonArray([.. d.Tags.Select(t => (JsonNode?)new JsonObject { ["id"] = t, ["name"] = t, ["display_name"] = t, ["state"] = "active", ["vocabulary_id"] = null })]);
        var extras = new JsonArray(
            Extra("classification", d.Classification), Extra("key_fields", string.Join(",", d.KeyFields)), Extra("schema_version", d.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (d.LatestVersion is { } v) extras.Add(Extra("version", v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return new JsonObject
        {
            ["id"] = d.Id, ["name"] = d.Id, ["title"] = d.Title, ["notes"] = d.Description, ["type"] = "dataset", ["state"] = "active",
            ["private"] = d.Classification != Classification.Public, ["owner_org"] = d.Owner,
            ["organization"] = new JsonObject { ["id"] = d.Owner, ["name"] = d.Owner, ["title"] = agencyName, ["type"] = "organization", ["is_organization"] = true, ["state"] = "active" },
            ["author"] = agencyName, ["author_email"] = null, ["maintainer"] = meta.ContactPoint?.Name, ["maintainer_email"] = meta.ContactPoint?.Email,
            ["license_id"] = meta.Licence, ["license_title"] = meta.Licence, ["license_url"] = meta.Licence, ["isopen"] = d.IsOpen,
            ["url"] = $"{api}/datasets/{d.Id}", ["version"] = d.LatestVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["metadata_created"] = Time(d.CreatedAt), ["metadata_modified"] = modified,
            ["num_resources"] = resources.Count, ["num_tags"] = tags.Count, ["resources"] = resources, ["tags"] = tags, ["groups"] = new JsonArray(),
            ["extras"] = extras, ["relationships_as_object"] = new JsonArray(), ["relationships_as_subject"] = new JsonArray(),
        };
    }

    static JsonObject Extra(string key, string value) => new() { ["key"] = key, ["value"] = value };

    /// <summary>CKAN's timestamps: ISO 8601 without offset, UTC, microseconds.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture);
}
