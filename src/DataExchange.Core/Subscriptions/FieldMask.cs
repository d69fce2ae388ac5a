using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Subscriptions;

/// <summary>
/// How a visible field's value is changed on the way out: <c>redact</c> (null), <c>partial</c> (all
/// but the last <see cref="KeepLast"/> characters replaced by <c>*</c>) or <c>hash</c> (keyed
/// HMAC-SHA256, hex; equal values hash equally, so consumers can join without seeing the value).
/// </summary>
public sealed record FieldMask(string Kind, int KeepLast = 4)
{
    public const string Redact = "redact";
    public const string Partial = "partial";
    public const string HashKind = "hash";

    /// <summary>One-line description for the policy summary.</summary>
    public string Describe() => Kind == Partial ? $"partial(keepLast={KeepLast})" : Kind;

    /// <summary>Accepts <c>"redact"</c>, <c>"hash"</c>, <c>"partial"</c> or <c>{ "type": "partial", "keepLast": n }</c>.</summary>
    public static FieldMask? Parse(JsonNode? node, string pointer, List<ProblemItem> errors)
    {
        string? kind = null;
        var keep = 4;
        if (node?.GetValueKind() == JsonValueKind.String) kind = node.GetValue<string>();
        else if (node is JsonObject obj)
        {
            kind = obj["type"]?.GetValueKind() == JsonValueKind.String ? obj["type"]!.GetValue<string>() : null;
            if (obj["keepLast"] is JsonValue k && (!k.TryGetValue(out keep) || keep is < 0 or > 64))
            {
                errors.Add(new(pointer + "/keepLast", "range", "keepLast must be an integer 0–64."));
                return null;
            }
            foreach (var extra in obj.Select(p => p.Key).Where(p => p is not ("type" or "keepLast")))
                errors.Add(new($"{pointer}/{extra}", "unknown-rule", $"'{extra}' is not a mask option."));
        }
        if (kind is Redact or Partial or HashKind) return new FieldMask(kind, keep);
        errors.Add(new(pointer, "unknown-mask", "A mask is redact, partial or hash."));
        return null;
    }
}
