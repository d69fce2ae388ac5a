using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Subscriptions;

/// <summary>
/// The rules a steward attaches to an approval. Deny by default: a field is visible only when the
/// policy lists it, or when the policy lists no fields at all (the whole record was approved).
/// </summary>
public sealed record AccessPolicy(IReadOnlyList<string>? Fields, JsonObject Document)
{
    /// <summary>Short hash of the canonical policy, stamped on audit entries and ETags.</summary>
    public string Hash { get; } = Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.ToBytes(Document)))[..16];

    /// <summary>The owner's view: everything.</summary>
    public static AccessPolicy Owner { get; } = new(null, new JsonObject { ["owner"] = true });

    /// <summary>Parses and checks a policy document against the dataset's properties.</summary>
    public static AccessPolicy Parse(JsonObject? document, IEnumerable<string> properties)
    {
        document ??= new JsonObject();
        var known = properties.ToHashSet(StringComparer.Ordinal);
        var errors = new List<ProblemItem>();
        List<string>? fields = null;
        foreach (var (name, value) in document)
        {
            switch (name)
            {
                case "fields" when value is JsonArray arr:
                    fields = [];
                    for (var i = 0; i < arr.Count; i++)
                    {
                        var f = arr[i]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? arr[i]!.GetValue<string>() : null;
                        if (f is null || !known.Contains(f)) errors.Add(new($"/policy/fields/{i}", "unknown-field", $"'{arr[i]}' is not a field of this dataset."));
                        else fields.Add(f);
                    }
                    break;
                case "fields":
                    errors.Add(new("/policy/fields", "type", "fields must be an array of field names."));
                    break;
                default:
                    errors.Add(new($"/policy/{name}", "unknown-rule", $"'{name}' is not a policy rule this exchange enforces."));
                    break;
            }
        }
        if (errors.Count > 0) throw new InvalidException("invalid-policy", "The access policy is not valid.", errors);
        return new AccessPolicy(fields, document);
    }
}
