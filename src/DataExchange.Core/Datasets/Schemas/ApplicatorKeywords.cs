using static DataExchange.Core.Datasets.Schemas.SchemaEvaluator;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>The in-place applicators of <see cref="SchemaEvaluator"/> that combine subschemas: allOf, anyOf, oneOf, not, if/then/else.</summary>
internal static class ApplicatorKeywords
{
    // Subschemas whose failure does not fail this schema (anyOf, oneOf, if) collect annotations apart and
    // hand them on only when they pass; allOf, then and else fail it with them, so they share its set.
    public static bool Check(SchemaEvaluator e, SchemaNode s, in JsonItem t, string at, List<RecordError>? errors, DynamicScope? scope, Evaluated? evaluated)
    {
        var ok = true;
        if (s.AllOf is { } all)
            foreach (var branch in all)
            {
                ok &= e.Check(branch, t, at, errors, scope, evaluated);
                if (errors is null && !ok) return false;
            }
        if (s.AnyOf is { } any && Matching(e, any, t, at, scope, evaluated, stopAt: evaluated is null ? 1 : int.MaxValue) == 0)
            ok = e.Fail(errors, "anyOf", at, s.Pointer + "/anyOf", $"{Where(at)} matches none of the allowed schemas (anyOf).");
        if (s.OneOf is { } one)
        {
            var matches = Matching(e, one, t, at, scope, evaluated, stopAt: evaluated is null ? 2 : int.MaxValue);
            if (matches != 1)
                ok = e.Fail(errors, "oneOf", at, s.Pointer + "/oneOf", $"{Where(at)} matches {(matches == 0 ? "none" : "more than one")} of the schemas; exactly one must match (oneOf).");
        }
        if (s.Not is { } not && e.Check(not, t, at, null, scope, null))
            ok = e.Fail(errors, "not", at, s.Pointer + "/not", $"{Where(at)} matches a schema it must not match (not).");
        if (s.If is { } condition)
        {
            var branch = Passes(e, condition, t, at, scope, evaluated) ? s.Then : s.Else;
            if (branch is not null) ok &= e.Check(branch, t, at, errors, scope, evaluated);
        }
        return ok;
    }

    /// <summary>
    /// How many of <paramref name="branches"/> <paramref name="t"/> is valid against, counting no further than
    /// <paramref name="stopAt"/>; the annotations of those that pass go to <paramref name="evaluated"/>.
    /// </summary>
    static int Matching(SchemaEvaluator e, SchemaNode[] branches, in JsonItem t, string at, DynamicScope? scope, Evaluated? evaluated, int stopAt)
    {
        var n = 0;
        foreach (var b in branches)
            if (Passes(e, b, t, at, scope, evaluated) && ++n == stopAt) break;
        return n;
    }

    /// <summary>Whether <paramref name="t"/> is valid against <paramref name="branch"/>; if so, its annotations go to <paramref name="evaluated"/>.</summary>
    static bool Passes(SchemaEvaluator e, SchemaNode branch, in JsonItem t, string at, DynamicScope? scope, Evaluated? evaluated)
    {
        var own = evaluated is null ? null : new Evaluated();
        if (!e.Check(branch, t, at, null, scope, own)) return false;
        if (own is not null) evaluated!.Merge(own);
        return true;
    }
}
