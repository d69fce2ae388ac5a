using System.Text;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.Routing.Patterns;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Request logs name the path rebuilt from the matched route, with a subject's key (the lookup API's <c>{key}</c>,
/// e.g. a resident ID) left as its placeholder: a log must not become a register of who was looked up. A request
/// that matched no route logs <c>(no route)</c>, since its raw path could carry anything.
/// </summary>
sealed class RoutePathLogging : IHttpLoggingInterceptor
{
    static readonly HashSet<string> Subjects = new(StringComparer.OrdinalIgnoreCase) { "key" };

    public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext)
    {
        logContext.TryDisable(HttpLoggingFields.RequestPath);
        return default;
    }

    public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext)
    {
        logContext.AddParameter("Path", PathOf(logContext.HttpContext));
        return default;
    }

    static string PathOf(HttpContext http)
    {
        if (http.GetEndpoint() is not RouteEndpoint endpoint) return "(no route)";
        var path = new StringBuilder();
        foreach (var segment in endpoint.RoutePattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart p when Subjects.Contains(p.Name) => "{" + p.Name + "}",
                    RoutePatternParameterPart p => http.Request.RouteValues.TryGetValue(p.Name, out var v) ? v?.ToString() : "{" + p.Name + "}",
                    _ => "",
                });
        }
        return path.ToString();
    }
}
