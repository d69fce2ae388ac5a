using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets;

/// <summary>
/// Collects a dataset manifest's problems so that one answer names all of them (issue 18: a bad manifest took four
/// submissions to reveal five problems): first its shape against dataset-manifest.schema.json and
/// feed-definition.schema.json, then the registry's own rules for whatever members the shape left readable.
/// </summary>
public static class ManifestProblems
{
    /// <summary>The manifest's violations of the manifest and feed schemas, with pointers into the manifest.</summary>
    public static IEnumerable<ProblemItem> OfShape(object manifest)
    {
        var node = manifest as JsonNode ?? JsonSerializer.SerializeToNode(manifest, manifest.GetType(), Json.Options);
        var errors = DocumentSchemas.Errors(DocumentSchemas.DatasetManifest, node!);
        return node?["feed"] is JsonObject feed ? errors.Concat(DocumentSchemas.Errors(DocumentSchemas.FeedDefinition, feed, "/feed")) : errors;
    }

    /// <summary>
    /// Reads a manifest as sent: its shape problems, and the request made of the members that have none, so the
    /// later rules (feed source, cron, the record schema, key fields) still find theirs. Never throws on a member's
    /// type, so no serializer message (with its .NET type names) reaches the caller.
    /// </summary>
    public static (RegisterDatasetRequest Request, List<ProblemItem> Problems) Read(JsonObject manifest)
    {
        // A null member is an absent one, as it always was when the manifest was bound to its type: clients that
        // serialise a model with nulls keep working.
        manifest = WithoutNulls(manifest);
        var problems = OfShape(manifest).ToList();
        if (manifest["schemaFile"] is not null)
            problems.Add(new("/schemaFile", "schema-file-not-read", "The API takes the record schema inline, as \"schema\"; `dx datasets register` reads schemaFile (relative to the manifest) and sends it inline."));
        var readable = manifest;
        readable.Remove("$schema");
        readable.Remove("schemaFile");
        foreach (var problem in problems)
            Remove(readable, problem.Pointer);
        try
        {
            return (readable.Deserialize<RegisterDatasetRequest>(Json.Options)!, problems);
        }
        catch (JsonException e)
        {
            // Only a member the schemas let through but the request type cannot hold lands here.
            problems.Add(JsonBodyProblem.From(e));
            throw new InvalidException("invalid-request", "The dataset manifest is not valid; every problem is listed in errors.", problems);
        }
    }

    static JsonObject WithoutNulls(JsonObject manifest)
    {
        var copy = (JsonObject)manifest.DeepClone();
        foreach (var name in copy.Where(m => m.Value is null).Select(m => m.Key).ToList()) copy.Remove(name);
        if (copy["feed"] is JsonObject feed)
            foreach (var name in feed.Where(m => m.Value is null).Select(m => m.Key).ToList()) feed.Remove(name);
        return copy;
    }

    /// <summary>Adds the problems whose member is not named yet: one member, one problem family (its shape, else its rule).</summary>
    public static void Add(List<ProblemItem> problems, IEnumerable<ProblemItem> more)
    {
        foreach (var problem in more.ToList())
            if (!problems.Any(p => Overlaps(p.Pointer, problem.Pointer)))
                problems.Add(problem);
    }

    /// <summary>Takes out the member a pointer names: a top-level member, or one member of the feed.</summary>
    static void Remove(JsonObject manifest, string pointer)
    {
        var parts = pointer.Split('/').Skip(1).Select(Unescape).ToArray();
        if (parts.Length == 0) return;
        if (parts is ["feed", var member, ..] && manifest["feed"] is JsonObject feed) feed.Remove(member);
        else manifest.Remove(parts[0]);
    }

    static string Unescape(string segment) => segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    static bool Overlaps(string a, string b) =>
        a == b || b.StartsWith(a + "/", StringComparison.Ordinal) || a.StartsWith(b + "/", StringComparison.Ordinal);
}
