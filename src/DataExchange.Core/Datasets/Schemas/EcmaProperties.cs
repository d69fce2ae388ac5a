using System.Globalization;
using C = System.Globalization.UnicodeCategory;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// The sets ECMA-262 names: \d, \w, \s and the line terminators, and the Unicode properties of \p{…} (General_Category
/// values and their aliases, which .NET's data answers exactly; Any; ASCII).
/// </summary>
internal static class EcmaProperties
{
    public static readonly CodePointSet Digits = CodePointSet.Of(('0', '9'));
    public static readonly CodePointSet WordCharacters = CodePointSet.Of(('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z'));
    public static readonly CodePointSet WhiteSpace = CodePointSet.Of((0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
        (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF));
    public static readonly CodePointSet LineTerminators = CodePointSet.Of((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029));

    static readonly Dictionary<string, UnicodeCategory[]> Categories = Build();

    // Binary properties and scripts ECMA-262 knows but .NET has no data for: refused as not enforceable, not as bad syntax.
    static readonly HashSet<string> Others = new(StringComparer.Ordinal)
    {
        "Alphabetic", "Alpha", "White_Space", "space", "Uppercase", "Upper", "Lowercase", "Lower", "Emoji", "Ideographic", "Ideo",
        "Script", "Script_Extensions", "ASCII_Hex_Digit", "Hex_Digit", "Math", "Dash", "Noncharacter_Code_Point",
    };

    /// <summary>The set \p{<paramref name="name"/>} stands for; null for a name that is not one of these.</summary>
    public static CodePointSet? Named(string name)
    {
        var value = name.StartsWith("General_Category=", StringComparison.Ordinal) ? name[17..] : name.StartsWith("gc=", StringComparison.Ordinal) ? name[3..] : name;
        if (Categories.TryGetValue(value, out var categories))
            return categories.Aggregate(CodePointSet.Empty, (s, c) => s.Union(CodePointSet.Category(c)));
        return name switch
        {
            "Any" => CodePointSet.Empty.Complement(),
            "ASCII" => CodePointSet.Of((0, 0x7F)),
            _ => null,
        };
    }

    public static bool IsKnownOther(string name) => Others.Contains(name);

    static Dictionary<string, UnicodeCategory[]> Build()
    {
        var d = new Dictionary<string, UnicodeCategory[]>(StringComparer.Ordinal);
        void Add(UnicodeCategory[] cats, params string[] names)
        {
            foreach (var n in names) d[n] = cats;
        }
        Add([C.UppercaseLetter], "Lu", "Uppercase_Letter");
        Add([C.LowercaseLetter], "Ll", "Lowercase_Letter");
        Add([C.TitlecaseLetter], "Lt", "Titlecase_Letter");
        Add([C.UppercaseLetter, C.LowercaseLetter, C.TitlecaseLetter], "LC", "Cased_Letter");
        Add([C.ModifierLetter], "Lm", "Modifier_Letter");
        Add([C.OtherLetter], "Lo", "Other_Letter");
        Add([C.UppercaseLetter, C.LowercaseLetter, C.TitlecaseLetter, C.ModifierLetter, C.OtherLetter], "L", "Letter");
        Add([C.NonSpacingMark], "Mn", "Nonspacing_Mark");
        Add([C.SpacingCombiningMark], "Mc", "Spacing_Mark");
        Add([C.EnclosingMark], "Me", "Enclosing_Mark");
        Add([C.NonSpacingMark, C.SpacingCombiningMark, C.EnclosingMark], "M", "Mark", "Combining_Mark");
        Add([C.DecimalDigitNumber], "Nd", "Decimal_Number", "digit");
        Add([C.LetterNumber], "Nl", "Letter_Number");
        Add([C.OtherNumber], "No", "Other_Number");
        Add([C.DecimalDigitNumber, C.LetterNumber, C.OtherNumber], "N", "Number");
        Add([C.ConnectorPunctuation], "Pc", "Connector_Punctuation");
        Add([C.DashPunctuation], "Pd", "Dash_Punctuation");
        Add([C.OpenPunctuation], "Ps", "Open_Punctuation");
        Add([C.ClosePunctuation], "Pe", "Close_Punctuation");
        Add([C.InitialQuotePunctuation], "Pi", "Initial_Punctuation");
        Add([C.FinalQuotePunctuation], "Pf", "Final_Punctuation");
        Add([C.OtherPunctuation], "Po", "Other_Punctuation");
        Add([C.ConnectorPunctuation, C.DashPunctuation, C.OpenPunctuation, C.ClosePunctuation, C.InitialQuotePunctuation, C.FinalQuotePunctuation, C.OtherPunctuation],
            "P", "Punctuation", "punct");
        Add([C.MathSymbol], "Sm", "Math_Symbol");
        Add([C.CurrencySymbol], "Sc", "Currency_Symbol");
        Add([C.ModifierSymbol], "Sk", "Modifier_Symbol");
        Add([C.OtherSymbol], "So", "Other_Symbol");
        Add([C.MathSymbol, C.CurrencySymbol, C.ModifierSymbol, C.OtherSymbol], "S", "Symbol");
        Add([C.SpaceSeparator], "Zs", "Space_Separator");
        Add([C.LineSeparator], "Zl", "Line_Separator");
        Add([C.ParagraphSeparator], "Zp", "Paragraph_Separator");
        Add([C.SpaceSeparator, C.LineSeparator, C.ParagraphSeparator], "Z", "Separator");
        Add([C.Control], "Cc", "Control", "cntrl");
        Add([C.Format], "Cf", "Format");
        Add([C.Surrogate], "Cs", "Surrogate");
        Add([C.PrivateUse], "Co", "Private_Use");
        Add([C.OtherNotAssigned], "Cn", "Unassigned");
        Add([C.Control, C.Format, C.Surrogate, C.PrivateUse, C.OtherNotAssigned], "C", "Other");
        return d;
    }
}
