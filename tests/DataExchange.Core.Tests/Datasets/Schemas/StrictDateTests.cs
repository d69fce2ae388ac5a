using System.Globalization;
using DataExchange.Core.Datasets.Schemas;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Schemas;

/// <summary>
/// The format "date" is checked by hand (issue 14: DateOnly.TryParseExact was a tenth of a CSV ingest's validation
/// CPU); it must answer exactly as that parse did, over every day of the calendar and the strings around them.
/// </summary>
[TestFixture]
public sealed class StrictDateTests
{
    static bool Reference(string v) => v.Length == 10 && DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    [Test]
    public void EveryDayOfTheCalendar_AndEveryMonthAndDayAroundIt_AnswersAsDateOnlyParse()
    {
        var disagreements = new List<string>();
        foreach (var year in Enumerable.Range(0, 2101).Concat(Enumerable.Range(9990, 10)))
            for (var month = 0; month <= 13; month++)
                for (var day = 0; day <= 32; day++)
                    Check(string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}-{day:D2}"), disagreements);
        Assert.That(disagreements, Is.Empty);
    }

    [TestCase("2024-02-29")]
    [TestCase("2023-02-29")]
    [TestCase("1900-02-29")]
    [TestCase("2000-02-29")]
    [TestCase("0000-01-01")]
    [TestCase("0001-01-01")]
    [TestCase("9999-12-31")]
    [TestCase("2024-1-01")]
    [TestCase("2024-01-1 ")]
    [TestCase(" 2024-01-1")]
    [TestCase("2024/01/01")]
    [TestCase("2024-01-01T")]
    [TestCase("+024-01-01")]
    [TestCase("-024-01-01")]
    [TestCase("2024-+1-01")]
    [TestCase("2024-01-+1")]
    [TestCase("２０２４-01-01")]
    [TestCase("٢٠٢٤-01-01")]
    [TestCase("2024-01-0a")]
    [TestCase("2024 01 01")]
    [TestCase("")]
    public void AString_AnswersAsDateOnlyParse(string value) =>
        Assert.That(StrictFormats.IsDate(value), Is.EqualTo(Reference(value)), value);

    static void Check(string v, List<string> disagreements)
    {
        if (StrictFormats.IsDate(v) != Reference(v)) disagreements.Add(v);
    }
}
