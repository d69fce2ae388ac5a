using System.Text;
using System.Text.Json;

namespace DataExchange.Core.Common;

/// <summary>
/// A body System.Text.Json could not read, told as a problem with a JSON Pointer: the serializer's own message names
/// .NET types ("could not be converted to System.Collections.Generic.IReadOnlyList`1[System.String]"), which mean
/// nothing to a caller and describe our internals.
/// </summary>
public static class JsonBodyProblem
{
    /// <summary>The problem at the member <paramref name="exception"/> stopped on.</summary>
    public static ProblemItem From(JsonException exception) => new(Pointer(exception.Path), "invalid-json",
        "Not a value this member takes: malformed JSON, a value of the wrong type, or a member this request does not have (see /openapi/v1.json).");

    /// <summary>RFC 6901 pointer of a JSONPath as System.Text.Json writes it: <c>$.a.b[0]</c>, <c>$['odd name']</c>.</summary>
    public static string Pointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "";
        var pointer = new StringBuilder();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            string segment;
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segment = path[(i + 1)..end];
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                segment = path[(i + 2)..end];
                i = Math.Min(path.Length, end + 2);
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                end = end < 0 ? path.Length : end;
                segment = path[(i + 1)..end];
                i = Math.Min(path.Length, end + 1);
            }
            else break;
            pointer.Append('/').Append(segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
        }
        return pointer.ToString();
    }
}
