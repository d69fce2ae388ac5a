using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;

namespace DataExchange.Server.Console.Subscriptions;

/// <summary>One field's mask as the approval form posts it: none, <c>redact</c>, <c>partial</c> (with the characters kept) or <c>hash</c>.</summary>
public sealed class MaskInput
{
    public string Field { get; set; } = "";
    public string? Kind { get; set; }
    public string? KeepLast { get; set; }
}

/// <summary>One row filter as the approval form posts it: a field and <c>equals</c> a value, <c>in</c> values separated by commas, or a <c>range</c>.</summary>
public sealed class FilterInput
{
    public string? Field { get; set; }
    public string Op { get; set; } = "equals";
    public string? Value { get; set; }
    public string? Min { get; set; }
    public string? Max { get; set; }

    /// <summary>Whether the steward filled the row in at all (a blank row is the form's spare one).</summary>
    public bool IsBlank => string.IsNullOrWhiteSpace(Field);
}

/// <summary>
/// The approval form's masks, row filters and daily row quota (issue 18, item 8), turned into the rules of
/// schemas/access-policy.schema.json and back. Text the form takes is typed by the dataset's schema (a number for a
/// numeric field); what cannot be read is reported with the policy's pointer and a sentence naming the form's row,
/// before the policy itself is checked by <see cref="AccessPolicy.Parse"/>.
/// </summary>
public static class PolicyForm
{
    /// <summary>The mask choices with their labels; the empty value is no mask.</summary>
    public static IReadOnlyList<(string Value, string Label)> MaskChoices { get; } =
        [("", "No mask"), (FieldMask.HashKind, "Hash (joinable, not readable)"), (FieldMask.Partial, "Partial (keep the last characters)"), (FieldMask.Redact, "Redact (always empty)")];

    /// <summary>The filter conditions with their labels.</summary>
    public static IReadOnlyList<(string Value, string Label)> FilterChoices { get; } =
        [("equals", "equals"), ("in", "is one of (separated by commas)"), ("range", "is between (inclusive)")];

    /// <summary>The JSON types a dataset's schema declares for each top-level field (<c>["string"]</c> when it does not say).</summary>
    public static IReadOnlyDictionary<string, string[]> Types(JsonObject schema, IEnumerable<string> fields)
    {
        var properties = schema["properties"] as JsonObject;
        return fields.ToDictionary<string, string, string[]>(f => f, f => properties?[f]?["type"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
            JsonArray a => [.. a.Select(t => t?.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : "")],
            _ => ["string"],
        }, StringComparer.Ordinal);
    }

    /// <summary>Adds the masks, filters and quota of the form to <paramref name="policy"/>; problems go to <paramref name="errors"/>.</summary>
    public static void AddRules(JsonObject policy, IEnumerable<MaskInput> masks, IReadOnlyList<FilterInput> filters, string? quota,
        IReadOnlyDictionary<string, string[]> types, List<ProblemItem> errors)
    {
        var maskRules = new JsonObject();
        foreach (var m in masks.Where(m => !string.IsNullOrEmpty(m.Kind)))
        {
            if (m.Kind == FieldMask.Partial && !string.IsNullOrWhiteSpace(m.KeepLast))
            {
                if (int.TryParse(m.KeepLast, NumberStyles.None, CultureInfo.InvariantCulture, out var keep) && keep <= 64)
                    maskRules[m.Field] = new JsonObject { ["type"] = m.Kind, ["keepLast"] = keep };
                else errors.Add(new($"/policy/masks/{m.Field}/keepLast", "range", $"Mask of '{m.Field}': the characters to keep are a whole number from 0 to 64, not '{m.KeepLast}'."));
            }
            else maskRules[m.Field] = new JsonObject { ["type"] = m.Kind };
        }
        if (maskRules.Count > 0) policy["masks"] = maskRules;

        var filterRules = new JsonArray();
        for (var i = 0; i < filters.Count; i++)
            if (Filter(filters[i], i, types, errors) is { } rule) filterRules.Add(rule);
        if (filterRules.Count > 0) policy["filters"] = filterRules;

        if (string.IsNullOrWhiteSpace(quota)) return;
        if (long.TryParse(quota.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var rows) && rows >= 1) policy["dailyRowQuota"] = rows;
        else errors.Add(new("/policy/dailyRowQuota", "range", $"The daily row quota is a whole number of rows, 1 or more (or empty for none), not '{quota.Trim()}'."));
    }

    static JsonObject? Filter(FilterInput f, int index, IReadOnlyDictionary<string, string[]> types, List<ProblemItem> errors)
    {
        var pointer = $"/policy/filters/{index}";
        var row = $"Filter {index + 1} ('{f.Field}')";
        if (!types.TryGetValue(f.Field!, out var fieldTypes))
        {
            errors.Add(new(pointer + "/field", "unknown-field", $"{row}: '{f.Field}' is not a field of this dataset."));
            return null;
        }
        JsonNode? Typed(string text, string at) => Value(text.Trim(), fieldTypes, $"{pointer}/{at}", $"{row}", errors);
        switch (f.Op)
        {
            case "equals":
                return new JsonObject { ["field"] = f.Field, ["equals"] = Typed(f.Value ?? "", "equals") };
            case "in":
                var values = (f.Value ?? "").Split([',', '，'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (values.Length == 0)
                {
                    errors.Add(new(pointer + "/in", "required", $"{row}: give the values the field may hold, separated by commas."));
                    return null;
                }
                return new JsonObject { ["field"] = f.Field, ["in"] = new JsonArray([.. values.Select((v, i) => Typed(v, $"in/{i}"))]) };
            case "range":
                var range = new JsonObject();
                if (!string.IsNullOrWhiteSpace(f.Min)) range["min"] = Typed(f.Min, "range/min");
                if (!string.IsNullOrWhiteSpace(f.Max)) range["max"] = Typed(f.Max, "range/max");
                if (range.Count == 0) errors.Add(new(pointer + "/range", "required", $"{row}: give a lowest value, a highest value or both."));
                else if (fieldTypes.Contains("boolean") && !fieldTypes.Contains("string") && !IsNumeric(fieldTypes))
                    errors.Add(new(pointer + "/range", "type", $"{row}: a range needs numbers, or text such as dates; '{f.Field}' holds true or false."));
                return new JsonObject { ["field"] = f.Field, ["range"] = range };
            default:
                errors.Add(new(pointer, "filter-op", $"{row}: the condition is equals, is one of, or is between."));
                return null;
        }
    }

    /// <summary>A value typed as the field declares: a number for a numeric field, true/false for a boolean, else the text.</summary>
    static JsonNode? Value(string text, string[] types, string pointer, string row, List<ProblemItem> errors)
    {
        if (IsNumeric(types))
        {
            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                return JsonNode.Parse(number.ToString(CultureInfo.InvariantCulture));
            if (!types.Contains("string") && !types.Contains("boolean"))
            {
                errors.Add(new(pointer, "type", $"{row}: '{text}' is not a number, and the field holds numbers."));
                return null;
            }
        }
        if (types.Contains("boolean") && text is "true" or "false") return JsonValue.Create(text == "true");
        if (types.Contains("boolean") && !types.Contains("string"))
        {
            errors.Add(new(pointer, "type", $"{row}: '{text}' is not true or false, and the field holds true or false."));
            return null;
        }
        if (types.Contains("null") && text == "null") return null;
        return JsonValue.Create(text);
    }

    static bool IsNumeric(string[] types) => types.Contains("number") || types.Contains("integer");

    /// <summary>The form's masks, filters and quota of a stored policy, so that reviewing an approved subscription again starts from its rules.</summary>
    public static (List<MaskInput> Masks, List<FilterInput> Filters, string? Quota) From(JsonObject? policy, IEnumerable<string> fields)
    {
        var parsed = AccessPolicy.FromStored(policy);
        var masks = fields.Select(f => parsed.Masks.TryGetValue(f, out var m)
            ? new MaskInput { Field = f, Kind = m.Kind, KeepLast = m.Kind == FieldMask.Partial ? m.KeepLast.ToString(CultureInfo.InvariantCulture) : null }
            : new MaskInput { Field = f }).ToList();
        var filters = parsed.Filters.Select(f => new FilterInput
        {
            Field = f.Field,
            Op = f.Op,
            Value = f.Op == "range" ? null : string.Join(", ", f.Values.Select(Text)),
            Min = f.Min is null ? null : Text(f.Min),
            Max = f.Max is null ? null : Text(f.Max),
        }).ToList();
        return (masks, filters, parsed.DailyRowQuota?.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A stored policy's masks, filters and quota in one line for the subscriptions tables; empty when it has none.</summary>
    public static string Summary(JsonObject? policy)
    {
        if (policy is null) return "";
        var parsed = AccessPolicy.FromStored(policy);
        var parts = new List<string>();
        if (parsed.Masks.Count > 0) parts.Add("masks: " + string.Join(", ", parsed.Masks.Select(m => $"{m.Key} {m.Value.Describe()}")));
        if (parsed.Filters.Count > 0) parts.Add("rows: " + string.Join(" and ", parsed.Filters.Select(f => f.Describe())));
        if (parsed.DailyRowQuota is { } quota) parts.Add($"quota: {quota.ToString("N0", CultureInfo.InvariantCulture)} rows/day");
        return string.Join("; ", parts);
    }

    static string Text(JsonNode? value) => value is null ? "null" : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
}
