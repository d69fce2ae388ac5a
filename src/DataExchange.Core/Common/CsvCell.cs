using System.Text;

namespace DataExchange.Core.Common;

/// <summary>
/// The one CSV cell writer (RFC 4180): a cell is quoted when it holds the delimiter, the quote or a line
/// break, its quotes doubled. Cells that people open in a spreadsheet (the records CSV, the audit CSV) are
/// neutralised against formula injection; a CSV the exchange reads back itself (a replayed quarantine) is
/// written verbatim, since its header names the fields.
/// </summary>
public static class CsvCell
{
    /// <summary>
    /// Appends <paramref name="value"/> for a spreadsheet. A text cell starting with <c>=</c>, <c>+</c>,
    /// <c>-</c>, <c>@</c>, tab or carriage return is prefixed with <c>'</c> (OWASP CSV injection), so a
    /// spreadsheet shows it as text instead of evaluating it. Numbers, booleans and nulls
    /// (<paramref name="isText"/> false) are never prefixed (issue 12: <c>'-70.0274</c> made coordinates
    /// unloadable as numbers).
    /// </summary>
    public static void Append(StringBuilder line, string? value, bool isText)
    {
        if (string.IsNullOrEmpty(value)) return;
        AppendQuoted(line, isText && IsFormula(value) ? "'" + value : value, ',', '"');
    }

    /// <summary>Appends <paramref name="value"/> as written (no neutralisation), for a CSV the exchange parses again.</summary>
    public static void AppendVerbatim(StringBuilder line, string? value, char delimiter = ',', char quote = '"')
    {
        if (!string.IsNullOrEmpty(value)) AppendQuoted(line, value, delimiter, quote);
    }

    /// <summary>One line of verbatim cells joined by <paramref name="delimiter"/>, without a line break.</summary>
    public static string VerbatimLine(IEnumerable<string?> cells, char delimiter = ',', char quote = '"')
    {
        var line = new StringBuilder();
        var first = true;
        foreach (var cell in cells)
        {
            if (!first) line.Append(delimiter);
            first = false;
            AppendVerbatim(line, cell, delimiter, quote);
        }
        return line.ToString();
    }

    /// <summary>Whether a spreadsheet would read <paramref name="value"/> as a formula (or strip its first character).</summary>
    public static bool IsFormula(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    static void AppendQuoted(StringBuilder line, string value, char delimiter, char quote)
    {
        var span = value.AsSpan();
        if (span.IndexOfAny(delimiter, quote, '\n') < 0 && span.IndexOf('\r') < 0)
        {
            line.Append(value);
            return;
        }
        line.Append(quote);
        foreach (var c in span)
        {
            if (c == quote) line.Append(quote);
            line.Append(c);
        }
        line.Append(quote);
    }
}
