using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DataExchange.Benchmarks.Lookup;

/// <summary>
/// The lookup benchmark's HTTP ceiling (issue 16): in the exchange's own server process (same host, Kestrel settings,
/// GC and thread pool), a request under <see cref="Prefix"/> is answered first in the pipeline — before the exchange's
/// middleware, routing, authentication, decision, read or audit — with a constant JSON body the size of a found
/// lookup's answer. The same HTTP clients time it as they time the lookups, so the benchmark can say what HTTP alone
/// reaches on this machine against the bare Npgsql loop, and so what <c>lookup_vs_pg</c> could reach at most.
/// </summary>
sealed class ConstantAnswer : IStartupFilter
{
    /// <summary>Where the constant answers; the clients send <c>{Prefix}{key}</c> with the lookups' headers.</summary>
    public const string Prefix = "/bench/constant/";

    // The prefix as a path segment, made once rather than per request (every lookup passes here first).
    const string Segment = "/bench/constant";

    /// <summary>The body: set to a real found answer's bytes before the clients run (until then a placeholder).</summary>
    public static byte[] Body { get; set; } = "{\"found\":true}"u8.ToArray();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext http, RequestDelegate rest) =>
        {
            if (!http.Request.Path.StartsWithSegments(Segment, StringComparison.Ordinal)) return rest(http);
            var body = Body;
            http.Response.StatusCode = 200;
            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.ContentLength = body.Length;
            return http.Response.Body.WriteAsync(body).AsTask();
        });
        next(app);
    };
}
