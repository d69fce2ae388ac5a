namespace DataExchange.Core.Datasets.Formats;

/// <summary>
/// Check-character validation for the two national identifiers that appear in PRC agency feeds:
/// the resident identity number (GB 11643-1999) and the unified social credit code (GB 32100-2015).
/// </summary>
/// <remarks>
/// Validators run once per field per row during ingestion, so everything works on spans and
/// constant data (the weight tables compile to static PE data) and nothing allocates.
/// </remarks>
public static class ChineseIds
{
    const int IdLength = 18;

    // GB 11643-1999, ISO 7064 MOD 11-2: the weight of position i is 2^(17-i) mod 11.
    static ReadOnlySpan<byte> ResidentWeights => [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    // Indexed by (weighted sum mod 11); 'X' stands for the value 10.
    const string ResidentCheckChars = "10X98765432";

    // GB 32100-2015 alphabet: digits plus upper-case letters without I, O, Z, S, V, which are
    // easily confused with 1, 0, 2, 5 and U when codes are hand-written or read aloud.
    const string UsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    // GB 32100-2015: the weight of position i is 3^i mod 31.
    static ReadOnlySpan<byte> UsccWeights => [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>True when <paramref name="value"/> is a well-formed 18-character resident identity number.</summary>
    public static bool IsResidentId(string value)
    {
        if (value is null || value.Length != IdLength)
        {
            return false;
        }

        var body = value.AsSpan(0, IdLength - 1);
        foreach (var c in body)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        // Positions 7-14 hold the birth date; a correct check digit over an impossible date is
        // still a fabricated number, so the date is checked too. Lower-case 'x' is rejected on
        // purpose: the standard and the issuing authority only print upper case.
        return IsBirthDate(body.Slice(6, 8)) && value[IdLength - 1] == ResidentIdCheck(body);
    }

    /// <summary>Computes the check character for the first 17 digits of a resident identity number.</summary>
    /// <exception cref="ArgumentException">The input is not exactly 17 ASCII digits.</exception>
    public static char ResidentIdCheck(ReadOnlySpan<char> first17)
    {
        if (first17.Length != IdLength - 1)
        {
            throw new ArgumentException("Exactly 17 digits are required.", nameof(first17));
        }

        var weights = ResidentWeights;
        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            var c = first17[i];
            if (!char.IsAsciiDigit(c))
            {
                throw new ArgumentException("Only ASCII digits are allowed.", nameof(first17));
            }

            sum += (c - '0') * weights[i];
        }

        return ResidentCheckChars[sum % 11];
    }

    /// <summary>True when <paramref name="value"/> is a well-formed 18-character unified social credit code.</summary>
    public static bool IsUscc(string value)
    {
        if (value is null || value.Length != IdLength)
        {
            return false;
        }

        // Positions 3-8 are the administrative division code (GB/T 2260), always numeric.
        foreach (var c in value.AsSpan(2, 6))
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        // The check character is drawn from the same alphabet, so it must be a member too;
        // lower case is rejected because the alphabet is defined in upper case only.
        if (!TryWeightedUsccSum(value.AsSpan(0, IdLength - 1), out var sum))
        {
            return false;
        }

        return value[IdLength - 1] == UsccAlphabet[(31 - (sum % 31)) % 31];
    }

    /// <summary>Computes the check character for the first 17 characters of a unified social credit code.</summary>
    /// <exception cref="ArgumentException">The input is not 17 characters from the GB 32100-2015 alphabet.</exception>
    public static char UsccCheck(ReadOnlySpan<char> first17)
    {
        if (first17.Length != IdLength - 1)
        {
            throw new ArgumentException("Exactly 17 characters are required.", nameof(first17));
        }

        if (!TryWeightedUsccSum(first17, out var sum))
        {
            throw new ArgumentException("Characters must come from the GB 32100-2015 alphabet.", nameof(first17));
        }

        return UsccAlphabet[(31 - (sum % 31)) % 31];
    }

    static bool TryWeightedUsccSum(ReadOnlySpan<char> first17, out int sum)
    {
        var weights = UsccWeights;
        sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            var index = UsccAlphabet.AsSpan().IndexOf(first17[i]);
            if (index < 0)
            {
                return false;
            }

            sum += index * weights[i];
        }

        return true;
    }

    static bool IsBirthDate(ReadOnlySpan<char> yyyyMMdd)
    {
        // Digits were already checked by the caller, so plain arithmetic parsing is safe and
        // avoids culture-sensitive DateTime parsing.
        var year = ((yyyyMMdd[0] - '0') * 1000) + ((yyyyMMdd[1] - '0') * 100) + ((yyyyMMdd[2] - '0') * 10) + (yyyyMMdd[3] - '0');
        var month = ((yyyyMMdd[4] - '0') * 10) + (yyyyMMdd[5] - '0');
        var day = ((yyyyMMdd[6] - '0') * 10) + (yyyyMMdd[7] - '0');

        return year is >= 1900 and <= 2100
            && month is >= 1 and <= 12
            && day >= 1
            && day <= DateTime.DaysInMonth(year, month);
    }
}
