using System.Globalization;
using System.Text;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// Host names: RFC 1123 (hostname, with any "xn--" label a valid IDNA2008 A-label) and IDNA2008 (idn-hostname:
/// RFC 5890–5893). Punycode, CONTEXTJ and hyphen rules come from the platform's ICU (<see cref="IdnMapping"/>);
/// what ICU's UTS 46 processing allows and IDNA2008 does not is checked here: mapped input (upper case,
/// compatibility forms), the DISALLOWED exceptions, the CONTEXTO rules and the Bidi rule.
/// </summary>
internal static class Hostnames
{
    static readonly IdnMapping Idna = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    // The label separators of RFC 3490 section 3.1, which idn-hostname accepts (hostname only the full stop).
    static readonly char[] Separators = ['.', '\u3002', '\uFF0E', '\uFF61'];

    public static bool IsHostname(string v)
    {
        if (v.Length is 0 or > 253 || v.Any(c => c > 0x7F)) return false;
        var labels = v.Split('.');
        return labels.All(IsAsciiLabel) && Bidi(labels.Select(l => IsALabelText(l) ? Idna.GetUnicode(l) : l).ToList());
    }

    public static bool IsIdnHostname(string v)
    {
        if (v.Length == 0) return false;
        var labels = v.Split(Separators);
        var ascii = 0;
        foreach (var label in labels)
        {
            if (label.Length == 0) return false;
            if (label.All(c => c <= 0x7F))
            {
                if (!IsAsciiLabel(label)) return false;
                ascii += label.Length + 1;
            }
            else
            {
                if (ToALabel(label) is not { Length: <= 63 } a || !IsULabel(label)) return false;
                ascii += a.Length + 1;
            }
        }
        return ascii - 1 <= 253 && Bidi(labels.Select(l => IsALabelText(l) ? Idna.GetUnicode(l) : l).ToList());
    }

    /// <summary>An RFC 6531 domain: ASCII host name labels, or labels of letters, digits, hyphens and any non-ASCII character.</summary>
    public static bool IsInternationalDomain(string v) =>
        v.All(c => c <= 0x7F) ? IsHostname(v)
        : v.Split('.').All(l => l.Length > 0 && l[0] != '-' && l[^1] != '-' && l.All(c => c > 0x7F || char.IsAsciiLetterOrDigit(c) || c == '-'));

    // RFC 1123 label: 1–63 letters, digits and hyphens, no hyphen first or last; "??--" only as a valid A-label.
    static bool IsAsciiLabel(string label)
    {
        if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        if (label.Length < 4 || label[2] != '-' || label[3] != '-') return true;
        if (!IsALabelText(label)) return false;
        string u;
        try { u = Idna.GetUnicode(label); }
        catch (ArgumentException) { return false; }
        return !u.All(c => c <= 0x7F) && IsULabel(u) && string.Equals(ToALabel(u), label, StringComparison.OrdinalIgnoreCase);
    }

    static bool IsALabelText(string label) => label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase);

    static string? ToALabel(string label)
    {
        try { return Idna.GetAscii(label); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>A U-label as IDNA2008 allows it: unchanged by UTS 46 mapping, every code point PVALID or allowed by its context.</summary>
    static bool IsULabel(string label)
    {
        if (ToALabel(label) is not { } a) return false;
        string back;
        try { back = Idna.GetUnicode(a); }
        catch (ArgumentException) { return false; }
        if (back != label || !label.IsNormalized(NormalizationForm.FormC)) return false;
        var cps = CodePoints(label);
        for (var i = 0; i < cps.Length; i++)
            if (!IsAllowed(cps, i)) return false;
        return true;
    }

    static bool IsAllowed(int[] cps, int i)
    {
        var cp = cps[i];
        switch (cp)
        {
            case 0x0640 or 0x07FA or 0x302E or 0x302F or (>= 0x3031 and <= 0x3035) or 0x303B: return false; // RFC 5892 2.6 DISALLOWED
            case 0x00DF or 0x03C2 or 0x06FD or 0x06FE or 0x0F0B or 0x3007 or '-' or 0x200C or 0x200D: return true; // PVALID; joiners: ICU checks CONTEXTJ
            case 0x00B7: return i > 0 && cps[i - 1] == 'l' && i + 1 < cps.Length && cps[i + 1] == 'l';
            case 0x0375: return i + 1 < cps.Length && IsGreek(cps[i + 1]);
            case 0x05F3 or 0x05F4: return i > 0 && IsHebrew(cps[i - 1]);
            case >= 0x0660 and <= 0x0669: return !cps.Any(c => c is >= 0x06F0 and <= 0x06F9);
            case >= 0x06F0 and <= 0x06F9: return !cps.Any(c => c is >= 0x0660 and <= 0x0669);
            case 0x30FB: return cps.Any(c => c != 0x30FB && (IsHiragana(c) || IsKatakana(c) || IsHan(c)));
        }
        // PVALID (RFC 5892 2.1 LetterDigits): what is left after UTS 46 mapping is lower-case and stable.
        return CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.LowercaseLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.ModifierLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }

    /// <summary>RFC 5893 section 2: in a domain with a right-to-left label, every label keeps to the Bidi rule.</summary>
    static bool Bidi(List<string> labels)
    {
        var classes = labels.Select(l => CodePoints(l).Select(BidiClass).ToArray()).ToList();
        if (!classes.Any(c => c.Any(b => b is 'R' or 'A' or 'N'))) return true;
        foreach (var c in classes)
        {
            if (c.Length == 0) continue;
            var end = c.Length - 1;
            while (end > 0 && c[end] == 'M') end--;
            if (c[0] is 'R' or 'A')
            {
                if (c.Any(b => b is 'L') || c[end] is not ('R' or 'A' or 'E' or 'N') || (c.Contains('E') && c.Contains('N'))) return false;
            }
            else if (c[0] != 'L' || c.Any(b => b is 'R' or 'A' or 'N') || c[end] is not ('L' or 'E')) return false;
        }
        return true;
    }

    // Bidi_Class, as far as host names need it: L, R, A(L), E(N), N (AN), M (NSM), O (ES, CS, ET, ON, BN).
    static char BidiClass(int cp) => cp switch
    {
        >= '0' and <= '9' or (>= 0x06F0 and <= 0x06F9) => 'E',
        (>= 0x0660 and <= 0x0669) or 0x066B or 0x066C => 'N',
        '-' or '.' => 'O',
        _ when CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark => 'M',
        _ when CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.Format => 'O', // ZWNJ, ZWJ: boundary neutral
        (>= 0x0590 and <= 0x05FF) or (>= 0x07C0 and <= 0x085F) or (>= 0xFB1D and <= 0xFB4F) or (>= 0x10800 and <= 0x10FFF) => 'R',
        (>= 0x0600 and <= 0x07BF) or (>= 0x0860 and <= 0x08FF) or (>= 0xFB50 and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF) => 'A',
        _ => 'L',
    };

    static bool IsGreek(int cp) => cp is (>= 0x0370 and <= 0x03FF) and not (0x0374 or 0x037E or 0x0385 or 0x0387) or (>= 0x1F00 and <= 0x1FFF);

    static bool IsHebrew(int cp) => cp is (>= 0x0591 and <= 0x05F4) or (>= 0xFB1D and <= 0xFB4F);

    static bool IsHiragana(int cp) => cp is (>= 0x3041 and <= 0x309F) or (>= 0x1B001 and <= 0x1B11F) or 0x1F200;

    static bool IsKatakana(int cp) => cp is (>= 0x30A1 and <= 0x30FA) or (>= 0x30FD and <= 0x30FF) or (>= 0x31F0 and <= 0x31FF) or (>= 0x32D0 and <= 0x32FE)
        or (>= 0x3300 and <= 0x3357) or (>= 0xFF66 and <= 0xFF6F) or (>= 0xFF71 and <= 0xFF9D) or 0x1B000;

    static bool IsHan(int cp) => cp is (>= 0x2E80 and <= 0x2FDF) or 0x3005 or 0x3007 or (>= 0x3021 and <= 0x3029) or (>= 0x3038 and <= 0x303B)
        or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x3134F);

    static int[] CodePoints(string s)
    {
        var list = new List<int>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { list.Add(char.ConvertToUtf32(s[i], s[i + 1])); i++; }
            else list.Add(s[i]);
        }
        return [.. list];
    }
}
