using System.Text.Json;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// Draft-07 and draft 2020-12 validation of every keyword the vetter accepts, written to the spec: lengths in
/// code points, 1.0 an integer, equality in the JSON data model, numbers compared exactly as written
/// (<see cref="ExactNumber"/>), never through double or decimal; unevaluated* from the annotations of the
/// subschemas that passed (<see cref="Evaluated"/>), $dynamicRef through the dynamic scope. A first pass only
/// answers valid or not (no allocations for the common valid record); errors are collected only for invalid ones.
/// </summary>
internal sealed partial class SchemaEvaluator(CompiledSchema compiled, int version)
{
    /// <summary>The compiled root, for <see cref="FlatRecordSchema"/>.</summary>
    public SchemaNode Root => compiled.Root;

    /// <summary>Whether <paramref name="instance"/> is valid.</summary>
    public bool IsValid(JsonElement instance) => Check(Root, JsonItem.Of(instance), "", null, Start(), null);

    /// <summary>
    /// Whether <paramref name="instance"/> is valid against the subschema <paramref name="s"/>, exactly as
    /// the check of a record's member against it (the same code, so the same keyword semantics).
    /// </summary>
    public bool IsValid(SchemaNode s, in JsonItem instance) => Check(s, instance, "", null, Start(), null);

    /// <summary>Every error of <paramref name="instance"/>; empty when valid.</summary>
    public IReadOnlyList<RecordError> Errors(JsonElement instance)
    {
        if (IsValid(instance)) return [];
        var errors = new List<RecordError>();
        Check(Root, JsonItem.Of(instance), "", errors, Start(), null);
        return errors;
    }

    // The dynamic scope is kept only when some $dynamicRef can use it.
    DynamicScope? Start() => compiled.UsesDynamicScope ? new DynamicScope(Root.Scope, null) : null;

    bool Check(SchemaNode s, in JsonItem t, string at, List<RecordError>? errors, DynamicScope? scope, Evaluated? evaluated)
    {
        if (s.Constant is { } constant)
            return constant || Fail(errors, "false", at, s.Pointer, $"{Where(at)} is not allowed here.");
        if (s.Predicate is { } predicate)
            return predicate(t) || Fail(errors, "schema", at, s.Pointer, $"{Where(at)} is not a valid JSON Schema.");
        if (scope is not null && !ReferenceEquals(scope.Resource, s.Scope)) scope = new DynamicScope(s.Scope, scope);
        var own = s.TracksEvaluated ? new Evaluated() : evaluated;
        var ok = true;
        if (s.Ref is { } target)
        {
            ok = Check(target, t, at, errors, scope, own);
            if (errors is null && !ok) return false;
        }
        if (s.DynamicRef is { } dynamic)
        {
            ok &= Check(Dynamic(s, dynamic, scope), t, at, errors, scope, own);
            if (errors is null && !ok) return false;
        }
        if (s.Types != JsonTypes.None && !HasType(s.Types, t))
        {
            ok = Fail(errors, "type", at, s.Pointer + "/type", $"{Where(at)} must be {Describe(s.Types)}{Value(t)}.");
            if (errors is null) return false;
        }
        if (s.Enum is { } allowed && !IsOneOf(allowed, t))
            ok = Fail(errors, "enum", at, s.Pointer + "/enum", $"{Where(at)} is not one of the allowed values{Value(t)}.");
        if (s.Const is { } expected && !JsonValues.DeepEquals(expected, t))
            ok = Fail(errors, "const", at, s.Pointer + "/const", $"{Where(at)} is not the one allowed value{Value(t)}.");
        if (errors is null && !ok) return false;
        ok &= t.Kind switch
        {
            JsonValueKind.String => CheckString(s, t.String, t, at, errors),
            JsonValueKind.Number => CheckNumber(s, t, at, errors),
            JsonValueKind.Object => CheckObject(s, t, at, errors, scope, own),
            JsonValueKind.Array => CheckArray(s, t.Element, at, errors, scope, own),
            _ => true,
        };
        if (errors is null && !ok) return false;
        ok &= CheckCombinators(s, t, at, errors, scope, own);
        if (!s.TracksEvaluated) return ok;
        if (errors is null && !ok) return false;
        ok &= t.Kind switch
        {
            JsonValueKind.Object when s.UnevaluatedProperties is { } u => CheckUnevaluatedProperties(s, u, t.Element, at, errors, scope, own!),
            JsonValueKind.Array when s.UnevaluatedItems is { } u => CheckUnevaluatedItems(s, u, t.Element, at, errors, scope, own!),
            _ => true,
        };
        if (ok) evaluated?.Merge(own!);
        return ok;
    }

    // The outermost resource of the dynamic scope that names the anchor wins; else the static target.
    static SchemaNode Dynamic(SchemaNode s, SchemaNode target, DynamicScope? scope)
    {
        if (s.DynamicName is not { } name) return target;
        var found = target;
        for (var x = scope; x is not null; x = x.Parent)
            if (x.Resource.DynamicAnchors.TryGetValue(name, out var n)) found = n;
        return found;
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
        if (s.Pattern is { } pattern && !Matches(pattern, v, at, s.Pointer + "/pattern"))
            ok = Fail(errors, "pattern", at, s.Pointer + "/pattern", $"{Where(at)} does not match the pattern {pattern.Source}{Value(t)}.");
        if ((s.Base64 || s.JsonContent) && !HasContent(s, v))
            ok = Fail(errors, "content", at, s.Pointer + (s.JsonContent ? "/contentMediaType" : "/contentEncoding"), $"{Where(at)} is not {(s.Base64 ? "base64" : "")}{(s.Base64 && s.JsonContent ? "-encoded " : "")}{(s.JsonContent ? "JSON" : "")}{Value(t)}.");
        if (s.Format is { } format && !format.IsValid(v))
            ok = Fail(errors, "format", at, s.Pointer + "/format", $"{Where(at)} is not a valid {format.Format}{Value(t)}.");
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
    static bool Matches(SchemaPattern pattern, string v, string at, string schemaPointer) =>
        pattern.TryMatch(v, out var matched) ? matched : throw new PatternTimeoutException(at, schemaPointer, pattern.Source);

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

    static bool HasType(JsonTypes types, in JsonItem t) => t.Kind switch
    {
        JsonValueKind.Null => (types & JsonTypes.Null) != 0,
        JsonValueKind.True or JsonValueKind.False => (types & JsonTypes.Boolean) != 0,
        JsonValueKind.Object => (types & JsonTypes.Object) != 0,
        JsonValueKind.Array => (types & JsonTypes.Array) != 0,
        JsonValueKind.Number => (types & JsonTypes.Number) != 0 || ((types & JsonTypes.Integer) != 0 && t.IsInteger),
        _ => (types & JsonTypes.String) != 0,
    };

    static bool IsOneOf(JsonItem[] allowed, in JsonItem t)
    {
        foreach (var v in allowed)
            if (JsonValues.DeepEquals(v, t)) return true;
        return false;
    }

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

    /// <summary>The schema resources entered on the way to a subschema, innermost first.</summary>
    sealed record DynamicScope(SchemaScope Resource, DynamicScope? Parent);
}
