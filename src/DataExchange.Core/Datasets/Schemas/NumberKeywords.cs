using static DataExchange.Core.Datasets.Schemas.SchemaEvaluator;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>The number keywords of <see cref="SchemaEvaluator"/>, compared exactly as written (<see cref="Common.ExactNumber"/>).</summary>
internal static class NumberKeywords
{
    public static bool Check(SchemaEvaluator e, SchemaNode s, in JsonItem t, string at, List<RecordError>? errors)
    {
        var ok = true;
        if (s.Minimum is null && s.Maximum is null && s.ExclusiveMinimum is null && s.ExclusiveMaximum is null && s.MultipleOf is null) return true;
        var v = t.Number;
        if (s.Minimum is { } min && v < min)
            ok = e.Fail(errors, "minimum", at, s.Pointer + "/minimum", $"{Where(at)} must be at least {min}{Value(t)}.");
        if (s.ExclusiveMinimum is { } xmin && v <= xmin)
            ok = e.Fail(errors, "exclusiveMinimum", at, s.Pointer + "/exclusiveMinimum", $"{Where(at)} must be more than {xmin}{Value(t)}.");
        if (s.Maximum is { } max && v > max)
            ok = e.Fail(errors, "maximum", at, s.Pointer + "/maximum", $"{Where(at)} must be at most {max}{Value(t)}.");
        if (s.ExclusiveMaximum is { } xmax && v >= xmax)
            ok = e.Fail(errors, "exclusiveMaximum", at, s.Pointer + "/exclusiveMaximum", $"{Where(at)} must be less than {xmax}{Value(t)}.");
        if (s.MultipleOf is { } step && !v.IsMultipleOf(step))
            ok = e.Fail(errors, "multipleOf", at, s.Pointer + "/multipleOf", $"{Where(at)} must be a multiple of {step}{Value(t)}.");
        return ok;
    }
}
