namespace DataExchange.Core.Datasets;

/// <summary>
/// What DCAT-AP asks of a dataset beyond the catalogue row (issue 17): licence, contact point, themes,
/// spatial and temporal coverage, and whether a public dataset's records are open to anyone. The
/// manifest's <c>metadata</c> object; every member optional.
/// </summary>
public sealed record DatasetMetadata
{
    /// <summary>The licence's URI (e.g. http://publications.europa.eu/resource/authority/licence/CC_BY_4_0).</summary>
    public string? Licence { get; init; }
    public ContactPoint? ContactPoint { get; init; }
    /// <summary>Theme URIs, e.g. of the EU data-theme vocabulary (…/authority/data-theme/ECON).</summary>
    public IReadOnlyList<string>? Themes { get; init; }
    /// <summary>Place URIs (e.g. GeoNames) the data covers.</summary>
    public IReadOnlyList<string>? Spatial { get; init; }
    public TemporalCoverage? Temporal { get; init; }
    /// <summary>A public dataset's records may be read without a key (open data); default false.</summary>
    public bool? Open { get; init; }
}

/// <summary>Who answers questions about the dataset.</summary>
public sealed record ContactPoint(string? Name, string? Email, string? Url = null);

/// <summary>The period the data covers; dates as yyyy-MM-dd, either end open.</summary>
public sealed record TemporalCoverage(string? Start, string? End);

/// <summary>
/// What a steward replaces with PUT …/datasets/{id}/metadata: the dataset's keywords (tags) and its DCAT-AP metadata,
/// both given in full (an empty list or object clears them).
/// </summary>
public sealed record DatasetMetadataUpdate
{
    /// <summary>Keywords (dcat:keyword, CKAN tags).</summary>
    public IReadOnlyList<string>? Tags { get; init; }
    public DatasetMetadata? Metadata { get; init; }
}
