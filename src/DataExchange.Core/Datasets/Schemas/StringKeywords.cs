using System.Text.Json;
using static DataExchange.Core.Datasets.Schemas.SchemaEvaluator;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>The string keywords of <see cref="SchemaEvaluator"/>: min/maxLength in code points, pattern, draft-07 content, format.</summary>
internal static class StringKeywords
{
    public static bool Check(SchemaEvaluator e, SchemaNode s, string v, in JsonItem t, string at, List<RecordError>? errors)
    {
        var ok = true;
        if (s.MinLength is not null || s.MaxLength is not null)
        {
            var length = JsonValues.CodePoints(v);
            if (length < s.MinLength)
                ok = e.Fail(errors, "minLength", at, s.Pointer + "/minLength", $"{Where(at)} must be at least {s.MinLength} characters{Value(t)}.");
            if (length > s.MaxLength)
                ok = e.Fail(errors, "maxLength", at, s.Pointer + "/maxLength", $"{Where(at)} must be at most {s.MaxLength} characters{Value(t)}.");
        }
        if (s.Pattern is { } pattern && !Matches(pattern, v, at, s.Pointer + "/pattern"))
            ok = e.Fail(errors, "pattern", at, s.Pointer + "/pattern", $"{Where(at)} does not match the pattern {pattern.Source}{Value(t)}.");
        if ((s.Base64 || s.JsonContent) && !HasContent(s, v))
            ok = e.Fail(errors, "content", at, s.Pointer + (s.JsonContent ? "/contentMediaType" : "/contentEncoding"), $"{Where(at)} is not {(s.Base64 ? "base64" : "")}{(s.Base64 && s.JsonContent ? "-encoded " : "")}{(s.JsonContent ? "JSON" : "")}{Value(t)}.");
        if (s.Format is { } format && !format.IsValid(v))
            ok = e.Fail(errors, "format", at, s.Pointer + "/format", $"{Where(at)} is not a valid {format.Format}{Value(t)}.");
        return ok;
    }

    // Draft-07 content: the string decodes from base64 (RFC 4648 alphabet and padding), and what it holds is JSON.
    static bool HasContent(SchemaNode s, string v)
    {
        byte[] bytes;
        if (s.Base64)
        {
            bytes = new byte[v.Length];
            if (v.Any(char.IsWhiteSpace) || !Convert.TryFromBase64String(v, bytes, out var length)) return false;
            bytes = bytes[..length];
        }
        else bytes = System.Text.Encoding.UTF8.GetBytes(v);
        if (!s.JsonContent) return true;
        try
        {
            using var _ = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException) { return false; }
    }

    // A match the record's budget cannot afford ends the evaluation (see PatternTimeoutException). Where a
    // subschema was handed "" instead of its instance's pointer (the first pass builds none), the caller completes
    // the pointer on the way out: precise, at no cost to the records that do not time out.
    public static bool Matches(SchemaPattern pattern, string v, string at, string schemaPointer) =>
        pattern.TryMatch(v, out var matched) ? matched : throw new PatternTimeoutException(at, schemaPointer, pattern.Source);
}
