using DataExchange.Core.Catalogue;
using DataExchange.Server.Hosting;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Catalogue;

/// <summary>The OpenAPI examples of the catalogue (<see cref="ApiExamples"/>).</summary>
public static class CatalogueExamples
{
    const string DcatTurtle = """
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix dct: <http://purl.org/dc/terms/> .

        <https://exchange.example/api/v1/datasets/gd-amr.business-licences> a dcat:Dataset ;
            dct:title "Business licence register" ;
            dct:publisher <https://exchange.example/api/v1/agencies/gd-amr> ;
            dcat:distribution <https://exchange.example/api/v1/datasets/gd-amr.business-licences/records.csv> .

        """;

    // A catalogue page: the same dataset, and the page as a hydra:PagedCollection naming the next one.
    const string DcatPageTurtle = """
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix dct: <http://purl.org/dc/terms/> .
        @prefix hydra: <http://www.w3.org/ns/hydra/core#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

        <https://exchange.example/api/v1/catalogue/dcat> a dcat:Catalog ;
            dct:title "DataExchange catalogue" ;
            dcat:dataset <https://exchange.example/api/v1/datasets/gd-amr.business-licences> .

        <https://exchange.example/api/v1/datasets/gd-amr.business-licences> a dcat:Dataset ;
            dct:title "Business licence register" ;
            dct:publisher <https://exchange.example/api/v1/agencies/gd-amr> .

        <https://exchange.example/api/v1/catalogue/dcat?limit=1> a hydra:PagedCollection ;
            hydra:totalItems "214"^^xsd:integer ;
            hydra:itemsPerPage "1"^^xsd:integer ;
            hydra:firstPage "https://exchange.example/api/v1/catalogue/dcat?limit=1" ;
            hydra:nextPage "https://exchange.example/api/v1/catalogue/dcat?limit=1&after=Z2QtYW1yLmJ1c2luZXNzLWxpY2VuY2Vz" .

        """;

    const string DcatJsonLd = """
        {"@context":{"dcat":"http://www.w3.org/ns/dcat#","dct":"http://purl.org/dc/terms/"},"@graph":[{"@id":"https://exchange.example/api/v1/datasets/gd-amr.business-licences","@type":["dcat:Dataset"],"dct:title":[{"@value":"Business licence register"}],"dct:publisher":[{"@id":"https://exchange.example/api/v1/agencies/gd-amr"}]}]}
        """;

    /// <summary>By type; the DCAT documents by operation.</summary>
    public static readonly ExampleSet Set = new()
    {
        Types =
        {
            [typeof(CatalogueEntry)] = new CatalogueEntry(Dataset with { Feed = null, SchemaVersions = null }, [SchemaVersion], 3, At, 5400, 184203, new RunQuality(42, "succeeded", At, 184311, 61, 0.00033)),
        },
        Responses =
        {
            ["GET /api/v1/catalogue/dcat"] = new() { ["application/ld+json"] = () => Text(DcatJsonLd), ["text/turtle"] = () => Text(DcatPageTurtle) },
            ["GET /api/v1/catalogue/{datasetId}/dcat"] = new() { ["application/ld+json"] = () => Text(DcatJsonLd), ["text/turtle"] = () => Text(DcatTurtle) },
        },
    };
}
