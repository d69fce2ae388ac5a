using System.Net.Http.Headers;
using Dx.People;

// A consumer of one dataset through the NSwag client generated from that dataset's own /openapi.json (issue 17):
// the records are a typed class with exactly the fields this consumer's policy shows, so reading r.Id and r.Name
// compiles, and a field the policy keeps back (age) is not a member at all. Base URL: the document's server.
// Argument: the consumer key. Prints one JSON summary line.
if (args.Length != 1) throw new ArgumentException("usage: typed <consumer key>");
var http = new HttpClient();
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", args[0]);
var client = new PeopleClient(http);

var ids = new List<string>();
var names = new List<string>();
string? after = null;
var pages = 0;
do
{
    RecordPage page = await client.GetRecordsAsync(null, after, 10);
    foreach (PeopleRecord r in page.Items)
    {
        ids.Add(r.Id);
        names.Add(r.Name);
    }
    after = page.Next;
    pages++;
} while (after is not null);
var changes = await client.GetChangesAsync(1, null, null, 100);

Console.WriteLine(Newtonsoft.Json.JsonConvert.SerializeObject(new
{
    pages,
    ids,
    names,
    members = typeof(PeopleRecord).GetProperties().Select(p => p.Name).Where(n => n != "AdditionalProperties").OrderBy(n => n),
    changes = changes.Items.Select(c => $"{c.Op}:{c.Key}:{c.Version}:{c.Record?.Id}"),
}));
