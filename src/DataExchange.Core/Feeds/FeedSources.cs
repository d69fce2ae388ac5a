using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Feeds;

/// <summary>
/// Fetches a feed's payload into a temp file while hashing it, so that parsing streams from disk
/// and memory stays flat however large the feed. Only allowed hosts and paths inside the drop root.
/// </summary>
public sealed class FeedSources : IDisposable
{
    readonly FeedOptions _options;
    readonly HttpClient _http;
    readonly FeedHostService _hosts;
    readonly FeedHostList _allowList;
    readonly FeedCredentialStore _credentials;

    /// <summary>
    /// Creates the fetcher with its own HTTP handler. Redirects are off: one could leave the allow-list,
    /// and a feed's credential goes to its own host only.
    /// </summary>
    public FeedSources(IOptions<FeedOptions> options, FeedHostService hosts, FeedHostList allowList, FeedCredentialStore credentials)
    {
        _hosts = hosts;
        _allowList = allowList;
        _credentials = credentials;
        _options = options.Value;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = _options.ConnectTimeout,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Spools the payload of <paramref name="feed"/>, the feed of <paramref name="datasetId"/> of <paramref name="agencyId"/>, to a temp file.</summary>
    public async Task<FetchedPayload> FetchAsync(string datasetId, string agencyId, FeedDefinition feed, string? etag, string? lastModified, CancellationToken cancellationToken)
    {
        var source = feed.Source ?? "";
        if (source.StartsWith("file:", StringComparison.Ordinal))
        {
            await using var file = OpenDropFile(agencyId, source["file:".Length..]);
            return await SpoolAsync(file, null, null, cancellationToken);
        }
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            return await FetchHttpAsync(datasetId, uri, etag, lastModified, cancellationToken);
        throw new FeedFetchException($"The source '{source}' cannot be fetched; pushed feeds arrive through the upload endpoint.", retryable: false);
    }

    /// <summary>Checked again at fetch time, on the very handle read: the file may have been swapped for a link since registration.</summary>
    FileStream OpenDropFile(string agencyId, string relative)
    {
        try
        {
            return DropFolder.Open(_options, agencyId, relative);
        }
        catch (DropRefusedException e)
        {
            throw new FeedFetchException($"The feed source is refused: {e.Message}", retryable: false, e, e.Refusal.Code);
        }
        catch (IOException e)
        {
            throw new FeedFetchException(e.Message, retryable: true, e);
        }
    }

    /// <summary>Spools an uploaded body (already local) the same way, for one code path after fetch.</summary>
    public Task<FetchedPayload> SpoolAsync(Stream body, CancellationToken cancellationToken) => SpoolAsync(body, null, null, cancellationToken);

    async Task<FetchedPayload> FetchHttpAsync(string datasetId, Uri uri, string? etag, string? lastModified, CancellationToken cancellationToken)
    {
        // Checked again at fetch time, on the current list: the allow-list may have shrunk since registration.
        await _hosts.RefreshAsync(cancellationToken);
        if (!_allowList.Allows(uri)) throw new FeedFetchException($"The host '{uri.Host}' is not on the allow-list.", retryable: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (await _credentials.OpenAsync(datasetId, cancellationToken) is { } credential)
        {
            if (!string.Equals(credential.Host, uri.IdnHost, StringComparison.OrdinalIgnoreCase))
                throw new FeedFetchException($"The feed's credential was set for another host than '{uri.Host}' and is not sent; set it again for this source.", retryable: false);
            FeedCredentials.Apply(request, credential);
        }
        if (etag is not null && EntityTagHeaderValue.TryParse(etag, out var tag)) request.Headers.IfNoneMatch.Add(tag);
        if (lastModified is not null && DateTimeOffset.TryParse(lastModified, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var since))
            request.Headers.IfModifiedSince = since;
        HttpResponseMessage response;
        using (var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            headersTimeout.CancelAfter(_options.ConnectTimeout + _options.ReadTimeout);
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new FeedFetchException($"{uri} sent no response within {(_options.ConnectTimeout + _options.ReadTimeout).TotalSeconds:0.#} s (Feeds:ConnectTimeout + Feeds:ReadTimeout).", retryable: true, e);
            }
            catch (HttpRequestException e)
            {
                throw new FeedFetchException($"Fetching {uri} failed: {e.Message}", retryable: true, e);
            }
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotModified) return new FetchedPayload(null, null, 0, etag, lastModified);
            if ((int)response.StatusCode is >= 300 and < 400)
                throw new FeedFetchException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}: redirects are not followed (one could leave the allow-list, or take the feed's credential to another host); register the final URL.", retryable: false);
            if (!response.IsSuccessStatusCode)
                throw new FeedFetchException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.", retryable: (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests);
            if (response.Content.Headers.ContentLength > _options.MaxPayloadBytes)
                throw new FeedFetchException($"The payload is {response.Content.Headers.ContentLength} bytes; the limit is {_options.MaxPayloadBytes}.", retryable: false);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await SpoolAsync(body, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified?.ToString("R"), cancellationToken);
        }
    }

    async Task<FetchedPayload> SpoolAsync(Stream input, string? etag, string? lastModified, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.WorkDirectory);
        SpoolFiles.RemoveOrphans(_options.WorkDirectory);
        var path = SpoolFiles.NewPath(_options.WorkDirectory);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                while (true)
                {
                    int read;
                    using (var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        // A per-read deadline: a source that stops sending mid-body fails instead of hanging the run.
                        readTimeout.CancelAfter(_options.ReadTimeout);
                        try
                        {
                            read = await input.ReadAsync(buffer, readTimeout.Token);
                        }
                        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                        {
                            throw new FeedFetchException(
                                $"The payload stopped arriving after {length} bytes: nothing came for {_options.ReadTimeout.TotalSeconds:0.#} s (Feeds:ReadTimeout).", retryable: true, e);
                        }
                        catch (Exception e) when (e is IOException or HttpRequestException)
                        {
                            throw new FeedFetchException($"The payload stopped arriving after {length} bytes: {e.Message}", retryable: true, e);
                        }
                    }
                    if (read == 0) break;
                    length += read;
                    if (length > _options.MaxPayloadBytes)
                        throw new FeedFetchException($"The payload exceeds the limit of {_options.MaxPayloadBytes} bytes.", retryable: false);
                    sha.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            return new FetchedPayload(path, Convert.ToHexStringLower(sha.GetHashAndReset()), length, etag, lastModified);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

/// <summary>The payload could not be fetched; <see cref="Retryable"/> says whether trying later may help.</summary>
public sealed class FeedFetchException(string message, bool retryable, Exception? inner = null, string? refusal = null) : Exception(message, inner)
{
    /// <summary>Whether a later attempt may succeed (timeouts, 5xx) as opposed to a configuration error.</summary>
    public bool Retryable { get; } = retryable;

    /// <summary>Why the source itself was refused (<see cref="DropRefusal.Code"/>), audited as feed-source-refused; null for other failures.</summary>
    public string? Refusal { get; } = refusal;
}
