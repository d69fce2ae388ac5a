using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.Core.Catalogue;

/// <summary>Registers the catalogue: search, entries and the DCAT-AP documents.</summary>
public static class CatalogueServices
{
    /// <summary>The catalogue's readers.</summary>
    public static IServiceCollection AddCatalogue(this IServiceCollection services) =>
        services.AddSingleton<CatalogueService>().AddSingleton<CatalogueEntries>().AddSingleton<DcatCatalogue>();
}
