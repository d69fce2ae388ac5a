namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// A record's pattern could not be checked within its budget (see <see cref="PatternBudget"/>). It ends the
/// record's evaluation: read as "no match", a <c>not</c> or <c>oneOf</c> around the pattern would make the record valid.
/// </summary>
internal sealed class PatternTimeoutException(string pointer, string schemaPointer, string pattern) : Exception
{
    /// <inheritdoc/>
    public override string Message => $"{(Pointer.Length == 0 ? "The record" : Pointer)} could not be checked against the pattern {Pattern} within the record's time budget.";

    /// <summary>Where the string is in the record (JSON Pointer); completed by the enclosing objects and arrays as it leaves them.</summary>
    public string Pointer { get; private set; } = pointer;

    /// <summary>The pattern keyword in the schema.</summary>
    public string SchemaPointer { get; } = schemaPointer;

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; } = pattern;

    /// <summary>Puts <paramref name="parent"/> (the pointer of the member or item the string is in) in front of <see cref="Pointer"/>.</summary>
    public void Within(string parent) => Pointer = parent + Pointer;
}
