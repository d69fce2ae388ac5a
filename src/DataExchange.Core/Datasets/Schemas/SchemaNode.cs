using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>JSON types as a flag set; 0 means any type.</summary>
[Flags]
internal enum JsonTypes { None = 0, Null = 1, Boolean = 2, Object = 4, Array = 8, Number = 16, Integer = 32, String = 64 }

/// <summary>
/// One (sub)schema compiled once from a vetted document: every keyword the vetter accepts as an
/// assertion, with its values pre-parsed, so validating a record does no lookups by name.
/// </summary>
internal sealed class SchemaNode
{
    public required string Pointer { get; init; }
    public bool? Constant { get; init; }
    public SchemaNode? Ref { get; set; }
    public JsonTypes Types { get; set; }
    public Dictionary<string, SchemaNode>? Properties { get; set; }
    public string[]? Required { get; set; }
    public SchemaNode? AdditionalProperties { get; set; }
    public JsonItem[]? Enum { get; set; }
    public int? MinLength { get; set; }
    public int? MaxLength { get; set; }
    public Regex? Pattern { get; set; }

    /// <summary>The pattern as written in the schema, for messages (the compiled one is rewritten for ECMA-262 semantics).</summary>
    public string? PatternSource { get; set; }
    public StrictFormats.StringFormat? Format { get; set; }
    public ExactNumber? Minimum { get; set; }
    public ExactNumber? Maximum { get; set; }
    public ExactNumber? ExclusiveMinimum { get; set; }
    public ExactNumber? ExclusiveMaximum { get; set; }
    public ExactNumber? MultipleOf { get; set; }
    public SchemaNode? Items { get; set; }
    public int? MinItems { get; set; }
    public int? MaxItems { get; set; }
    public bool UniqueItems { get; set; }
    public int? MinProperties { get; set; }
    public int? MaxProperties { get; set; }
    public SchemaNode[]? AllOf { get; set; }
    public SchemaNode[]? AnyOf { get; set; }
    public SchemaNode[]? OneOf { get; set; }
    public SchemaNode? Not { get; set; }

    /// <summary>Compiles the root of a document the vetter has accepted (refs resolve, shapes are right).</summary>
    public static SchemaNode Compile(JsonObject document) => new Compiler(document).At(document, "");

    /// <summary>Regex matching with ECMA-262 semantics where .NET differs: '$' matches only at the very end.</summary>
    public static Regex EcmaRegex(string pattern) =>
        new(EcmaDollar(pattern), RegexOptions.ECMAScript, TimeSpan.FromMilliseconds(100));

    // .NET's '$' also matches before a final "\n" (so "^a$" accepts "a\n"); ECMA-262's does not.
    static string EcmaDollar(string pattern)
    {
        var sb = new System.Text.StringBuilder(pattern.Length + 8);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length) { sb.Append(c).Append(pattern[++i]); continue; }
            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            if (c == '$' && !inClass) sb.Append("(?![\\s\\S])");
            else sb.Append(c);
        }
        return sb.ToString();
    }

    sealed class Compiler(JsonObject document)
    {
        readonly Dictionary<string, SchemaNode> _byPointer = new(StringComparer.Ordinal);

        public SchemaNode At(JsonNode? node, string pointer)
        {
            if (_byPointer.TryGetValue(pointer, out var done)) return done;
            if (node is not JsonObject obj)
            {
                var constant = new SchemaNode { Pointer = pointer, Constant = node is null || node.GetValue<bool>() };
                _byPointer[pointer] = constant;
                return constant;
            }
            var s = new SchemaNode { Pointer = pointer };
            _byPointer[pointer] = s; // before children, so recursive refs find it
            foreach (var (keyword, value) in obj)
            {
                var at = pointer + "/" + SchemaPointers.Escape(keyword);
                switch (keyword)
                {
                    case "$ref": s.Ref = Resolve(value!.GetValue<string>()); break;
                    case "type": s.Types = ReadTypes(value!); break;
                    case "properties":
                        s.Properties = value!.AsObject().ToDictionary(p => p.Key, p => At(p.Value, at + "/" + SchemaPointers.Escape(p.Key)), StringComparer.Ordinal);
                        break;
                    case "required": s.Required = [.. value!.AsArray().Select(n => n!.GetValue<string>())]; break;
                    case "additionalProperties": s.AdditionalProperties = At(value, at); break;
                    case "enum": s.Enum = [.. value!.AsArray().Select(n => JsonItem.Of(JsonElement.Parse(n?.ToJsonString() ?? "null")))]; break;
                    case "minLength": s.MinLength = Count(value); break;
                    case "maxLength": s.MaxLength = Count(value); break;
                    case "pattern": s.PatternSource = value!.GetValue<string>(); s.Pattern = EcmaRegex(s.PatternSource); break;
                    case "format": s.Format = StrictFormats.All.First(f => f.Format == value!.GetValue<string>()); break;
                    case "minimum": s.Minimum = Number(value); break;
                    case "maximum": s.Maximum = Number(value); break;
                    case "exclusiveMinimum": s.ExclusiveMinimum = Number(value); break;
                    case "exclusiveMaximum": s.ExclusiveMaximum = Number(value); break;
                    case "multipleOf": s.MultipleOf = Number(value); break;
                    case "items": s.Items = At(value, at); break;
                    case "minItems": s.MinItems = Count(value); break;
                    case "maxItems": s.MaxItems = Count(value); break;
                    case "uniqueItems": s.UniqueItems = value!.GetValue<bool>(); break;
                    case "minProperties": s.MinProperties = Count(value); break;
                    case "maxProperties": s.MaxProperties = Count(value); break;
                    case "allOf": s.AllOf = List(value!, at); break;
                    case "anyOf": s.AnyOf = List(value!, at); break;
                    case "oneOf": s.OneOf = List(value!, at); break;
                    case "not": s.Not = At(value, at); break;
                }
            }
            return s;
        }

        SchemaNode[] List(JsonNode value, string at) => [.. value.AsArray().Select((n, i) => At(n, $"{at}/{i}"))];

        SchemaNode Resolve(string reference)
        {
            var pointer = SchemaPointers.FromFragment(reference);
            return At(SchemaPointers.Find(document, pointer), pointer);
        }

        static JsonTypes ReadTypes(JsonNode value) =>
            value is JsonArray list ? list.Aggregate(JsonTypes.None, (t, n) => t | TypeOf(n!.GetValue<string>())) : TypeOf(value.GetValue<string>());

        static JsonTypes TypeOf(string name) => System.Enum.Parse<JsonTypes>(name, ignoreCase: true);

        // Limits beyond int.MaxValue cannot be reached by any string or array .NET can hold.
        static int Count(JsonNode? value)
        {
            var n = Number(value);
            if (n > IntMax) return int.MaxValue;
            if (n < One) return 0;
            // 1 <= n <= 2^31-1: at most as many fraction digits as written, so the power stays small.
            var whole = n.Exponent >= 0 ? n.Significand * System.Numerics.BigInteger.Pow(10, n.Exponent) : n.Significand / System.Numerics.BigInteger.Pow(10, -n.Exponent);
            return (int)whole;
        }

        static readonly ExactNumber IntMax = ExactNumber.Parse("2147483647"), One = ExactNumber.Parse("1");

        // The number as written in the schema document (JsonNode keeps its text), parsed exactly.
        static ExactNumber Number(JsonNode? value) => ExactNumber.Parse(value!.ToJsonString());
    }
}
