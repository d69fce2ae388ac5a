using System.IO.Compression;
using System.Text;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Hostile and broken payloads (issue 8): CSV quoting and encoding faults, NUL bytes, huge lines and
/// headers, JSON nesting, duplicate keys and number overflows, gzip bombs and truncated archives.
/// </summary>
public static class MalformedInputCorpus
{
    /// <summary>One case: a name, the feed format it is pushed to, and its bytes.</summary>
    public sealed record Case(string Name, string Format, byte[] Body)
    {
        /// <inheritdoc />
        public override string ToString() => $"{Format}: {Name}";
    }

    const string Header = "id,name,note\n";

    static Case Csv(string name, string text) => new(name, "csv", Encoding.UTF8.GetBytes(text));
    static Case CsvBytes(string name, byte[] bytes) => new(name, "csv", bytes);
    static Case Nd(string name, string text) => new(name, "ndjson", Encoding.UTF8.GetBytes(text));
    static Case Js(string name, string text) => new(name, "json", Encoding.UTF8.GetBytes(text));
    static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
    static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }

    static byte[] GzipOfZeros(long bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            var zeros = new byte[1 << 20];
            for (long written = 0; written < bytes; written += zeros.Length) gz.Write(zeros);
        }
        return output.ToArray();
    }

    /// <summary>Every case; at least 60.</summary>
    public static IEnumerable<Case> All()
    {
        var valid = Header + "1,Li,ok\n2,Wang,ok\n";
        yield return Csv("unbalanced quote mid-file", Header + "1,\"Li,ok\n2,Wang,ok\n3,Zhao,ok\n");
        yield return Csv("unbalanced quote on the last line", Header + "1,Li,ok\n2,\"Wang,ok\n");
        yield return Csv("quote inside an unquoted field", Header + "1,Li\"s,ok\n");
        yield return Csv("text after a closing quote", Header + "1,\"Li\"x,ok\n");
        yield return CsvBytes("invalid UTF-8 sequence", Cat(U(Header + "1,"), [0xC3, 0x28], U(",ok\n")));
        yield return CsvBytes("overlong UTF-8 encoding", Cat(U(Header + "1,"), [0xC0, 0xAF], U(",ok\n")));
        yield return CsvBytes("UTF-8 surrogate half", Cat(U(Header + "1,"), [0xED, 0xA0, 0x80], U(",ok\n")));
        yield return CsvBytes("UTF-16 with BOM", Cat([0xFF, 0xFE], Encoding.Unicode.GetBytes(valid)));
        yield return CsvBytes("BOM then garbage", Cat([0xEF, 0xBB, 0xBF], [0xFF, 0xFE, 0x00, 0x01], U(valid)));
        yield return Csv("NUL byte in a field", Header + "1,Li\0Lei,ok\n2,Wang,ok\n");
        yield return Csv("NUL byte in the key", Header + "1\0,Li,ok\n2,Wang,ok\n");
        yield return Csv("NUL byte in the header", "id,na\0me,note\n1,Li,ok\n");
        yield return Csv("10 MB single line", Header + "1,Li," + new string('x', 10 * 1024 * 1024));
        yield return Csv("10 MB line inside quotes with newlines", Header + "1,Li,\"" + string.Concat(Enumerable.Repeat(new string('y', 1000) + "\n", 10_000)) + "\"\n");
        yield return Csv("5000 columns in the header", string.Join(',', Enumerable.Range(0, 5000).Select(i => "c" + i)) + "\n" + string.Join(',', Enumerable.Range(0, 5000)) + "\n");
        yield return Csv("5000 columns in one row", Header + "1,Li," + string.Join(',', Enumerable.Range(0, 5000)) + "\n2,Wang,ok\n");
        yield return Csv("empty payload", "");
        yield return Csv("header only", Header);
        yield return Csv("only line breaks", "\n\n\n\n");
        yield return Csv("CR-only line endings", "id,name,note\r1,Li,ok\r2,Wang,ok\r");
        yield return Csv("mixed CRLF and LF", "id,name,note\r\n1,Li,ok\n2,Wang,ok\r\n");
        yield return Csv("no header: data only", "1,Li,ok\n2,Wang,ok\n");
        yield return Csv("duplicate header names", "id,name,name\n1,Li,Lei\n");
        yield return Csv("empty header name", "id,,note\n1,Li,ok\n");
        yield return Csv("100k-character header name", "id," + new string('h', 100_000) + ",note\n1,Li,ok\n");
        yield return Csv("row with fewer fields", Header + "1,Li\n2,Wang,ok\n");
        yield return Csv("row with more fields", Header + "1,Li,ok,extra,more\n");
        yield return Csv("integer overflow in the key", Header + "99999999999999999999999999,Li,ok\n");
        yield return Csv("exponent in an integer column", Header + "1e400,Li,ok\n");
        yield return Csv("negative zero", Header + "-0,Li,ok\n");
        yield return Csv("key of whitespace only", Header + "   ,Li,ok\n");
        yield return Csv("formula-looking text", Header + "1,=cmd|'/c calc'!A1,@SUM(A1)\n");
        yield return Csv("control characters", Header + "1,Li\u0001\u0002\u001b[31m,ok\n");
        yield return Csv("a field of only quotes", Header + "1,\"\"\"\"\"\",ok\n");
        yield return Csv("tab-delimited file on a comma feed", "id\tname\tnote\n1\tLi\tok\n");
        yield return Csv("conflicting duplicate keys", Header + "1,Li,ok\n1,Lee,changed\n");
        yield return Csv("10,000 identical duplicates", Header + string.Concat(Enumerable.Repeat("1,Li,ok\n", 10_000)));
        yield return CsvBytes("random binary", Enumerable.Range(0, 65536).Select(i => (byte)((i * 7919) ^ (i >> 3))).ToArray());
        yield return CsvBytes("gzip bomb (200 MB of zeros)", GzipOfZeros(200L * 1024 * 1024));
        yield return CsvBytes("truncated gzip", Gzip(U(valid))[..20]);
        yield return CsvBytes("gzip with a corrupt checksum", CorruptTail(Gzip(U(valid))));
        yield return CsvBytes("gzip header then plain text", Cat([0x1f, 0x8b, 0x08, 0x00], U(valid)));

        yield return Nd("nesting 100,000 deep", "{\"id\":1,\"name\":" + new string('[', 100_000) + new string(']', 100_000) + "}\n");
        yield return Nd("duplicate keys in an object", "{\"id\":1,\"id\":2,\"name\":\"Li\"}\n");
        yield return Nd("number beyond double (stored exactly)", "{\"id\":1e400,\"name\":\"Li\"}\n");
        yield return Nd("integer beyond 64 bits", "{\"id\":1180591620717411303424,\"name\":\"Li\"}\n");
        yield return Nd("truncated line", "{\"id\":1,\"name\":\"Li\"\n{\"id\":2,\"name\":\"Wang\"}\n");
        yield return Nd("an array, not an object", "[1,2,3]\n");
        yield return Nd("a bare string", "\"hello\"\n");
        yield return Nd("null", "null\n");
        yield return Nd("trailing comma", "{\"id\":1,\"name\":\"Li\",}\n");
        yield return Nd("NaN and Infinity", "{\"id\":NaN,\"name\":Infinity}\n");
        yield return Nd("single-quoted JSON", "{'id':1,'name':'Li'}\n");
        yield return Nd("comments", "/* hi */ {\"id\":1,\"name\":\"Li\"} // there\n");
        yield return Nd("invalid escape", "{\"id\":1,\"name\":\"L\\xi\"}\n");
        yield return Nd("lone surrogate escape", "{\"id\":1,\"name\":\"\\ud800\"}\n");
        yield return Nd("escaped NUL", "{\"id\":1,\"name\":\"a\\u0000b\"}\n");
        yield return Nd("10 MB string", "{\"id\":1,\"name\":\"" + new string('z', 10 * 1024 * 1024) + "\"}\n");
        yield return Nd("two objects on one line", "{\"id\":1,\"name\":\"Li\"}{\"id\":2,\"name\":\"Wang\"}\n");
        yield return new Case("random binary", "ndjson", Enumerable.Range(0, 65536).Select(i => (byte)(i * 31 + 7)).ToArray());

        yield return Js("an object, not an array", "{\"id\":1,\"name\":\"Li\"}");
        yield return Js("unclosed array", "[{\"id\":1,\"name\":\"Li\"},");
        yield return Js("nesting 100,000 deep", new string('[', 100_000) + new string(']', 100_000));
        yield return Js("array of numbers", "[1,2,3]");
        yield return Js("duplicate keys", "[{\"id\":1,\"id\":2,\"name\":\"Li\"}]");
        yield return Js("number beyond double (stored exactly)", "[{\"id\":1e400,\"name\":\"Li\"}]");
        yield return Js("garbage after the array", "[{\"id\":1,\"name\":\"Li\"}] trailing");
        yield return Js("empty payload", "");
    }

    static byte[] CorruptTail(byte[] gz)
    {
        var copy = (byte[])gz.Clone();
        copy[^6] ^= 0xFF;
        return copy;
    }
}
