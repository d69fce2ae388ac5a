using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using NpgsqlTypes;

namespace DataExchange.Core.Subscriptions;

/// <summary>
/// A row restriction on one field, compiled to parameterised SQL on the jsonb column: <c>equals</c>
/// (one value), <c>in</c> (a list) or <c>range</c> (<c>min</c>/<c>max</c>, inclusive; numbers
/// compare numerically, strings such as ISO dates by byte order). Neither the field name nor any
/// value is ever spliced into the SQL text.
/// </summary>
public sealed record RowFilter(string Field, string Op, IReadOnlyList<JsonNode?> Values, JsonNode? Min, JsonNode? Max)
{
    /// <summary>One-line description for the policy summary.</summary>
    public string Describe() => Op switch
    {
        "equals" => $"{Field} = {Values[0]?.ToJsonString()}",
        "in" => $"{Field} in [{string.Join(", ", Values.Select(v => v?.ToJsonString()))}]",
        _ => $"{Min?.ToJsonString() ?? "-inf"} <= {Field} <= {Max?.ToJsonString() ?? "+inf"}",
    };

    /// <summary>
    /// Appends <c> and …</c> for every filter over <paramref name="alias"/>.data to <paramref name="sql"/>,
    /// adding the parameters to <paramref name="args"/> (positional, continuing its numbering).
    /// </summary>
    public static string Compile(IReadOnlyList<RowFilter> filters, string alias, List<(object Value, NpgsqlDbType Type)> args)
    {
        var sql = new StringBuilder();
        string P(object value, NpgsqlDbType type) { args.Add((value, type)); return "$" + args.Count.ToString(CultureInfo.InvariantCulture); }
        foreach (var f in filters)
        {
            var field = P(f.Field, NpgsqlDbType.Text);
            switch (f.Op)
            {
                case "equals":
                    sql.Append(CultureInfo.InvariantCulture, $" and {alias}.data -> {field} = {P(f.Values[0]?.ToJsonString() ?? "null", NpgsqlDbType.Jsonb)}");
                    break;
                case "in":
                    sql.Append(CultureInfo.InvariantCulture, $" and {alias}.data -> {field} = any({P(f.Values.Select(v => v?.ToJsonString() ?? "null").ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Jsonb)})");
                    break;
                default:
                    var numeric = (f.Min ?? f.Max)!.GetValueKind() == JsonValueKind.Number;
                    // The cast is guarded by CASE (AND does not fix evaluation order): a non-number never reaches ::numeric.
                    var value = numeric
                        ? $"(case when jsonb_typeof({alias}.data -> {field}) = 'number' then ({alias}.data ->> {field})::numeric end)"
                        : $"(case when jsonb_typeof({alias}.data -> {field}) = 'string' then ({alias}.data ->> {field}) end) collate \"C\"";
                    if (f.Min is not null) sql.Append(CultureInfo.InvariantCulture, $" and {value} >= {Bound(f.Min, numeric, P)}");
                    if (f.Max is not null) sql.Append(CultureInfo.InvariantCulture, $" and {value} <= {Bound(f.Max, numeric, P)}");
                    break;
            }
        }
        return sql.ToString();
    }

    static string Bound(JsonNode bound, bool numeric, Func<object, NpgsqlDbType, string> p) => numeric
        ? p(bound.GetValue<decimal>(), NpgsqlDbType.Numeric)
        : p(bound.GetValue<string>(), NpgsqlDbType.Text);

    /// <summary>Parses <c>{ field, equals | in | range: { min, max } }</c>.</summary>
    public static RowFilter? Parse(JsonNode? node, string pointer, List<ProblemItem> errors)
    {
        if (node is not JsonObject obj || obj["field"]?.GetValueKind() != JsonValueKind.String)
        {
            errors.Add(new(pointer, "type", "A filter is an object with a string 'field' and one of equals, in, range."));
            return null;
        }
        var field = obj["field"]!.GetValue<string>();
        var ops = obj.Where(p => p.Key != "field").ToList();
        if (ops.Count != 1)
        {
            errors.Add(new(pointer, "filter-op", "Give exactly one of equals, in, range."));
            return null;
        }
        var (op, value) = ops[0];
        switch (op)
        {
            case "equals" when value is null or JsonValue:
                return new RowFilter(field, op, [value?.DeepClone()], null, null);
            case "in" when value is JsonArray arr && arr.Count > 0 && arr.All(v => v is null or JsonValue):
                return new RowFilter(field, op, [.. arr.Select(v => v?.DeepClone())], null, null);
            case "range" when value is JsonObject r && r.All(p => p.Key is "min" or "max") && r.Count > 0:
                var kinds = r.Select(p => p.Value?.GetValueKind()).Distinct().ToList();
                if (kinds.Count == 1 && kinds[0] is JsonValueKind.Number or JsonValueKind.String)
                    return new RowFilter(field, op, [], r["min"]?.DeepClone(), r["max"]?.DeepClone());
                errors.Add(new(pointer + "/range", "type", "min and max are both numbers or both strings."));
                return null;
            default:
                errors.Add(new($"{pointer}/{op}", "filter-op", "equals takes a scalar, in a non-empty array of scalars, range an object with min and/or max."));
                return null;
        }
    }
}
