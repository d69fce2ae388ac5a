using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Schemas;

/// <summary>
/// Differential test against the official JSON-Schema-Test-Suite (draft7): for every case whose
/// schema the vetter accepts, the exchange's verdict must equal the spec's. Cases whose schema is
/// refused are counted apart: refusing is the fail-closed answer, never a wrong verdict.
/// </summary>
[TestFixture]
public sealed class TestSuiteDifferentialTests
{
    static IEnumerable<string> Files() => TestSuiteCases.Files();

    [TestCaseSource(nameof(Files))]
    public async Task Verdicts_MatchTheSpec_ForAcceptedSchemas(string file)
    {
        var (ran, refused, mismatches) = await RunAsync(file);
        TestContext.Out.WriteLine($"{file}: {ran} cases ran, {refused} refused by the vetter");
        Assert.That(mismatches, Is.Empty);
    }

    [Test]
    public async Task Suite_RunsAtLeast300Cases()
    {
        int ran = 0, refused = 0;
        foreach (var file in Files())
        {
            var r = await RunAsync(file);
            ran += r.Ran;
            refused += r.Refused;
        }
        if (ran + refused == 0) Assert.Ignore("The TestSuite folder was not found beside the sources.");
        TestContext.Out.WriteLine($"JSON-Schema-Test-Suite draft7: {ran} cases ran, {refused} refused (fail closed).");
        Assert.That(ran, Is.GreaterThanOrEqualTo(300));
    }

    internal static async Task<(int Ran, int Refused, List<string> Mismatches)> RunAsync(string file)
    {
        int ran = 0, refused = 0;
        var mismatches = new List<string>();
        var schemas = new Dictionary<string, DatasetSchema?>(StringComparer.Ordinal);
        foreach (var c in TestSuiteCases.Read(file))
        {
            if (!schemas.TryGetValue(c.SchemaText, out var schema))
            {
                try { schema = DatasetSchema.LoadAny(c.SchemaText); }
                catch (InvalidException) { schema = null; }
                schemas[c.SchemaText] = schema;
            }
            if (schema is null)
            {
                refused++;
                continue;
            }
            ran++;
            var valid = schema.Validate(c.Instance).Count == 0;
            if (valid != c.Valid) mismatches.Add($"{c} — spec says {(c.Valid ? "valid" : "invalid")}");
        }
        return (ran, refused, mismatches);
    }
}
