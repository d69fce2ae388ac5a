namespace DataExchange.Core.Ingestion;

/// <summary>
/// A payload byte that is not valid in the feed's declared encoding. A payload problem, not retried: the
/// same bytes fail the same way, and replacing them with U+FFFD would publish data the source never sent.
/// A <see cref="FormatException"/>, which the runner counts as a payload problem (<see cref="InvalidDataException"/>
/// and <see cref="System.Text.DecoderFallbackException"/> are sealed).
/// </summary>
public sealed class InvalidPayloadEncodingException(string encoding, byte value, long offset, long line)
    : FormatException($"The payload is not valid {encoding}: byte 0x{value:X2} at offset {offset} (line {line}). Nothing from it was published.")
{
    /// <summary>The offset of the byte in the (decompressed) payload, from 0.</summary>
    public long Offset { get; } = offset;

    /// <summary>The 1-based line that holds the byte.</summary>
    public long Line { get; } = line;
}
