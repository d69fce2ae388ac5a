using System.Text;
using System.Text.Json;
using DataExchange.Core.Common;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Common;

/// <summary>Issue 12: JSON output escapes only what JSON requires, and every code point comes back.</summary>
public sealed class MinimalJsonEncoderTests
{
    static string Write(string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Json.WriterOptions)) writer.WriteStringValue(value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Test]
    public void EveryScalarValue_IsWrittenLiterally_ExceptQuoteBackslashAndControls()
    {
        var sb = new StringBuilder();
        for (var cp = 0x20; cp <= 0x10FFFF; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF || cp is '"' or '\\') continue;
            sb.Append(char.ConvertFromUtf32(cp));
        }
        var all = sb.ToString();
        Assert.That(Write(all), Is.EqualTo("\"" + all + "\""), "no code point outside what JSON requires is escaped");
    }

    [Test]
    public void QuoteBackslashAndControls_UseTheShortEscapes_ElseLowerCaseHex()
    {
        Assert.That(Write("\"\\\b\f\n\r\t\u0000\u001f"), Is.EqualTo("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\""));
    }

    [Test]
    public void SerializerOptions_WriteChineseNamesAsUtf8()
    {
        Assert.That(JsonSerializer.Serialize(new { name = "广东" }, Json.Options), Is.EqualTo("{\"name\":\"广东\"}"));
    }
}
