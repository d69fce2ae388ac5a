namespace DataExchange.Server.Console.Datasets;

/// <summary>One line of a diff: ' ' kept, '-' only in the old text, '+' only in the new one.</summary>
public sealed record DiffLine(char Kind, string Text);

/// <summary>
/// A longest-common-subsequence line diff, enough for two pretty-printed schemas (64 KiB at most,
/// so a few thousand lines: the O(n·m) table stays within a few MB).
/// </summary>
public static class LineDiff
{
    /// <summary>The lines of <paramref name="oldText"/> and <paramref name="newText"/> in order, marked.</summary>
    public static IReadOnlyList<DiffLine> Compute(string oldText, string newText)
    {
        var a = oldText.Split('\n');
        var b = newText.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var result = new List<DiffLine>(a.Length + b.Length);
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { result.Add(new(' ', a[x])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) result.Add(new('-', a[x++]));
            else result.Add(new('+', b[y++]));
        }
        while (x < a.Length) result.Add(new('-', a[x++]));
        while (y < b.Length) result.Add(new('+', b[y++]));
        return result;
    }
}
