using System.Text;
using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using DataExchange.Core.Tests.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Common;

/// <summary>The one CSV cell writer (issue 19, item 2): records CSV, audit CSV and replayed quarantines.</summary>
public sealed class CsvCellTests
{
    static string Cell(string? value, bool isText)
    {
        var line = new StringBuilder();
        CsvCell.Append(line, value, isText);
        return line.ToString();
    }

    [TestCase("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [TestCase("+1", "'+1")]
    [TestCase("-1+2", "'-1+2")]
    [TestCase("@SUM(A1)", "'@SUM(A1)")]
    [TestCase("\tx", "'\tx")]
    [TestCase("\rx", "\"'\rx\"")]
    [TestCase("a,b", "\"a,b\"")]
    [TestCase("line\nbreak", "\"line\nbreak\"")]
    [TestCase("广州 ok", "广州 ok")]
    [TestCase("", "")]
    [TestCase(null, "")]
    public void ATextCell_IsQuotedWhenNeeded_AndNeutralisedWhenAFormula(string? value, string written) =>
        Assert.That(Cell(value, isText: true), Is.EqualTo(written));

    [TestCase("-70.0274", "-70.0274")]
    [TestCase("true", "true")]
    [TestCase("{\"a\":1,\"b\":2}", "\"{\"\"a\"\":1,\"\"b\"\":2}\"")]
    public void ANumberBooleanOrJsonCell_IsNeverPrefixed(string value, string written) =>
        Assert.That(Cell(value, isText: false), Is.EqualTo(written));

    [Test]
    public async Task AVerbatimLine_ReadsBackAsTheSameCells_WithTheFeedsDelimiterAndQuote()
    {
        string[] cells = ["=formula", "semi;colon", "it's", "two\nlines", "", "-1", "plain"];
        var feed = new FeedDefinition { Source = "upload", Format = "csv", Delimiter = ";", Quote = "'", Encoding = "utf-8", Gzip = false };
        var line = CsvCell.VerbatimLine(cells, ';', '\'');
        Assert.That(line, Is.EqualTo("=formula;'semi;colon';'it''s';'two\nlines';;-1;plain"));
        var (_, header) = await PayloadReaderTests.ReadAsync(Encoding.UTF8.GetBytes(line + "\n"), feed);
        Assert.That(header, Is.EqualTo(cells));
    }
}
