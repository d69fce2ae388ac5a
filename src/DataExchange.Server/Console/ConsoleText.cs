namespace DataExchange.Server.Console;

/// <summary>
/// The console's text, for <c>IStringLocalizer&lt;ConsoleText&gt;</c> (<c>T</c> in every page): the key is the
/// English text, so English needs no resource file and a text without a translation shows in English;
/// <c>ConsoleText.zh-CN.resx</c> holds the Simplified Chinese.
/// </summary>
public sealed class ConsoleText;
