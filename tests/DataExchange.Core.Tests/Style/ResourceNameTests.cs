using System.Xml.Linq;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Style;

/// <summary>
/// The resource build keeps one of two names that differ only in case and drops the other with a warning (MSB3568), so
/// the text behind the dropped one shows untranslated (issue 18: 'queued', 'published', 'valid', 'found', 'rejected').
/// </summary>
[TestFixture]
public sealed class ResourceNameTests
{
    [Test]
    public void NoResxInSrc_HasTwoNamesEqualIgnoringCase()
    {
        var files = Directory.EnumerateFiles(Path.Combine(TypeSizeTests.RepositoryRoot(), "src"), "*.resx", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")).ToList();
        Assert.That(files, Is.Not.Empty, "the scan found the resource files");
        var clashes = new List<string>();
        var names = 0;
        foreach (var file in files)
        {
            var fileNames = XDocument.Load(file).Root!.Elements("data").Select(d => d.Attribute("name")!.Value).ToList();
            names += fileNames.Count;
            clashes.AddRange(fileNames.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
                .Select(g => $"{Path.GetFileName(file)}: {string.Join(" / ", g.Select(n => $"'{n}'"))}"));
        }
        Assert.That(names, Is.GreaterThan(300), "the scan read the resources' names");
        Assert.That(clashes, Is.Empty, "names equal ignoring case (give one of them its own text)");
    }
}
