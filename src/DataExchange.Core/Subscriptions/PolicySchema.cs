using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Subscriptions;

/// <summary>
/// schemas/access-policy.schema.json (embedded), loaded through the same vetting and draft-07
/// evaluator as dataset schemas: a policy document is checked against it before its rules are read.
/// </summary>
public static class PolicySchema
{
    static readonly Lazy<DatasetSchema> Schema = new(() =>
    {
        using var stream = typeof(PolicySchema).Assembly.GetManifestResourceStream("schemas.access-policy.schema.json")
            ?? throw new InvalidOperationException("access-policy.schema.json is not embedded.");
        return DatasetSchema.LoadAsync(new StreamReader(stream).ReadToEnd(), 1).GetAwaiter().GetResult();
    });

    /// <summary>The schema's problems with <paramref name="document"/>, pointers under /policy.</summary>
    public static IReadOnlyList<ProblemItem> Check(System.Text.Json.Nodes.JsonObject document) =>
        [.. Schema.Value.Validate(System.Text.Json.JsonElement.Parse(document.ToJsonString())).Select(e => new ProblemItem("/policy" + e.Pointer, e.Code, e.Message))];
}
