using System.Net.Http.Headers;
using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Feeds;

/// <summary>
/// POST /datasets/{id}/uploads: sends a local payload for agencies whose source the server cannot
/// reach. The file is streamed from disk, so payload size is not limited by memory.
/// </summary>
public sealed class FeedPushCommand : ApiCommand<PushSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, PushSettings settings, CancellationToken ct)
    {
        if (!File.Exists(settings.File))
        {
            throw new UsageException($"File not found: {settings.File}");
        }

        await using var file = new FileStream(settings.File, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 81920, useAsync: true);
        using var content = new StreamContent(file, 81920);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        Output.Info($"Uploading {settings.File} ({Output.Format(file.Length)} bytes)…");
        var accepted = await api.SendAsync(HttpMethod.Post, $"datasets/{ApiClient.Seg(settings.Dataset)}/uploads", content, ct).ConfigureAwait(false);
        return await RunWatcher.CompleteAsync(api, settings.Dataset, accepted, settings, ct).ConfigureAwait(false);
    }
}
