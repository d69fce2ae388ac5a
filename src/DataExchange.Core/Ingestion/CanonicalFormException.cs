using DataExchange.Core.Common;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A value the canonical form (so jsonb) cannot hold: a number beyond PostgreSQL numeric's range or a
/// lone surrogate. Rare, so an exception: the writer needs no error plumbing on its hot path.
/// </summary>
internal sealed class CanonicalFormException : Exception
{
    CanonicalFormException(string code, string pointer, string message) : base(message)
    {
        Code = code;
        Pointer = pointer;
    }

    /// <summary>number-out-of-range or invalid-unicode.</summary>
    public string Code { get; }

    /// <summary>JSON Pointer of the value within the record.</summary>
    public string Pointer { get; }

    public static CanonicalFormException OutOfRange(string json) => new("number-out-of-range", "",
        $"The number '{(json.Length <= 40 ? json : json[..40] + "…")}' cannot be stored: PostgreSQL numeric holds at most {ExactNumber.MaxIntegerDigits} digits before the decimal point and {ExactNumber.MaxScale} after it.");

    public static CanonicalFormException InvalidUnicode() => new("invalid-unicode", "",
        "The text contains a lone surrogate (an escape such as \\ud800 with no pair), which is not Unicode and cannot be stored.");

    /// <summary>The same problem one level down, at <paramref name="segment"/> of its parent.</summary>
    public CanonicalFormException Under(string segment) => new(Code, "/" + segment + Pointer, Message.Replace(Where(Pointer), Where("/" + segment + Pointer), StringComparison.Ordinal));

    static string Where(string pointer) => pointer.Length == 0 ? "cannot be stored" : $"at {pointer} cannot be stored";
}
