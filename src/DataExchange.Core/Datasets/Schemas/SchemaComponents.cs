namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// A shared schema component: a reusable schema an agency registered under a stable URI, at one version.
/// <paramref name="DefaultDraft"/> is the draft the component was registered under when it names none.
/// </summary>
public sealed record SchemaComponent(string Uri, int Version, string Text, SchemaDraft DefaultDraft = SchemaDraft.Draft7);

/// <summary>
/// Where $ref looks for a URI outside the schema itself: registered shared components only, never the network.
/// A dataset schema version resolves each component once, at registration, and keeps that version.
/// </summary>
public interface ISchemaComponents
{
    /// <summary>The component registered at <paramref name="uri"/> (absolute, no fragment) at the version to use; null when none is.</summary>
    SchemaComponent? Find(string uri);
}

/// <summary>Component lookups for common cases.</summary>
public static class SchemaComponents
{
    /// <summary>No components: every reference must stay inside the schema.</summary>
    public static ISchemaComponents None { get; } = new Fixed([]);

    /// <summary>A schema that is exactly a reference to <paramref name="uri"/>: how a component is vetted as a dataset reaches it.</summary>
    public static string Reference(string uri) => new System.Text.Json.Nodes.JsonObject { ["$ref"] = uri }.ToJsonString();

    /// <summary>Exactly these components (a pinned set, or a test's).</summary>
    public static ISchemaComponents Of(IEnumerable<SchemaComponent> components) => new Fixed(components);

    sealed class Fixed(IEnumerable<SchemaComponent> components) : ISchemaComponents
    {
        readonly Dictionary<string, SchemaComponent> _byUri = components.ToDictionary(c => SchemaUris.Normalize(c.Uri) ?? c.Uri, StringComparer.Ordinal);

        public SchemaComponent? Find(string uri) => _byUri.GetValueOrDefault(uri);
    }
}
