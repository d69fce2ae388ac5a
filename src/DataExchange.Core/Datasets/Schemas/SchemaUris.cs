namespace DataExchange.Core.Datasets.Schemas;

/// <summary>The URI arithmetic of $id and $ref (RFC 3986 resolution through <see cref="System.Uri"/>).</summary>
internal static class SchemaUris
{
    /// <summary>The base of a registered schema that names no $id: relative references to other documents find nothing there.</summary>
    public const string DocumentBase = "https://schemas.dataexchange.invalid/schema.json";

    /// <summary><paramref name="reference"/> resolved against <paramref name="baseUri"/>, without its fragment; null when it is no URI reference.</summary>
    public static string? Resolve(string baseUri, string reference)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var head = hash < 0 ? reference : reference[..hash];
        if (head.Length == 0) return baseUri;
        if (HasScheme(head)) return Uri.TryCreate(head, UriKind.Absolute, out var absolute) ? Strip(absolute) : null;
        return Uri.TryCreate(baseUri, UriKind.Absolute, out var b) && b.IsAbsoluteUri && !b.OriginalString.StartsWith("urn:", StringComparison.OrdinalIgnoreCase)
            && Uri.TryCreate(b, head, out var resolved) ? Strip(resolved) : null;
    }

    /// <summary>An absolute URI in the one form resources are keyed by; null when it is not absolute.</summary>
    public static string? Normalize(string uri) => HasScheme(uri) && Uri.TryCreate(uri, UriKind.Absolute, out var u) ? Strip(u) : null;

    /// <summary>The fragment of <paramref name="reference"/>, percent-decoded; null when it has none.</summary>
    public static string? Fragment(string reference)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? null : Uri.UnescapeDataString(reference[(hash + 1)..]);
    }

    // "/a/b.json" is a path reference, though .NET would read it as a file name.
    static bool HasScheme(string reference)
    {
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && char.IsAsciiLetter(reference[0]) && reference.AsSpan(0, colon).IndexOfAnyExcept(SchemeCharacters) < 0;
    }

    static readonly System.Buffers.SearchValues<char> SchemeCharacters = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

    static string Strip(Uri uri)
    {
        var text = uri.AbsoluteUri;
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? text : text[..hash];
    }
}
