using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;

namespace DataExchange.Server.Console;

/// <summary>
/// The console's language and time zone: English or Simplified Chinese, from the language the visitor chose with
/// the switch (a cookie) or else <c>Accept-Language</c>; times in <see cref="ConsoleOptions.TimeZone"/>. Only
/// <c>/console</c> is localised: the API answers in UTC and English (problem titles are stable codes) whatever
/// the request's language.
/// </summary>
public static class ConsoleLanguage
{
    /// <summary>The console's languages; the first is the default.</summary>
    public static readonly CultureInfo[] Cultures = [CultureInfo.GetCultureInfo("en"), CultureInfo.GetCultureInfo("zh-CN")];

    /// <summary>How the switch names a language, in that language.</summary>
    public static string Label(CultureInfo culture) => culture.Name == "zh-CN" ? "中文" : "English";

    /// <summary>Adds the resources, the language choice and the time zone (section <c>Console</c>).</summary>
    public static IServiceCollection AddConsoleLanguage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLocalization();
        // Chinese text as characters, not numeric entities (the encoder still escapes markup: < > & " ').
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(Cultures[0]);
            o.SupportedCultures = o.SupportedUICultures = Cultures;
            // The switch's cookie, then the browser's languages (a "zh" or "zh-Hans" browser falls back to zh-CN).
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
            o.FallBackToParentUICultures = true;
        });
        services.AddOptions<ConsoleOptions>().Bind(configuration.GetSection("Console"))
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Console:TimeZone must be a time zone id such as Asia/Shanghai or UTC.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>On <c>/console</c> only: the request's language and the display time zone.</summary>
    public static void UseConsoleLanguage(this WebApplication app)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value.TimeZone);
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/console"), console =>
        {
            console.UseRequestLocalization();
            console.Use((http, next) =>
            {
                Display.Zone = zone;
                return next(http);
            });
        });
    }

    /// <summary>The switch: <c>/console/language/{culture}?returnUrl=</c> keeps the choice for a year and goes back (to a console page only).</summary>
    public static void MapConsoleLanguage(this WebApplication app) =>
        app.MapGet("/console/language/{culture}", (string culture, string? returnUrl, HttpContext http) =>
        {
            if (Cultures.FirstOrDefault(c => c.Name.Equals(culture, StringComparison.OrdinalIgnoreCase)) is not { } chosen) return Results.NotFound();
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            var back = returnUrl is not null && returnUrl.StartsWith("/console", StringComparison.Ordinal) && !returnUrl.Contains('\\', StringComparison.Ordinal) ? returnUrl : "/console";
            return Results.Redirect(back);
        }).AllowAnonymous().ExcludeFromDescription();
}

/// <summary>Console settings (section <c>Console</c>).</summary>
public sealed class ConsoleOptions
{
    /// <summary>
    /// The time zone the console shows times in (an IANA id such as <c>Asia/Shanghai</c>, or <c>UTC</c>).
    /// Default: the server's own zone (<c>TZ</c>, <c>/etc/localtime</c>). The API always answers in UTC.
    /// </summary>
    public string TimeZone { get; set; } = TimeZoneInfo.Local.Id;
}
