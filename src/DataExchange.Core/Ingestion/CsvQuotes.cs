namespace DataExchange.Core.Ingestion;

/// <summary>Where, in a CSV record that ends inside quotes, the field that was never closed opened.</summary>
static class CsvQuotes
{
    /// <summary>Line breaks in <paramref name="raw"/> before the quote that opens its unclosed last field (0 if none is found).</summary>
    public static int LinesBeforeOpenQuote(string raw, char separator, char quote)
    {
        int open = -1;
        var (quoted, fieldStart) = (false, true);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (quoted)
            {
                if (c != quote) continue;
                if (i + 1 < raw.Length && raw[i + 1] == quote) i++;
                else quoted = false;
                continue;
            }
            if (fieldStart && c == quote)
            {
                (quoted, open, fieldStart) = (true, i, false);
                continue;
            }
            fieldStart = c == separator;
        }
        return quoted ? raw.AsSpan(0, open).Count('\n') : 0;
    }
}
