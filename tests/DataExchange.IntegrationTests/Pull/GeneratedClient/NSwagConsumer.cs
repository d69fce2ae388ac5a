using System.Net.Http.Headers;
using Dx.NSwag;

// The consumer flow of issue 17 through the NSwag client generated from /openapi/v1.json, as another
// agency's developer would write it: nothing here knows a URL or a JSON member name. The base URL is the
// document's own server. Arguments: consumer key, steward key, search text. Prints one JSON summary line.
if (args.Length != 3) throw new ArgumentException("usage: consumer <consumer key> <steward key> <q>");
var consumer = Client(args[0]);
var steward = Client(args[1]);

var found = await consumer.GetDatasetsAsync(args[2], null, null, Classification.Public, 10, null);
var dataset = found.Items.Single();
var requested = await consumer.PostSubscriptionsAsync(new SubscriptionRequest { DatasetId = dataset.Id, Purpose = "Generated client test" });
var approved = await steward.PostSubscriptionsSubscriptionIdApprovalAsync(requested.Id, new ApprovalRequest
{
    Policy = new AccessPolicy
    {
        Fields = ["id", "name", "age"],
        Masks = new Dictionary<string, AccessMask> { ["name"] = new AccessMask { Type = MaskKind.Partial, KeepLast = 1 } },
    },
});
var status = (await consumer.GetSubscriptionsSubscriptionIdAsync(approved.Id)).Status;

var ids = new List<string>();
var names = new List<string>();
int pages = 0, version = 0;
string? after = null;
do
{
    var page = await consumer.GetRecordsAsync(dataset.Id, null, after, 10);
    version = page.Version;
    ids.AddRange(page.Items.Select(r => r["id"].ToString()!));
    names.AddRange(page.Items.Select(r => r["name"].ToString()!));
    after = page.Next;
    pages++;
} while (after is not null);

var changes = await consumer.GetChangesAsync(dataset.Id, 1, null, null, 100);
using var stream = await consumer.GetRecordsNdjsonAsync(dataset.Id, null, null);
var lines = (await new StreamReader(stream.Stream).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

Console.WriteLine(Newtonsoft.Json.JsonConvert.SerializeObject(new
{
    dataset = dataset.Id,
    subscription = status.ToString(),
    version,
    pages,
    ids,
    names,
    changes = changes.Items.Select(c => $"{c.Op}:{c.Key}:{c.Version}"),
    ndjsonLines = lines,
}));

static DxClient Client(string key)
{
    var http = new HttpClient();
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    return new DxClient(http);
}
