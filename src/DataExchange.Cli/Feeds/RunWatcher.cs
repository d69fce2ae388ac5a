using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;

namespace DataExchange.Cli.Feeds;

/// <summary>
/// What happens after a run was accepted (202), shared by feed run and feed push: either report
/// the queued run, or poll it to completion with live progress and exit 6 if it failed, 8 if it was held.
/// </summary>
public static class RunWatcher
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    static readonly string[] TerminalStatuses = ["succeeded", "unchanged", "failed", "skipped", "held", "discarded"];

    static readonly string[] CountNames = ["read", "valid", "rejected", "duplicate", "inserted", "updated", "deleted", "unchanged", "kept"];

    public static async Task<int> CompleteAsync(ApiClient api, string dataset, ApiResponse accepted, FeedSettings settings, CancellationToken ct)
    {
        var runId = Output.Format(accepted.Json?["id"]);
        if (!settings.Watch)
        {
            if (settings.Json)
            {
                Output.Raw(accepted.Raw);
            }
            else
            {
                Output.Success($"Run {runId} is {Status(accepted.Json)}.");
                Output.Info($"Follow it with: dx runs show {dataset} {runId} (or use --watch next time)");
            }

            return ExitCodes.Success;
        }

        var runPath = $"datasets/{ApiClient.Seg(dataset)}/runs/{ApiClient.Seg(runId)}";
        var run = settings.Json
            ? await PollQuietlyAsync(api, runPath, accepted, ct).ConfigureAwait(false)
            : await PollWithProgressAsync(api, runPath, accepted, ct).ConfigureAwait(false);

        if (settings.Json)
        {
            Output.Raw(run.Raw);
        }
        else
        {
            ShowSummary(dataset, run.Json);
        }

        return Status(run.Json) switch { "failed" => ExitCodes.RunFailed, "held" => ExitCodes.RunHeld, _ => ExitCodes.Success };
    }

    /// <summary>Renders a run's outcome and counts; also used by dx runs show.</summary>
    public static void ShowSummary(string dataset, JsonNode? run)
    {
        var status = Status(run);
        var color = status switch
        {
            "succeeded" => Color.Green,
            "failed" => Color.Red,
            "unchanged" or "skipped" or "held" => Color.Yellow,
            _ => Color.Grey,
        };

        var table = new Table().Border(TableBorder.Rounded).Title(new TableTitle($"Run {Output.Format(run?["id"])}", new Style(color)));
        table.AddColumn("Field").AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow(new Text("status"), new Text(status, new Style(color)));
        foreach (var field in new[] { "trigger", "startedAt", "finishedAt", "publishedVersion", "schemaVersion", "payloadSha256" })
        {
            if (run?[field] is JsonNode value)
            {
                table.AddRow(new Text(field), new Text(Output.Format(value)));
            }
        }

        foreach (var name in CountNames)
        {
            table.AddRow(new Text(name, new Style(Color.Grey)), new Text(Output.Format(Count(run, name))));
        }

        Output.Out.Write(table);

        if (run?["error"] is JsonNode error)
        {
            Output.Err.MarkupLineInterpolated($"[red]error:[/] {Output.Format(error)}");
        }

        if (status == "held")
        {
            var id = Output.Format(run?["id"]);
            Output.Info($"It waits for a steward: dx runs release {dataset} {id} publishes it as staged; dx runs discard {dataset} {id} drops it.");
        }

        if (Count(run, "rejected") > 0)
        {
            Output.Info($"See rejected rows with: dx runs rejected {dataset} {Output.Format(run?["id"])}");
        }
    }

    static async Task<ApiResponse> PollQuietlyAsync(ApiClient api, string runPath, ApiResponse run, CancellationToken ct)
    {
        while (!IsFinished(run.Json))
        {
            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
            run = await api.GetAsync(runPath, ct).ConfigureAwait(false);
        }

        return run;
    }

    static async Task<ApiResponse> PollWithProgressAsync(ApiClient api, string runPath, ApiResponse run, CancellationToken ct)
    {
        if (!Output.Err.Profile.Capabilities.Interactive)
        {
            return await PollWithLinesAsync(api, runPath, run, ct).ConfigureAwait(false);
        }

        // Progress goes to stderr so the summary on stdout can be captured cleanly.
        await Output.Err.Progress()
            .AutoClear(false)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(Describe(run.Json)));
                // The bar shows how far the reader is into the payload when the run reports it (bytes read of
                // the payload's size); until then, and while publishing, it pulses beside the live counts.
                task.IsIndeterminate = true;
                while (!IsFinished(run.Json))
                {
                    await Task.Delay(PollInterval, ct).ConfigureAwait(false);
                    run = await api.GetAsync(runPath, ct).ConfigureAwait(false);
                    task.Description = Markup.Escape(Describe(run.Json));
                    if (Fraction(run.Json) is { } fraction)
                    {
                        task.IsIndeterminate = false;
                        task.Value = fraction * task.MaxValue;
                    }
                    else
                    {
                        task.IsIndeterminate = true;
                    }
                }

                task.IsIndeterminate = false;
                task.Value = task.MaxValue;
                task.StopTask();
            }).ConfigureAwait(false);

        return run;
    }

    /// <summary>Without a terminal (a log, CI): one line per change of the run's progress instead of a redrawn bar.</summary>
    static async Task<ApiResponse> PollWithLinesAsync(ApiClient api, string runPath, ApiResponse run, CancellationToken ct)
    {
        var shown = "";
        while (true)
        {
            var line = Describe(run.Json);
            if (line != shown)
            {
                Output.Info(line);
                shown = line;
            }

            if (IsFinished(run.Json))
            {
                return run;
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
            run = await api.GetAsync(runPath, ct).ConfigureAwait(false);
        }
    }

    /// <summary>e.g. "running · reading · 120,000 read · 3 rejected · 41,230 rows/s · 45 % · about 12 s left".</summary>
    static string Describe(JsonNode? run)
    {
        var progress = run?["progress"];
        if (progress is null)
        {
            return $"{Status(run)} · {Output.Format(Count(run, "read"))} records read";
        }

        var text = $"{Status(run)} · {Output.Format(progress["phase"])} · {Output.Format(Count(run, "read"))} read · {Output.Format(Count(run, "rejected"))} rejected"
            + $" · {Output.Format((long)Number(progress, "rowsPerSecond"))} rows/s";
        if (Fraction(run) is { } fraction)
        {
            text += $" · {fraction:P0}";
        }

        return progress["secondsLeft"] is JsonNode && Number(progress, "secondsLeft") is var left
            ? text + $" · about {Output.Format((long)Math.Ceiling(left))} s left"
            : text;
    }

    /// <summary>Bytes read of the payload's size while the run reads it; null when unknown or no longer reading.</summary>
    static double? Fraction(JsonNode? run)
    {
        var progress = run?["progress"];
        var size = progress is null ? 0 : Number(progress, "payloadBytes");
        return progress is not null && Output.Format(progress["phase"]) == "reading" && size > 0
            ? Math.Clamp(Number(progress, "bytesRead") / size, 0, 1)
            : null;
    }

    static double Number(JsonNode node, string name) =>
        node[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : 0;

    static bool IsFinished(JsonNode? run) => TerminalStatuses.Contains(Status(run));

    static string Status(JsonNode? run) => Output.Format(run?["status"]);

    static long Count(JsonNode? run, string name) =>
        Output.Get(run, "counts." + name) is JsonValue v && v.TryGetValue<long>(out var n) ? n : 0;
}
