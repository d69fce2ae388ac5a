using System.Globalization;
using C = System.Globalization.UnicodeCategory;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>The Unicode properties ECMA-262 names in \p{…}: General_Category values and their aliases, which .NET's data answers exactly.</summary>
internal static class EcmaProperties
{
    public static readonly Dictionary<string, UnicodeCategory[]> Categories = Build();

    // Binary properties and scripts ECMA-262 knows but .NET has no data for: refused as not enforceable, not as bad syntax.
    static readonly HashSet<string> Others = new(StringComparer.Ordinal)
    {
        "Alphabetic", "Alpha", "White_Space", "space", "Uppercase", "Upper", "Lowercase", "Lower", "Emoji", "Ideographic", "Ideo",
        "Script", "Script_Extensions", "ASCII_Hex_Digit", "Hex_Digit", "Math", "Dash", "Noncharacter_Code_Point",
    };

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
