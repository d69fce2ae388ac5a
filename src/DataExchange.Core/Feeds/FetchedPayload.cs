namespace DataExchange.Core.Feeds;

/// <summary>A payload spooled to a local temp file, with its SHA-256; deleted on dispose.</summary>
public sealed class FetchedPayload(string? path, string? sha256, long length, string? etag, string? lastModified) : IDisposable
{
    /// <summary>The spooled file, or null when the source answered 304 Not Modified.</summary>
    public string? Path { get; } = path;
    /// <summary>Lower-case hex SHA-256 of the payload bytes as received.</summary>
    public string? Sha256 { get; } = sha256;
    /// <summary>Bytes received.</summary>
    public long Length { get; } = length;
    /// <summary>Validators to send next time (HTTP sources).</summary>
    public string? ETag { get; } = etag;
    public string? LastModified { get; } = lastModified;
    /// <summary>Whether the source said nothing changed (304).</summary>
    public bool NotModified => Path is null;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Path is not null && File.Exists(Path)) File.Delete(Path);
    }
}
