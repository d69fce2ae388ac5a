using DataExchange.Core.Feeds;
using DataExchange.Server.Hosting;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Feeds;

/// <summary>The OpenAPI examples of the feed hosts admins allow (<see cref="ApiExamples"/>).</summary>
public static class FeedHostExamples
{
    /// <summary>By type.</summary>
    public static readonly ExampleSet Set = new()
    {
        Types =
        {
            [typeof(FeedHost)] = new FeedHost("data.gd.gov.cn", "admin", "exchange", At),
            [typeof(ReplaceFeedHostsRequest)] = new ReplaceFeedHostsRequest(["data.gd.gov.cn", "opendata.gz.gov.cn"]),
        },
    };
}
