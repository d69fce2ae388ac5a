using Dx.Kiota;
using Dx.Kiota.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

/// <summary>
/// Compiled, not run: the Kiota client must offer the same flow with typed members (an integer limit, an
/// enum status, a policy object, open records), or this file does not build.
/// </summary>
internal static class KiotaUse
{
    internal static async Task<int> FlowAsync(string datasetId, string subscriptionId)
    {
        var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider());
        var client = new DxKiotaClient(adapter);
        var approved = await client.Api.V1.Subscriptions[subscriptionId].Approval.PostAsync(new ApprovalRequest { Policy = new AccessPolicy { Fields = ["id"], DailyRowQuota = 100 } });
        SubscriptionStatus? status = approved?.Status;
        var page = await client.Api.V1.Datasets[datasetId].Records.GetAsync(c => c.QueryParameters.Limit = 10);
        int? version = page?.Version;
        IDictionary<string, object>? first = page?.Items?.FirstOrDefault()?.AdditionalData;
        var changes = await client.Api.V1.Datasets[datasetId].Changes.GetAsync(c => c.QueryParameters.Since = 1);
        ChangeOp? op = changes?.Items?.FirstOrDefault()?.Op;
        // Kiota 1.38 generates no return value for a text stream (microsoft/kiota#5105): the request it builds is sent for the stream.
        var request = client.Api.V1.Datasets[datasetId].RecordsNdjson.ToGetRequestInformation(c => c.QueryParameters.Version = version);
        Stream? ndjson = await adapter.SendPrimitiveAsync<Stream>(request);
        return (version ?? 0) + (first?.Count ?? 0) + (status is null ? 0 : 1) + (op is null ? 0 : 1) + (ndjson is null ? 0 : 1);
    }
}
