using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Pull;

public sealed class PullSettings : CommandSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("Dataset id (you need an approved subscription unless your agency owns it)")]
    public string Dataset { get; init; } = "";

    [CommandOption("--version <N>")]
    [Description("Published version to read (latest when omitted; see dx versions list)")]
    public int? Version { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("json (one array, default), ndjson or csv")]
    [DefaultValue("json")]
    public string Format { get; init; } = "json";

    [CommandOption("-o|--out <FILE>")]
    [Description("Write to FILE instead of stdout (written to FILE.partial, renamed when complete)")]
    public string? Out { get; init; }

    public override ValidationResult Validate() => Format is "json" or "ndjson" or "csv"
        ? ValidationResult.Success()
        : ValidationResult.Error("--format must be json, ndjson or csv");
}

/// <summary>
/// Downloads records without holding the dataset in memory: ndjson/csv are copied byte-for-byte
/// from the response, json is assembled page by page into a single array.
/// </summary>
public sealed class PullCommand : ApiCommand<PullSettings>
{
    const int PageSize = 1000;

    protected override async Task<int> RunAsync(ApiClient api, PullSettings settings, CancellationToken ct)
    {
        var target = settings.Out;
        var partial = target is null ? null : target + ".partial";
        var completed = false;
        try
        {
            long? records;
            await using (var destination = partial is null ? Console.OpenStandardOutput() : File.Create(partial))
            {
                records = settings.Format == "json"
                    ? await PullJsonAsync(api, settings, destination, ct).ConfigureAwait(false)
                    : await PullStreamAsync(api, settings, destination, ct).ConfigureAwait(false);
            }

            if (partial is not null && target is not null)
            {
                // Only a complete download gets the real name, so a half-written file is never mistaken for data.
                File.Move(partial, target, overwrite: true);
                Output.Success(records is null ? $"Wrote {target}." : $"Wrote {Output.Format(records.Value)} records to {target}.");
            }

            completed = true;
            return ExitCodes.Success;
        }
        finally
        {
            if (!completed && partial is not null)
            {
                File.Delete(partial);
            }
        }
    }

    static async Task<long?> PullStreamAsync(ApiClient api, PullSettings settings, Stream destination, CancellationToken ct)
    {
        var path = new Query($"datasets/{ApiClient.Seg(settings.Dataset)}/records")
            .Add("format", settings.Format)
            .Add("version", settings.Version)
            .ToString();
        using var response = await api.GetStreamAsync(path, ct).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await body.CopyToAsync(destination, ct).ConfigureAwait(false);
        return null;
    }

    static async Task<long?> PullJsonAsync(ApiClient api, PullSettings settings, Stream destination, CancellationToken ct)
    {
        // The first page is read before a byte is written: a refusal (403, 404, 429) must leave
        // `dx pull > file` empty, not holding a lone '[' that looks like the start of data.
        var page = await PageAsync(api, settings.Dataset, settings.Version, after: null, ct).ConfigureAwait(false);

        // Pin later pages to the version the first page came from: a publish during a long
        // pull must not mix rows of two versions in one file.
        var version = settings.Version ?? (page.Json?["version"] is JsonValue v && v.TryGetValue<int>(out var pinned) ? pinned : null);

        await using var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { Encoder = DataExchange.Core.Common.MinimalJsonEncoder.Instance });
        writer.WriteStartArray();
        long records = 0;
        while (true)
        {
            foreach (var item in Output.Items(page.Json))
            {
                if (item is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    item.WriteTo(writer);
                }

                records++;
            }

            // Flush per page so consumers of stdout see data arrive and memory stays at one page.
            await writer.FlushAsync(ct).ConfigureAwait(false);
            if (Paging.NextCursor(page.Json) is not { } after)
            {
                break;
            }

            page = await PageAsync(api, settings.Dataset, version, after, ct).ConfigureAwait(false);
        }

        writer.WriteEndArray();
        await writer.FlushAsync(ct).ConfigureAwait(false);
        await destination.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
        return records;
    }

    static Task<ApiResponse> PageAsync(ApiClient api, string dataset, int? version, string? after, CancellationToken ct) =>
        api.GetAsync(new Query($"datasets/{ApiClient.Seg(dataset)}/records")
            .Add("limit", PageSize)
            .Add("after", after)
            .Add("version", version)
            .ToString(), ct);
}
