using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Schemas.Suite;

/// <summary>
/// Issue 15: the official JSON-Schema-Test-Suite (draft7 and draft2020-12, required and optional) through
/// registration and ingestion. Each file may have no more wrong, crashed or refused cases than baseline.tsv
/// records (a file it does not list: none); the baseline only ever goes down.
/// </summary>
[TestFixture]
public sealed class OfficialSuiteTests
{
    static IEnumerable<TestCaseData> Files()
    {
        var files = OfficialSuite.Files().ToList();
        if (files.Count == 0) yield return new TestCaseData("(suite absent)").SetName("Suite_IsAbsent");
        foreach (var f in files) yield return new TestCaseData(f).SetName($"Suite_File_NoMoreWrongCrashedOrRefusedThanBaseline({f})");
    }

    [TestCaseSource(nameof(Files))]
    public void File_HasNoMoreWrongCrashedOrRefusedCasesThanItsBaseline(string file)
    {
        if (OfficialSuite.Root() is null)
            Assert.Ignore("The JSON-Schema-Test-Suite copy is absent (../shared/data/json-schema-test-suite or DX_JSON_SCHEMA_TEST_SUITE).");
        var run = new SuiteRun();
        foreach (var c in OfficialSuite.Read(file)) run.Run(c);
        TestContext.Out.WriteLine($"{file}: right {run.Right}, wrong {run.Wrong.Count}, crashed {run.Crashed.Count}, refused {run.Refused.Count}");
        foreach (var line in run.Wrong.Concat(run.Crashed).Concat(run.Refused)) TestContext.Out.WriteLine("  " + line);
        var limit = SuiteBaseline.For(file);
        Assert.Multiple(() =>
        {
            Assert.That(run.Wrong, Has.Count.LessThanOrEqualTo(limit.Wrong), "wrong verdicts");
            Assert.That(run.Crashed, Has.Count.LessThanOrEqualTo(limit.Crashed), "crashes");
            Assert.That(run.Refused, Has.Count.LessThanOrEqualTo(limit.Refused), "refused schemas");
        });
    }
}
