using DataExchange.Core.Datasets.Components;
using DataExchange.Core.Datasets.Frictionless;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.Core.Datasets;

/// <summary>Registers the dataset registry, its schema versions, metadata and Frictionless import, and the shared schema components.</summary>
public static class DatasetServices
{
    /// <summary>Datasets, their schemas and feeds, and schema components.</summary>
    public static IServiceCollection AddDatasets(this IServiceCollection services) =>
        services.AddSingleton<DatasetRegistry>().AddSingleton<SchemaVersionService>().AddSingleton<DatasetMetadataService>()
            .AddSingleton<FrictionlessImport>().AddSingleton<SchemaComponentStore>();
}
