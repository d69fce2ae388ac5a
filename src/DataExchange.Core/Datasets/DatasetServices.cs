using DataExchange.Core.Datasets.Components;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.Core.Datasets;

/// <summary>Registers the dataset registry and the shared schema components.</summary>
public static class DatasetServices
{
    /// <summary>Datasets, their schemas and feeds, and schema components.</summary>
    public static IServiceCollection AddDatasets(this IServiceCollection services) =>
        services.AddSingleton<DatasetRegistry>().AddSingleton<SchemaComponentStore>();
}
