using System.Text.Json;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// Draft-07 and draft 2020-12 validation of every keyword the vetter accepts, written to the spec: lengths in
/// code points, 1.0 an integer, equality in the JSON data model, numbers compared exactly as written
/// (<see cref="ExactNumber"/>), never through double or decimal; unevaluated* from the annotations of the
/// subschemas that passed (<see cref="Evaluated"/>), $dynamicRef through the dynamic scope. A first pass only
/// answers valid or not (no allocations for the common valid record); errors are collected only for invalid ones.
/// This class applies the keywords of any type and dispatches by the instance's type to <see cref="StringKeywords"/>,
/// <see cref="NumberKeywords"/>, <see cref="ObjectKeywords"/> and <see cref="ArrayKeywords"/>, then to
/// <see cref="ApplicatorKeywords"/>; they call <see cref="Check"/> back for subschemas.
/// </summary>
internal sealed class SchemaEvaluator(CompiledSchema compiled, int version)
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

    /// <summary>The evaluation of every keyword of <paramref name="s"/>; the keyword groups call back for subschemas.</summary>
    internal bool Check(SchemaNode s, in JsonItem t, string at, List<RecordError>? errors, DynamicScope? scope, Evaluated? evaluated)
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
            JsonValueKind.String => StringKeywords.Check(this, s, t.String, t, at, errors),
            JsonValueKind.Number => NumberKeywords.Check(this, s, t, at, errors),
            JsonValueKind.Object => ObjectKeywords.Check(this, s, t, at, errors, scope, own),
            JsonValueKind.Array => ArrayKeywords.Check(this, s, t.Element, at, errors, scope, own),
            _ => true,
        };
        if (errors is null && !ok) return false;
        ok &= ApplicatorKeywords.Check(this, s, t, at, errors, scope, own);
        if (!s.TracksEvaluated) return ok;
        if (errors is null && !ok) return false;
        ok &= t.Kind switch
        {
            JsonValueKind.Object when s.UnevaluatedProperties is { } u => ObjectKeywords.CheckUnevaluated(this, s, u, t.Element, at, errors, scope, own!),
            JsonValueKind.Array when s.UnevaluatedItems is { } u => ArrayKeywords.CheckUnevaluated(this, s, u, t.Element, at, errors, scope, own!),
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

    internal bool Fail(List<RecordError>? errors, string code, string pointer, string schemaPointer, string message)
    {
        errors?.Add(new RecordError(code, pointer, schemaPointer, message, version));
        return false;
    }

    internal static string Where(string pointer) => pointer.Length == 0 ? "the record" : pointer;

    static string Describe(JsonTypes types) =>
        string.Join(" or ", Enum.GetValues<JsonTypes>().Where(f => f != JsonTypes.None && (types & f) != 0).Select(f => f.ToString().ToLowerInvariant()));

    // The value as written (a CSV cell 362 is quoted '362', a JSON 1e400 as '1e400').
    internal static string Value(in JsonItem t)
    {
        if (t.Display is not { } text) return "";
        return $" (value '{(text.Length <= 40 ? text : text[..40] + "…")}')";
    }
}

/// <summary>The schema resources entered on the way to a subschema, innermost first.</summary>
internal sealed record DynamicScope(SchemaScope Resource, DynamicScope? Parent);
