using System.Globalization;
using Microsoft.Extensions.Localization;

namespace DataExchange.Server.Console;

/// <summary>How the console writes times and durations for people.</summary>
public static class Display
{
    static readonly AsyncLocal<TimeZoneInfo?> CurrentZone = new();

    /// <summary>The zone of this request's times (<see cref="ConsoleOptions.TimeZone"/>, set per console request, like its culture); UTC elsewhere.</summary>
    public static TimeZoneInfo Zone
    {
        get => CurrentZone.Value ?? TimeZoneInfo.Utc;
        set => CurrentZone.Value = value;
    }

    /// <summary>In <see cref="Zone"/>, to the second, with its offset: <c>2026-11-27 03:20:05 +08:00</c>, or <c>2026-11-26 19:20:05Z</c> in UTC.</summary>
    public static string Time(DateTimeOffset? at)
    {
        if (at is not { } t) return "—";
        if (Zone.BaseUtcOffset == TimeSpan.Zero && !Zone.SupportsDaylightSavingTime) return t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return TimeZoneInfo.ConvertTime(t, Zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
    }

    /// <summary>How long ago, coarsely: "just now", "5 min ago", "3 h ago", "2 days ago".</summary>
    public static string Ago(DateTimeOffset? at, DateTimeOffset now, IStringLocalizer text)
    {
        if (at is not { } t) return text["never"];
        var age = now - t;
        return age.TotalMinutes switch
        {
            < 1 => text["just now"],
            < 60 => text["{0} min ago", (int)age.TotalMinutes],
            < 48 * 60 => text["{0} h ago", (int)age.TotalHours],
            _ => text["{0} days ago", (int)age.TotalDays],
        };
    }

    /// <summary>A run's duration, or "—" while it has not finished.</summary>
    public static string Duration(DateTimeOffset? from, DateTimeOffset? to) =>
        from is { } f && to is { } t ? (t - f).TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture) : "—";

    /// <summary>A running run's progress: "reading · 45 % · 41,230 rows/s · about 12 s left".</summary>
    public static string Progress(Core.Ingestion.RunProgress p, IStringLocalizer t)
    {
        var text = $"{t[p.Phase]} · {t["{0} rows/s", Count((long)p.RowsPerSecond)]}";
        if (p.Phase == "reading" && p.PayloadBytes is > 0 && p.BytesRead is { } read)
            text = $"{t[p.Phase]} · {Math.Min(100, 100 * read / p.PayloadBytes.Value)} % · {t["{0} rows/s", Count((long)p.RowsPerSecond)]}";
        return p.SecondsLeft is { } left ? text + " · " + t["about {0} s left", Math.Ceiling(left).ToString(CultureInfo.InvariantCulture)] : text;
    }

    /// <summary>A count with thousands separators.</summary>
    public static string Count(long? n) => n is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "—";
}
