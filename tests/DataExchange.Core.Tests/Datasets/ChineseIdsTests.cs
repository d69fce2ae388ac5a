using DataExchange.Core.Datasets.Formats;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets;

[TestFixture]
public sealed class ChineseIdsTests
{
    // Published specimen numbers (GB 11643 / GB 32100 worked examples), not real people or firms.
    private const string ValidResidentId = "11010519491231002X";
    private const string ValidUscc = "91350100M000100Y43";

    [TestCase(ValidResidentId)]
    [TestCase("440106199003071231")]
    [TestCase("440524200002290010")]
    public void IsResidentId_Accepts_ValidNumbers(string value)
    {
        Assert.That(ChineseIds.IsResidentId(value), Is.True);
    }

    [Test]
    public void IsResidentId_Rejects_WrongCheckCharacter()
    {
        Assert.That(ChineseIds.IsResidentId("110105194912310021"), Is.False);
    }

    [Test]
    public void IsResidentId_Rejects_LowerCaseX()
    {
        Assert.That(ChineseIds.IsResidentId("11010519491231002x"), Is.False);
    }

    [TestCase("")]
    [TestCase("11010519491231002")]
    [TestCase("11010519491231002X0")]
    public void IsResidentId_Rejects_WrongLength(string value)
    {
        Assert.That(ChineseIds.IsResidentId(value), Is.False);
    }

    [Test]
    public void IsResidentId_Rejects_NonDigitInBody()
    {
        Assert.That(ChineseIds.IsResidentId("1101051949123100AX"), Is.False);
    }

    [TestCase("44010619900230")] // 30 February
    [TestCase("44010618990101")] // before 1900
    [TestCase("44010619901301")] // month 13
    [TestCase("44052420010229")] // 2001 is not a leap year
    public void IsResidentId_Rejects_ImpossibleBirthDate_EvenWithCorrectCheckCharacter(string first14)
    {
        var first17 = first14 + "123";
        var value = first17 + ChineseIds.ResidentIdCheck(first17);

        Assert.That(ChineseIds.IsResidentId(value), Is.False);
    }

    [Test]
    public void ResidentIdCheck_Computes_PublishedCheckCharacter()
    {
        Assert.That(ChineseIds.ResidentIdCheck("11010519491231002"), Is.EqualTo('X'));
    }

    [Test]
    public void ResidentIdCheck_Throws_WhenInputIsNotSeventeenDigits()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => ChineseIds.ResidentIdCheck("1101051949"), Throws.ArgumentException);
            Assert.That(() => ChineseIds.ResidentIdCheck("1101051949123100A"), Throws.ArgumentException);
        });
    }

    [TestCase(ValidUscc)]
    [TestCase("91440101MA59CXUF6M")]
    public void IsUscc_Accepts_ValidCodes(string value)
    {
        Assert.That(ChineseIds.IsUscc(value), Is.True);
    }

    [Test]
    public void IsUscc_Rejects_WrongCheckCharacter()
    {
        Assert.That(ChineseIds.IsUscc("91350100M000100Y44"), Is.False);
    }

    [Test]
    public void IsUscc_Rejects_LowerCaseLetters()
    {
        Assert.That(ChineseIds.IsUscc("91350100m000100y43"), Is.False);
    }

    [TestCase('I')]
    [TestCase('O')]
    [TestCase('Z')]
    [TestCase('S')]
    [TestCase('V')]
    public void IsUscc_Rejects_LettersOutsideTheAlphabet(char excluded)
    {
        var value = "91350100M000100" + excluded + "43";

        Assert.That(ChineseIds.IsUscc(value), Is.False);
    }

    [Test]
    public void IsUscc_Rejects_NonNumericDivisionCode()
    {
        // Correct check character for the mutated body, so only the division-code rule can fail it.
        const string first17 = "9135A100M000100Y4";
        var value = first17 + ChineseIds.UsccCheck(first17);

        Assert.That(ChineseIds.IsUscc(value), Is.False);
    }

    [TestCase("")]
    [TestCase("91350100M000100Y4")]
    [TestCase("91350100M000100Y430")]
    public void IsUscc_Rejects_WrongLength(string value)
    {
        Assert.That(ChineseIds.IsUscc(value), Is.False);
    }

    [Test]
    public void UsccCheck_Computes_PublishedCheckCharacter()
    {
        Assert.That(ChineseIds.UsccCheck("91350100M000100Y4"), Is.EqualTo('3'));
    }

    [Test]
    public void UsccCheck_Throws_WhenInputHasCharacterOutsideTheAlphabet()
    {
        Assert.That(() => ChineseIds.UsccCheck("91350100M000100I4"), Throws.ArgumentException);
    }
}
