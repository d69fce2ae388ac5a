using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Style;

/// <summary>
/// The client's rule "no type over 300 lines" (issue 19), checked on the source: each type's lines are summed
/// over its partial files; a nested type's lines count toward its own size, not its container's.
/// </summary>
[TestFixture]
public sealed class TypeSizeTests
{
    const int MaxLines = 300;

    [Test]
    public void NoTypeInSrc_IsOver300Lines()
    {
        var sizes = TypeSizes(Path.Combine(RepositoryRoot(), "src"));
        Assert.That(sizes, Has.Count.GreaterThan(100), "the scan found the source tree's types");
        var over = sizes.Where(t => t.Value.Lines > MaxLines)
            .OrderByDescending(t => t.Value.Lines)
            .Select(t => $"{t.Key}: {t.Value.Lines} lines in {string.Join(", ", t.Value.Files.Order(StringComparer.Ordinal))}").ToList();
        Assert.That(over, Is.Empty, $"types over {MaxLines} lines; split them along a seam of their own");
    }

    [Test]
    public void PartialFiles_AddUp_AndNestedTypes_CountApart()
    {
        const string first = """
            namespace N;

            partial class Outer
            {
                int a;

                class Inner
                {
                    int b;
                }
            }
            """;
        const string second = """
            namespace N;
            partial class Outer
            {
                int c;
            }
            """;
        var sizes = new Dictionary<string, (int Lines, HashSet<string> Files)>();
        Add(sizes, "first.cs", first);
        Add(sizes, "second.cs", second);
        Assert.That(sizes["N.Outer"].Lines, Is.EqualTo(9 - 4 + 4), "the first part without Inner's four lines, and the second part's four");
        Assert.That(sizes["N.Outer"].Files, Is.EquivalentTo(new[] { "first.cs", "second.cs" }));
        Assert.That(sizes["N.Outer.Inner"].Lines, Is.EqualTo(4));
    }

    static Dictionary<string, (int Lines, HashSet<string> Files)> TypeSizes(string root)
    {
        var sizes = new Dictionary<string, (int Lines, HashSet<string> Files)>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.Split('/').Any(part => part is "bin" or "obj")) continue;
            Add(sizes, relative, File.ReadAllText(file));
        }
        return sizes;
    }

    static void Add(Dictionary<string, (int Lines, HashSet<string> Files)> sizes, string file, string text)
    {
        var tree = CSharpSyntaxTree.ParseText(text);
        foreach (var type in tree.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>())
        {
            var lines = Lines(type) - (type is TypeDeclarationSyntax t ? t.Members.OfType<BaseTypeDeclarationSyntax>().Sum(Lines) : 0);
            var name = Name(type);
            var (sum, files) = sizes.TryGetValue(name, out var known) ? known : (0, new HashSet<string>(StringComparer.Ordinal));
            files.Add(file);
            sizes[name] = (sum + lines, files);
        }
    }

    static int Lines(SyntaxNode node)
    {
        var span = node.GetLocation().GetLineSpan();
        return span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
    }

    /// <summary>The namespace, the containing types and the name with its arity: the parts of one partial type share it.</summary>
    static string Name(BaseTypeDeclarationSyntax type)
    {
        var parts = new List<string>();
        for (SyntaxNode? node = type; node is not null; node = node.Parent)
            switch (node)
            {
                case TypeDeclarationSyntax t:
                    parts.Add(t.TypeParameterList is { } p ? $"{t.Identifier.Text}`{p.Parameters.Count}" : t.Identifier.Text);
                    break;
                case BaseTypeDeclarationSyntax t:
                    parts.Add(t.Identifier.Text);
                    break;
                case BaseNamespaceDeclarationSyntax n:
                    parts.Add(n.Name.ToString());
                    break;
            }
        parts.Reverse();
        return string.Join('.', parts);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DataExchange.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No DataExchange.sln above {AppContext.BaseDirectory}.");
    }
}
