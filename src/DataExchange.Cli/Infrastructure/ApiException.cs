using System.Net;
using System.Text.Json.Nodes;

namespace DataExchange.Cli.Infrastructure;

/// <summary>One entry of a problem document's <c>errors</c> array.</summary>
public sealed record ProblemError(string? Pointer, string? Code, string? Message);

/// <summary>
/// A non-success HTTP response, carrying the RFC 9457 problem document when the server sent one.
/// Commands let it bubble up; <see cref="ErrorReporter"/> turns it into stderr text and an exit code.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(HttpStatusCode status, string? reason, JsonNode? problem, string? rawBody)
        : base(BuildMessage(status, reason, problem, rawBody))
    {
        Status = (int)status;
        Problem = problem;
        Title = Text(problem, "title") ?? reason ?? status.ToString();
        // Non-problem bodies (proxies, HTML error pages) are still worth a glimpse, but not in full.
        Detail = Text(problem, "detail") ?? Truncate(problem is null ? rawBody : null);
        Errors = problem?["errors"] is JsonArray errors
            ? errors.Select(e => new ProblemError(Text(e, "pointer"), Text(e, "code"), Text(e, "message"))).ToList()
            : [];
    }

    public int Status { get; }

    /// <summary>The problem's code: the tail of its type <c>urn:dataexchange:problem:&lt;code&gt;</c>, or null.</summary>
    public string? Code => Text(Problem, "type") is { } type && type.StartsWith("urn:dataexchange:problem:", StringComparison.Ordinal)
        ? type["urn:dataexchange:problem:".Length..]
        : null;

    /// <summary>A next step a command knows better than the status does (shown instead of the generic hint).</summary>
    public string? Hint { get; set; }

    public JsonNode? Problem { get; }

    public string Title { get; }

    public string? Detail { get; }

    public IReadOnlyList<ProblemError> Errors { get; }

    static string BuildMessage(HttpStatusCode status, string? reason, JsonNode? problem, string? rawBody) =>
        $"{(int)status} {Text(problem, "title") ?? reason}: {Text(problem, "detail") ?? Truncate(rawBody)}";

    static string? Text(JsonNode? node, string property) =>
        node is JsonObject obj && obj[property] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    static string? Truncate(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        body = body.Trim();
        return body.Length <= 300 ? body : body[..300] + "…";
    }
}
