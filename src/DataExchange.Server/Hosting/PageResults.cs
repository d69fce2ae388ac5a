using DataExchange.Core.Common;

namespace DataExchange.Server.Hosting;

/// <summary>The list body of API.md: <c>{ items, next }</c> plus a <c>Link: rel="next"</c> header.</summary>
public sealed record PageBody<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>Turns a <see cref="Page{T}"/> into the list response.</summary>
public static class PageResults
{
    /// <summary>200 with the page and, when there is more, the Link header to it.</summary>
    public static PageBody<T> ToBody<T>(this Page<T> page, HttpContext context)
    {
        if (page.Next is { } next)
        {
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(context.Request.QueryString.Value);
            var pairs = query.Where(q => q.Key != "after").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new("after", next));
            var url = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(context.Request.Path, pairs);
            context.Response.Headers.Append("Link", $"<{url}>; rel=\"next\"");
        }
        return new PageBody<T>(page.Items, page.Next);
    }
}
