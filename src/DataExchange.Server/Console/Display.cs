using System.Globalization;

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
    public static string Ago(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } t) return "never";
        var age = now - t;
        return age.TotalMinutes switch
        {
            < 1 => "just now",
            < 60 => $"{(int)age.TotalMinutes} min ago",
            < 48 * 60 => $"{(int)age.TotalHours} h ago",
            _ => $"{(int)age.TotalDays} days ago",
        };
    }

    /// <summary>A run's duration, or "—" while it has not finished.</summary>
    public static string Duration(DateTimeOffset? from, DateTimeOffset? to) =>
        from is { } f && to is { } t ? (t - f).TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture) : "—";

    /// <summary>A running run's progress: "reading · 45 % · 41,230 rows/s · about 12 s left".</summary>
    public static string Progress(Core.Ingestion.RunProgress p)
    {
        var text = $"{p.Phase} · {Count((long)p.RowsPerSecond)} rows/s";
        if (p.Phase == "reading" && p.PayloadBytes is > 0 && p.BytesRead is { } read)
            text = $"{p.Phase} · {Math.Min(100, 100 * read / p.PayloadBytes.Value)} % · {Count((long)p.RowsPerSecond)} rows/s";
        return p.SecondsLeft is { } left ? text + $" · about {Math.Ceiling(left).ToString(CultureInfo.InvariantCulture)} s left" : text;
    }

    /// <summary>A count with thousands separators.</summary>
    public static string Count(long? n) => n is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "—";
}
