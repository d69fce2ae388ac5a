using System.Text.Json;
using System.Text.RegularExpressions;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// Draft-07 validation of the keywords the vetter accepts, written to the spec because NJsonSchema 11
/// disagrees with it on lengths (UTF-16 units), required on non-objects, boolean subschemas, 1.0 as
/// an integer, enum/uniqueItems equality and big numbers. Records are System.Text.Json elements and
/// numbers are compared exactly as written (<see cref="ExactNumber"/>), never through double or decimal. A first pass only answers valid or not
/// (no allocations for the common valid record); errors are collected only for invalid ones.
/// </summary>
internal sealed class SchemaEvaluator(SchemaNode root, int version)
{
    /// <summary>Whether <paramref name="instance"/> is valid.</summary>
    public bool IsValid(JsonElement instance) => Check(root, JsonItem.Of(instance), "", null);

    /// <summary>The compiled root, for <see cref="FlatRecordSchema"/>.</summary>
    public SchemaNode Root => root;

    /// <summary>
    /// Whether <paramref name="instance"/> is valid against the subschema <paramref name="s"/>, exactly as
    /// the check of a record's member against it (the same code, so the same keyword semantics).
    /// </summary>
    public bool IsValid(SchemaNode s, in JsonItem instance) => Check(s, instance, "", null);

    /// <summary>Every error of <paramref name="instance"/>; empty when valid.</summary>
    public IReadOnlyList<RecordError> Errors(JsonElement instance)
    {
        if (IsValid(instance)) return [];
        var errors = new List<RecordError>();
        Check(root, JsonItem.Of(instance), "", errors);
        return errors;
    }

    bool Check(SchemaNode s, in JsonItem t, string at, List<RecordError>? errors)
    {
        if (s.Constant is { } constant)
            return constant || Fail(errors, "false", at, s.Pointer, $"{Where(at)} is not allowed here.");
        // draft-07: a $ref replaces its schema; the vetter refuses assertions beside it, so nothing is lost.
        if (s.Ref is { } target) return Check(target, t, at, errors);
        var ok = true;
        if (s.Types != JsonTypes.None && !HasType(s.Types, t))
        {
            ok = Fail(errors, "type", at, s.Pointer + "/type", $"{Where(at)} must be {Describe(s.Types)}{Value(t)}.");
            if (errors is null) return false;
        }
        if (s.Enum is { } allowed && !IsOneOf(allowed, t))
            ok = Fail(errors, "enum", at, s.Pointer + "/enum", $"{Where(at)} is not one of the allowed values{Value(t)}.");
        if (errors is null && !ok) return false;
        ok &= t.Kind switch
        {
            JsonValueKind.String => CheckString(s, t.String, t, at, errors),
            JsonValueKind.Number => CheckNumber(s, t, at, errors),
            JsonValueKind.Object => CheckObject(s, t.Element, at, errors),
            JsonValueKind.Array => CheckArray(s, t.Element, at, errors),
            _ => true,
        };
        if (errors is null && !ok) return false;
        return CheckCombinators(s, t, at, errors) && ok;
    }

    bool CheckString(SchemaNode s, string v, in JsonItem t, string at, List<RecordError>? errors)
    {
        var ok = true;
        if (s.MinLength is not null || s.MaxLength is not null)
        {
            var length = JsonValues.CodePoints(v);
            if (length < s.MinLength)
                ok = Fail(errors, "minLength", at, s.Pointer + "/minLength", $"{Where(at)} must be at least {s.MinLength} characters{Value(t)}.");
            if (length > s.MaxLength)
                ok = Fail(errors, "maxLength", at, s.Pointer + "/maxLength", $"{Where(at)} must be at most {s.MaxLength} characters{Value(t)}.");
        }
        if (s.Pattern is { } pattern && !Matches(pattern, v))
            ok = Fail(errors, "pattern", at, s.Pointer + "/pattern", $"{Where(at)} does not match the pattern {s.PatternSource}{Value(t)}.");
        if (s.Format is { } format && !format.IsValid(v))
            ok = Fail(errors, "format", at, s.Pointer + "/format", $"{Where(at)} is not a valid {format.Format}{Value(t)}.");
        return ok;
    }

    // A pattern that runs past its 100 ms budget (catastrophic backtracking) fails closed.
    static bool Matches(Regex pattern, string v)
    {
        try { return pattern.IsMatch(v); }
        catch (RegexMatchTimeoutException) { return false; }
    }

    bool CheckNumber(SchemaNode s, in JsonItem t, string at, List<RecordError>? errors)
    {
        var ok = true;
        if (s.Minimum is null && s.Maximum is null && s.ExclusiveMinimum is null && s.ExclusiveMaximum is null && s.MultipleOf is null) return true;
        var v = t.Number;
        if (s.Minimum is { } min && v < min)
            ok = Fail(errors, "minimum", at, s.Pointer + "/minimum", $"{Where(at)} must be at least {min}{Value(t)}.");
        if (s.ExclusiveMinimum is { } xmin && v <= xmin)
            ok = Fail(errors, "exclusiveMinimum", at, s.Pointer + "/exclusiveMinimum", $"{Where(at)} must be more than {xmin}{Value(t)}.");
        if (s.Maximum is { } max && v > max)
            ok = Fail(errors, "maximum", at, s.Pointer + "/maximum", $"{Where(at)} must be at most {max}{Value(t)}.");
        if (s.ExclusiveMaximum is { } xmax && v >= xmax)
            ok = Fail(errors, "exclusiveMaximum", at, s.Pointer + "/exclusiveMaximum", $"{Where(at)} must be less than {xmax}{Value(t)}.");
        if (s.MultipleOf is { } step && !v.IsMultipleOf(step))
            ok = Fail(errors, "multipleOf", at, s.Pointer + "/multipleOf", $"{Where(at)} must be a multiple of {step}{Value(t)}.");
        return ok;
    }

    bool CheckObject(SchemaNode s, JsonElement o, string at, List<RecordError>? errors)
    {
        var ok = true;
        if (s.Required is { } required)
            foreach (var name in required)
                if (!o.TryGetProperty(name, out _))
                {
                    var missing = at + "/" + SchemaPointers.Escape(name);
                    ok = Fail(errors, "required", missing, s.Pointer + "/required", $"{missing} is required.");
                    if (errors is null) return false;
                }
        var count = s.MinProperties is null && s.MaxProperties is null ? 0 : o.GetPropertyCount();
        if (count < s.MinProperties)
            ok = Fail(errors, "minProperties", at, s.Pointer + "/minProperties", $"{Where(at)} must have at least {s.MinProperties} properties.");
        if (count > s.MaxProperties)
            ok = Fail(errors, "maxProperties", at, s.Pointer + "/maxProperties", $"{Where(at)} must have at most {s.MaxProperties} properties.");
        if (errors is null && !ok) return false;
        foreach (var member in o.EnumerateObject())
        {
            var name = member.Name;
            var value = JsonItem.Of(member.Value);
            var child = errors is null ? "" : at + "/" + SchemaPointers.Escape(name);
            if (s.Properties is not null && s.Properties.TryGetValue(name, out var property))
                ok &= Check(property, value, child, errors);
            else if (s.AdditionalProperties is { Constant: false })
                ok = Fail(errors, "additionalProperties", child, s.Pointer + "/additionalProperties", $"{child} is not a property of this schema.");
            else if (s.AdditionalProperties is { } additional)
                ok &= Check(additional, value, child, errors);
            if (errors is null && !ok) return false;
        }
        return ok;
    }

    bool CheckArray(SchemaNode s, JsonElement array, string at, List<RecordError>? errors)
    {
        var ok = true;
        var a = Items(array);
        if (a.Length < s.MinItems)
            ok = Fail(errors, "minItems", at, s.Pointer + "/minItems", $"{Where(at)} must have at least {s.MinItems} items.");
        if (a.Length > s.MaxItems)
            ok = Fail(errors, "maxItems", at, s.Pointer + "/maxItems", $"{Where(at)} must have at most {s.MaxItems} items.");
        if (s.UniqueItems)
            for (var i = 1; i < a.Length && ok; i++)
                for (var j = 0; j < i; j++)
                    if (JsonValues.DeepEquals(a[i], a[j]))
                    {
                        ok = Fail(errors, "uniqueItems", at, s.Pointer + "/uniqueItems", $"{Where(at)} has equal items at {j} and {i}.");
                        break;
                    }
        if (errors is null && !ok) return false;
        if (s.Items is { } items)
            for (var i = 0; i < a.Length; i++)
            {
                ok &= Check(items, a[i], errors is null ? "" : $"{at}/{i}", errors);
                if (errors is null && !ok) return false;
            }
        return ok;
    }

    bool CheckCombinators(SchemaNode s, in JsonItem t, string at, List<RecordError>? errors)
    {
        var ok = true;
        if (s.AllOf is { } all)
            foreach (var branch in all)
            {
                ok &= Check(branch, t, at, errors);
                if (errors is null && !ok) return false;
            }
        if (s.AnyOf is { } any && Matching(any, t, at, stopAt: 1) == 0)
            ok = Fail(errors, "anyOf", at, s.Pointer + "/anyOf", $"{Where(at)} matches none of the allowed schemas (anyOf).");
        if (s.OneOf is { } one)
        {
            var matches = Matching(one, t, at, stopAt: int.MaxValue);
            if (matches != 1)
                ok = Fail(errors, "oneOf", at, s.Pointer + "/oneOf", $"{Where(at)} matches {matches} of the schemas; exactly one must match (oneOf).");
        }
        if (s.Not is { } not && Check(not, t, at, null))
            ok = Fail(errors, "not", at, s.Pointer + "/not", $"{Where(at)} matches a schema it must not match (not).");
        return ok;
    }

    // Loops, not LINQ lambdas: a lambda capturing a parameter makes every call of the enclosing method
    // allocate its closure, even when the keyword is absent (64 bytes per checked value).
    static JsonItem[] Items(JsonElement array)
    {
        var items = new JsonItem[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray()) items[i++] = JsonItem.Of(item);
        return items;
    }

    static bool IsOneOf(JsonItem[] allowed, in JsonItem t)
    {
        foreach (var v in allowed)
            if (JsonValues.DeepEquals(v, t)) return true;
        return false;
    }

    /// <summary>How many of <paramref name="branches"/> <paramref name="t"/> is valid against, counting no further than <paramref name="stopAt"/>.</summary>
    int Matching(SchemaNode[] branches, in JsonItem t, string at, int stopAt)
    {
        var n = 0;
        foreach (var b in branches)
            if (Check(b, t, at, null) && ++n == stopAt) break;
        return n;
    }

    static bool HasType(JsonTypes types, in JsonItem t) => t.Kind switch
    {
        JsonValueKind.Null => (types & JsonTypes.Null) != 0,
        JsonValueKind.True or JsonValueKind.False => (types & JsonTypes.Boolean) != 0,
        JsonValueKind.Object => (types & JsonTypes.Object) != 0,
        JsonValueKind.Array => (types & JsonTypes.Array) != 0,
        JsonValueKind.Number => (types & JsonTypes.Number) != 0 || ((types & JsonTypes.Integer) != 0 && t.IsInteger),
        _ => (types & JsonTypes.String) != 0,
    };

    bool Fail(List<RecordError>? errors, string code, string pointer, string schemaPointer, string message)
    {
        errors?.Add(new RecordError(code, pointer, schemaPointer, message, version));
        return false;
    }

    static string Where(string pointer) => pointer.Length == 0 ? "the record" : pointer;

    static string Describe(JsonTypes types) =>
        string.Join(" or ", Enum.GetValues<JsonTypes>().Where(f => f != JsonTypes.None && (types & f) != 0).Select(f => f.ToString().ToLowerInvariant()));

    // The value as written (a CSV cell 362 is quoted '362', a JSON 1e400 as '1e400').
    static string Value(in JsonItem t)
    {
        if (t.Display is not { } text) return "";
        return $" (value '{(text.Length <= 40 ? text : text[..40] + "…")}')";
    }
}
