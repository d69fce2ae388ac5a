using System.Globalization;
using System.Net;
using System.Text;
using DataExchange.Core.Ingestion;
using Microsoft.Extensions.Localization;

namespace DataExchange.Server.Console.Datasets;

/// <summary>
/// Valid and rejected records per run as a stacked bar chart in inline SVG, drawn on the server
/// (no script). It carries a title, a description and a text summary for screen readers.
/// </summary>
public static class QualityChart
{
    const int Width = 600, Height = 200, Left = 48, Bottom = 24, Top = 8;

    /// <summary>The runs that get a bar: those that read records (an unchanged or skipped run read none).</summary>
    public static IReadOnlyList<RunInfo> Drawn(IEnumerable<RunInfo> runs) => [.. runs.Where(r => r.Counts.Read > 0)];

    /// <summary>The caption's count, of the bars drawn (issue 18: it said "last 4 runs" over two bars).</summary>
    public static string Caption(int drawn, int listed, IStringLocalizer t) => drawn == listed
        ? t[drawn == 1 ? "last {0} run" : "last {0} runs", drawn]
        : t[drawn == 1 ? "{0} run that read records, of the last {1} (runs that read none, such as unchanged ones, have no bar)" : "{0} runs that read records, of the last {1} (runs that read none, such as unchanged ones, have no bar)", drawn, listed];

    /// <summary>The SVG markup for <paramref name="runs"/> (oldest first), or null when there is nothing to draw.</summary>
    public static string? Render(IReadOnlyList<RunInfo> runs, IStringLocalizer t)
    {
        var drawn = Drawn(runs);
        if (drawn.Count == 0) return null;
        var max = Math.Max(1, drawn.Max(r => r.Counts.Valid + r.Counts.Rejected));
        var slot = (double)(Width - Left) / drawn.Count;
        // Bars at most 40 units wide, so one or two runs do not fill the plot.
        var bar = Math.Clamp(slot * 0.7, 2, 40);
        var plot = Height - Bottom - Top;
        var totalRejected = drawn.Sum(r => r.Counts.Rejected);
        string summary = t["{0} runs; the latest (run {1}) had {2} valid and {3} rejected records; {4} rejected in all.", drawn.Count, drawn[^1].Id, drawn[^1].Counts.Valid, drawn[^1].Counts.Rejected, totalRejected];
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" viewBox="0 0 {Width} {Height}" role="img" aria-labelledby="qc-title qc-desc" xmlns="http://www.w3.org/2000/svg">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<title id="qc-title">{WebUtility.HtmlEncode(t["Valid and rejected records per run"])}</title>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<desc id="qc-desc">{WebUtility.HtmlEncode(summary)}</desc>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Top + plot}" x2="{Width}" y2="{Top + plot}" class="axis"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left - 6}" y="{Top + 10}" text-anchor="end" class="label">{max}</text><text x="{Left - 6}" y="{Top + plot}" text-anchor="end" class="label">0</text>""");
        for (var i = 0; i < drawn.Count; i++)
        {
            var r = drawn[i];
            var x = Left + i * slot + (slot - bar) / 2;
            var validH = plot * r.Counts.Valid / (double)max;
            var rejectedH = plot * r.Counts.Rejected / (double)max;
            var label = WebUtility.HtmlEncode(t["Run {0}: {1} valid, {2} rejected", r.Id, r.Counts.Valid, r.Counts.Rejected]);
            svg.Append(CultureInfo.InvariantCulture, $"""<g><title>{label}</title>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<rect class="valid" x="{x:0.#}" y="{Top + plot - validH:0.#}" width="{bar:0.#}" height="{validH:0.#}"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<rect class="rejected" x="{x:0.#}" y="{Top + plot - validH - rejectedH:0.#}" width="{bar:0.#}" height="{rejectedH:0.#}"/></g>""");
            if (drawn.Count <= 20)
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x + bar / 2:0.#}" y="{Height - 6}" text-anchor="middle" class="label">#{r.Id}</text>""");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }
}
