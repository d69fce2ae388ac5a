using System.Buffers;
using System.Text.Encodings.Web;

namespace DataExchange.Core.Common;

/// <summary>
/// Escapes only what JSON requires (RFC 8259 §7): the quotation mark, the reverse solidus and U+0000–U+001F.
/// Every other code point is written as UTF-8, Chinese names, U+2028 and emoji included. The built-in
/// <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> still escapes supplementary planes, U+2028/2029
/// and unassigned code points, and the default encoder escapes all non-ASCII (<c>\u5E7F\u4E1C…</c>): valid
/// JSON, unreadable for the people who use it. Escapes use the short forms where JSON has them, as
/// PostgreSQL's jsonb output and the canonical record form do.
/// </summary>
public sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    /// <summary>The one instance.</summary>
    public static MinimalJsonEncoder Instance { get; } = new();

    static readonly SearchValues<byte> Utf8Escaped = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);
    static readonly SearchValues<char> Utf16Escaped = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(c => (char)c), '"', '\\']);

    MinimalJsonEncoder() { }

    /// <inheritdoc/>
    public override int MaxOutputCharactersPerInputCharacter => 6;

    /// <inheritdoc/>
    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or '"' or '\\';

    /// <inheritdoc/>
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text) => utf8Text.IndexOfAny(Utf8Escaped);

    /// <inheritdoc/>
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        new ReadOnlySpan<char>(text, textLength).IndexOfAny(Utf16Escaped);

    /// <inheritdoc/>
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var output = new Span<char>(buffer, bufferLength);
        ReadOnlySpan<char> text = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            < 0x20 => $"\\u{unicodeScalar:x4}",
            _ => char.ConvertFromUtf32(unicodeScalar),
        };
        if (!text.TryCopyTo(output))
        {
            numberOfCharactersWritten = 0;
            return false;
        }
        numberOfCharactersWritten = text.Length;
        return true;
    }
}
