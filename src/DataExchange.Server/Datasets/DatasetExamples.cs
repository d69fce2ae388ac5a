using System.Text.Json.Nodes;
using DataExchange.Core.Datasets;
using DataExchange.Core.Datasets.Compatibility;
using DataExchange.Core.Datasets.Components;
using DataExchange.Core.Datasets.Frictionless;
using DataExchange.Core.Feeds;
using DataExchange.Server.Hosting;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Datasets;

/// <summary>The OpenAPI examples of datasets, their schema versions and metadata, and shared schema components (<see cref="ApiExamples"/>).</summary>
public static class DatasetExamples
{
    static JsonObject NextSchemaVersion()
    {
        var schema = RecordSchema();
        schema["properties"]!["registeredCapital"] = new JsonObject { ["type"] = "number", ["minimum"] = 0 };
        return schema;
    }

    // A shared component: a mainland postal address, referenced by dataset schemas as https://schemas.gd.gov.cn/address.
    static JsonObject AddressComponent() => (JsonObject)JsonNode.Parse("""
        {"type":"object","required":["province","city"],"properties":{"province":{"type":"string"},"city":{"type":"string"},
         "street":{"type":"string"},"postcode":{"type":"string","pattern":"^[0-9]{6}$"}}}
        """)!;

    /// <summary>By type; the schema bodies (typed JsonObject) and the data package by operation.</summary>
    public static readonly ExampleSet Set = new()
    {
        Types =
        {
            [typeof(RegisterDatasetRequest)] = new RegisterDatasetRequest
            {
                Id = DatasetId, Title = "Business licence register", Description = "Businesses registered with the Guangdong AMR, one row per unified social credit code.",
                KeyFields = ["uscc"], Classification = "internal", Tags = ["business", "licence"], Schema = RecordSchema(), Feed = Feed,
            },
            [typeof(DatasetMetadataUpdate)] = new DatasetMetadataUpdate
            {
                Tags = ["business", "licence", "employer"],
                Metadata = new DatasetMetadata
                {
                    Licence = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
                    ContactPoint = new ContactPoint("AMR data desk", "data@amr.gd.gov.cn"),
                    Themes = ["http://publications.europa.eu/resource/authority/data-theme/ECON"],
                    Spatial = ["https://sws.geonames.org/1809935/"],
                    Temporal = new TemporalCoverage("2015-01-01", null),
                    Open = false,
                },
            },
            [typeof(FrictionlessImportRequest)] = new FrictionlessImportRequest
            {
                DataPackage = JsonNode.Parse("""
                    {"name":"vehicles","resources":[{"name":"vehicles","path":"vehicles.csv","schema":{"fields":[{"name":"plate","type":"string","constraints":{"required":true}},
                    {"name":"registeredOn","type":"date"},{"name":"seats","type":"integer"}],"primaryKey":["plate"]}}]}
                    """)!.AsObject(),
                Classification = "internal", Tags = ["transport"], Feed = new() { Source = "upload", Format = "csv" },
            },
            [typeof(Dataset)] = ExampleStory.Dataset,
            [typeof(SchemaVersionInfo)] = SchemaVersion with { Schema = RecordSchema() },
            [typeof(FeedDefinition)] = Feed,
            [typeof(CompatibilityReport)] = new CompatibilityReport(false, "BACKWARD", [new("/properties/issuedOn", "field-became-required", "optional", "required",
                "issuedOn became required: records valid under version 1 may lack it.")]),
            [typeof(RegisterComponentRequest)] = new RegisterComponentRequest("https://schemas.gd.gov.cn/address", AddressComponent()),
            [typeof(SchemaComponentInfo)] = new SchemaComponentInfo("https://schemas.gd.gov.cn/address", 2, "gd-amr", "draft-07",
                "9f2c4e1a7b3d5f60c8e2a4b6d8f0a1c3e5b7d9f1a2c4e6b8d0f2a4c6e8b0d2f4", At)
            { Schema = AddressComponent() },
        },
        Requests =
        {
            ["POST /api/v1/datasets/{datasetId}/schemas"] = new() { ["application/json"] = NextSchemaVersion },
            ["POST /api/v1/datasets/{datasetId}/schemas/compatibility"] = new() { ["application/json"] = NextSchemaVersion },
        },
        Responses =
        {
            ["GET /api/v1/datasets/{datasetId}/versions/{version}/datapackage.json"] = new()
            {
                ["application/json"] = () => JsonNode.Parse("""{"profile":"tabular-data-package","name":"gd-amr.business-licences","title":"Business licence register","version":"3","resources":[{"name":"gd-amr.business-licences","path":"https://exchange.example/api/v1/datasets/gd-amr.business-licences/records.csv?version=3","profile":"tabular-data-resource","format":"csv","mediatype":"text/csv","encoding":"utf-8","schema":{"fields":[{"name":"uscc","type":"string","constraints":{"required":true}},{"name":"issuedOn","type":"date"}],"primaryKey":["uscc"],"missingValues":[""]}}]}""")!,
            },
        },
    };
}
