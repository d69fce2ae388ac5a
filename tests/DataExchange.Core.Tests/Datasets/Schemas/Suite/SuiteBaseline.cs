using System.Runtime.CompilerServices;

namespace DataExchange.Core.Tests.Datasets.Schemas.Suite;

/// <summary>The recorded ceiling per suite file (baseline.tsv: file, wrong, crashed, refused); unlisted files have none.</summary>
internal static class SuiteBaseline
{
    static readonly Dictionary<string, (int Wrong, int Crashed, int Refused)> Limits = Read();

    public static (int Wrong, int Crashed, int Refused) For(string file) => Limits.GetValueOrDefault(file);

    static Dictionary<string, (int, int, int)> Read([CallerFilePath] string source = "") =>
        File.ReadLines(Path.Combine(Path.GetDirectoryName(source)!, "baseline.tsv"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split('\t'))
            .ToDictionary(p => p[0], p => (int.Parse(p[1]), int.Parse(p[2]), int.Parse(p[3])), StringComparer.Ordinal);
}
