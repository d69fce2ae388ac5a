using System.Text.Json;
using static DataExchange.Core.Datasets.Schemas.SchemaEvaluator;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>The array keywords of <see cref="SchemaEvaluator"/>: min/maxItems, uniqueItems, prefixItems and items, contains, unevaluatedItems.</summary>
internal static class ArrayKeywords
{
    public static bool Check(SchemaEvaluator e, SchemaNode s, JsonElement array, string at, List<RecordError>? errors, DynamicScope? scope, Evaluated? evaluated)
    {
        var ok = true;
        var a = Items(array);
        if (a.Length < s.MinItems)
            ok = e.Fail(errors, "minItems", at, s.Pointer + "/minItems", $"{Where(at)} must have at least {s.MinItems} items.");
        if (a.Length > s.MaxItems)
            ok = e.Fail(errors, "maxItems", at, s.Pointer + "/maxItems", $"{Where(at)} must have at most {s.MaxItems} items.");
        if (s.UniqueItems && JsonValues.FirstRepeat(a) is var (first, repeat) && repeat > 0)
            ok = e.Fail(errors, "uniqueItems", at, s.Pointer + "/uniqueItems", $"{Where(at)} has equal items at {first} and {repeat}.");
        if (errors is null && !ok) return false;
        var prefix = s.PrefixItems is { } tuple ? Math.Min(tuple.Length, a.Length) : 0;
        var i = 0;
        try
        {
            for (; i < prefix; i++)
            {
                ok &= e.Check(s.PrefixItems![i], a[i], errors is null ? "" : $"{at}/{i}", errors, scope, null);
                if (errors is null && !ok) return false;
            }
            evaluated?.Prefix(prefix);
            if (s.Items is { } items)
            {
                for (i = prefix; i < a.Length; i++)
                {
                    ok &= items.Constant == false
                        ? e.Fail(errors, "items", $"{at}/{i}", s.Pointer + "/items", $"{at}/{i} is beyond the items this schema allows.")
                        : e.Check(items, a[i], errors is null ? "" : $"{at}/{i}", errors, scope, null);
                    if (errors is null && !ok) return false;
                }
                evaluated?.AllItems();
            }
        }
        catch (PatternTimeoutException timeout) when (errors is null)
        {
            timeout.Within($"{at}/{i}");
            throw;
        }
        if (s.Contains is { } contains) ok &= CheckContains(e, s, contains, a, at, errors, scope, evaluated);
        return ok;
    }

    static bool CheckContains(SchemaEvaluator e, SchemaNode s, SchemaNode contains, JsonItem[] a, string at, List<RecordError>? errors, DynamicScope? scope, Evaluated? evaluated)
    {
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            bool contained;
            try { contained = e.Check(contains, a[i], "", null, scope, null); }
            catch (PatternTimeoutException timeout)
            {
                timeout.Within($"{at}/{i}");
                throw;
            }
            if (!contained) continue;
            matches++;
            evaluated?.Contained(i);
        }
        if (matches < s.MinContains)
            return e.Fail(errors, "contains", at, s.Pointer + "/contains", $"{Where(at)} has {matches} items matching the contains rule; at least {s.MinContains} must.");
        if (matches > s.MaxContains)
            return e.Fail(errors, "maxContains", at, s.Pointer + "/maxContains", $"{Where(at)} has {matches} items matching the contains rule; at most {s.MaxContains} may.");
        return true;
    }

    public static bool CheckUnevaluated(SchemaEvaluator e, SchemaNode s, SchemaNode unevaluated, JsonElement array, string at, List<RecordError>? errors, DynamicScope? scope, Evaluated own)
    {
        var ok = true;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (!own.HasItem(i))
            {
                try
                {
                    ok &= unevaluated.Constant == false
                        ? e.Fail(errors, "unevaluatedItems", $"{at}/{i}", s.Pointer + "/unevaluatedItems", $"{at}/{i} is not an item any rule here allows.")
                        : e.Check(unevaluated, JsonItem.Of(item), errors is null ? "" : $"{at}/{i}", errors, scope, null);
                }
                catch (PatternTimeoutException timeout) when (errors is null)
                {
                    timeout.Within($"{at}/{i}");
                    throw;
                }
                if (errors is null && !ok) return false;
            }
            i++;
        }
        own.AllItems();
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
}
