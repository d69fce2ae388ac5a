namespace DataExchange.Core.Common;

/// <summary>One page of a list, with the opaque keyset cursor of the next page when there is one.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>Paging limits shared by every list (API.md: default 100, max 1000).</summary>
public static class Paging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Clamps a requested limit; throws on a non-positive one.</summary>
    public static int Limit(int? requested)
    {
        if (requested is <= 0) throw new InvalidException("invalid-limit", "limit must be between 1 and 1000.", [new("/limit", "range", "Use 1–1000.")]);
        return Math.Min(requested ?? DefaultLimit, MaxLimit);
    }

    /// <summary>Encodes a keyset position as an opaque cursor.</summary>
    public static string Encode(string position) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(position)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes a cursor; throws 400 on garbage.</summary>
    public static string? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        try
        {
            var s = cursor.Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(s));
        }
        catch (FormatException)
        {
            throw new InvalidException("invalid-cursor", "The cursor is not one this API gave out.", [new("/after", "cursor", "Pass the 'next' value of the previous page unchanged.")]);
        }
    }
}
