using System.Text.Json;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// A JSON value as the evaluator sees it: an element of a parsed record, or a scalar a CSV cell became
/// (kind and text) without any document behind it. A number is only ever its text as written, so no
/// precision is lost on the way to a comparison.
/// </summary>
internal readonly struct JsonItem
{
    readonly JsonElement _element;
    readonly string? _text;

    JsonItem(JsonElement element, JsonValueKind kind, string? text)
    {
        _element = element;
        Kind = kind;
        _text = text;
    }

    /// <summary>The JSON kind (never Undefined).</summary>
    public JsonValueKind Kind { get; }

    /// <summary>An element of a parsed document.</summary>
    public static JsonItem Of(JsonElement element) => new(element, element.ValueKind, null);

    /// <summary>A scalar without a document: a string's value, a number's JSON text; null for true, false and null.</summary>
    public static JsonItem Scalar(JsonValueKind kind, string? text) => new(default, kind, text);

    /// <summary>The element of an object or array (scalars made by <see cref="Scalar"/> have none).</summary>
    public JsonElement Element => _element;

    /// <summary>The value of a string.</summary>
    public string String => _text ?? _element.GetString()!;

    /// <summary>The JSON text of a number, as written.</summary>
    public string NumberText => _text ?? _element.GetRawText();

    /// <summary>The exact value of a number.</summary>
    public ExactNumber Number => ExactNumber.Parse(NumberText);

    /// <summary>Whether this is a number whose value is an integer (1.0 is).</summary>
    public bool IsInteger
    {
        get
        {
            if (Kind != JsonValueKind.Number) return false;
            var text = NumberText;
            return text.AsSpan().IndexOfAny('.', 'e', 'E') < 0 || ExactNumber.Parse(text).IsInteger;
        }
    }

    /// <summary>The value for an error message, as written; empty for objects and arrays.</summary>
    public string? Display => Kind switch
    {
        JsonValueKind.String => String,
        JsonValueKind.Number => NumberText,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
