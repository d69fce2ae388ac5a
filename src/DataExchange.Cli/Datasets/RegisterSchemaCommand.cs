using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Datasets;

/// <summary>POST /datasets/{id}/schemas: publishes a new schema version (the server re-checks compatibility).</summary>
public sealed class RegisterSchemaCommand : ApiCommand<SchemaSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, SchemaSettings settings, CancellationToken ct)
    {
        var schema = LocalJson.Read(settings.Schema);
        var created = await api.PostJsonAsync($"datasets/{ApiClient.Seg(settings.Dataset)}/schemas", schema, ct).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.Raw(created.Raw);
            return ExitCodes.Success;
        }

        Output.Success($"Registered schema version {Output.Format(created.Json?["version"])} for {settings.Dataset}.");
        Output.Properties(created.Json);
        return ExitCodes.Success;
    }
}
