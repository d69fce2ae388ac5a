using System.Text.Json;
using static DataExchange.Core.Datasets.Schemas.SchemaEvaluator;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>The object keywords of <see cref="SchemaEvaluator"/>: required, dependent*, min/maxProperties, the members' subschemas, unevaluatedProperties.</summary>
internal static class ObjectKeywords
{
    public static bool Check(SchemaEvaluator e, SchemaNode s, in JsonItem t, string at, List<RecordError>? errors, DynamicScope? scope, Evaluated? evaluated)
    {
        var o = t.Element;
        var ok = true;
        if (s.Required is { } required)
            foreach (var name in required)
                if (!o.TryGetProperty(name, out _))
                {
                    var missing = at + "/" + SchemaPointers.Escape(name);
                    ok = e.Fail(errors, "required", missing, s.Pointer + "/required", $"{missing} is required.");
                    if (errors is null) return false;
                }
        if (s.DependentRequired is { } dependent)
            foreach (var (name, needs) in dependent)
                if (o.TryGetProperty(name, out _))
                    foreach (var need in needs)
                        if (!o.TryGetProperty(need, out _))
                        {
                            var missing = at + "/" + SchemaPointers.Escape(need);
                            ok = e.Fail(errors, "dependentRequired", missing, s.Pointer + "/dependentRequired", $"{missing} is required when {at}/{SchemaPointers.Escape(name)} is present.");
                            if (errors is null) return false;
                        }
        var count = s.MinProperties is null && s.MaxProperties is null ? 0 : o.GetPropertyCount();
        if (count < s.MinProperties)
            ok = e.Fail(errors, "minProperties", at, s.Pointer + "/minProperties", $"{Where(at)} must have at least {s.MinProperties} properties.");
        if (count > s.MaxProperties)
            ok = e.Fail(errors, "maxProperties", at, s.Pointer + "/maxProperties", $"{Where(at)} must have at most {s.MaxProperties} properties.");
        if (errors is null && !ok) return false;
        foreach (var member in o.EnumerateObject())
        {
            try { ok &= CheckMember(e, s, member, at, errors, scope, evaluated); }
            catch (PatternTimeoutException timeout) when (errors is null)
            {
                timeout.Within(at + "/" + SchemaPointers.Escape(member.Name));
                throw;
            }
            if (errors is null && !ok) return false;
        }
        if (s.DependentSchemas is { } schemas)
            foreach (var (name, schema) in schemas)
                if (o.TryGetProperty(name, out _))
                {
                    ok &= e.Check(schema, t, at, errors, scope, evaluated);
                    if (errors is null && !ok) return false;
                }
        return ok;
    }

    static bool CheckMember(SchemaEvaluator e, SchemaNode s, JsonProperty member, string at, List<RecordError>? errors, DynamicScope? scope, Evaluated? evaluated)
    {
        var name = member.Name;
        var value = JsonItem.Of(member.Value);
        var child = errors is null ? "" : at + "/" + SchemaPointers.Escape(name);
        var ok = true;
        var matched = false;
        if (s.Properties is not null && s.Properties.TryGetValue(name, out var property))
        {
            matched = true;
            ok = e.Check(property, value, child, errors, scope, null);
        }
        if (s.PatternProperties is { } patterns)
            foreach (var (pattern, schema) in patterns)
                if (StringKeywords.Matches(pattern, name, child, s.Pointer + "/patternProperties/" + SchemaPointers.Escape(pattern.Source)))
                {
                    matched = true;
                    ok &= e.Check(schema, value, child, errors, scope, null);
                }
        if (!matched && s.AdditionalProperties is { } additional)
        {
            matched = true;
            ok &= additional.Constant == false
                ? e.Fail(errors, "additionalProperties", child, s.Pointer + "/additionalProperties", $"{child} is not a property of this schema.")
                : e.Check(additional, value, child, errors, scope, null);
        }
        if (s.PropertyNames is { } names && !e.Check(names, JsonItem.Scalar(JsonValueKind.String, name), child, null, scope, null))
            ok = e.Fail(errors, "propertyNames", child, s.Pointer + "/propertyNames", $"The property name '{name}' is not allowed here.");
        if (matched) evaluated?.Member(name);
        return ok;
    }

    public static bool CheckUnevaluated(SchemaEvaluator e, SchemaNode s, SchemaNode unevaluated, JsonElement o, string at, List<RecordError>? errors, DynamicScope? scope, Evaluated own)
    {
        var ok = true;
        foreach (var member in o.EnumerateObject())
        {
            if (own.HasMember(member.Name)) continue;
            var child = errors is null ? "" : at + "/" + SchemaPointers.Escape(member.Name);
            try
            {
                ok &= unevaluated.Constant == false
                    ? e.Fail(errors, "unevaluatedProperties", child, s.Pointer + "/unevaluatedProperties", $"{child} is not a property any rule here allows.")
                    : e.Check(unevaluated, JsonItem.Of(member.Value), child, errors, scope, null);
            }
            catch (PatternTimeoutException timeout) when (errors is null)
            {
                timeout.Within(at + "/" + SchemaPointers.Escape(member.Name));
                throw;
            }
            if (errors is null && !ok) return false;
        }
        foreach (var member in o.EnumerateObject()) own.Member(member.Name);
        return ok;
    }
}
