using System.Diagnostics;
using DataExchange.Core.Feeds;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Feeds;

/// <summary>Issue 13, item 3: a <c>file:</c> source stays in its agency's drop folder, with no link on its path, checked on the handle that is read.</summary>
public sealed class DropFolderTests
{
    string _root = null!;
    FeedOptions _options = null!;

    [SetUp]
    public void CreateDropRoot()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("file: sources are read on Linux only.");
        _root = Directory.CreateTempSubdirectory("dx-drop-unit-").FullName;
        _options = new FeedOptions { DropRoot = _root };
        Write("gd-amr/licences.csv", "uscc,name\n1,own\n");
        Write("gz-hrss/residents.csv", "resident_id,name\n440100,secret\n");
    }

    [TearDown]
    public void RemoveDropRoot()
    {
        if (_root is not null) Directory.Delete(_root, recursive: true);
    }

    [Test]
    public void OwnRegularFile_OpensAndReads()
    {
        using var stream = DropFolder.Open(_options, "gd-amr", "gd-amr/licences.csv");
        Assert.That(new StreamReader(stream).ReadToEnd(), Is.EqualTo("uscc,name\n1,own\n"));
    }

    [TestCase("gz-hrss/residents.csv")]
    [TestCase("residents.csv")]
    [TestCase("gd-amr/../gz-hrss/residents.csv")]
    public void AnotherAgencysFile_OrOneOutsideEveryAgencyFolder_IsRefused(string relative)
    {
        Assert.That(DropFolder.Check(_options, "gd-amr", relative, out _)?.Code, Is.EqualTo("foreign-folder"));
        Assert.That(Assert.Throws<DropRefusedException>(() => DropFolder.Open(_options, "gd-amr", relative))!.Refusal.Code, Is.EqualTo("foreign-folder"));
    }

    [Test]
    public void LinkToAFileOutsideTheDropRoot_IsRefused_AtCheckAndOpen()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "gd-amr", "passwd.csv"), "/etc/passwd");
        Assert.That(DropFolder.Check(_options, "gd-amr", "gd-amr/passwd.csv", out _)?.Code, Is.EqualTo("symbolic-link"));
        Assert.That(Assert.Throws<DropRefusedException>(() => DropFolder.Open(_options, "gd-amr", "gd-amr/passwd.csv"))!.Refusal.Code, Is.EqualTo("symbolic-link"));
    }

    [Test]
    public void LinkedFolderOnThePath_IsRefused_AtCheckAndOpen()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "gd-amr", "shared"), Path.Combine(_root, "gz-hrss"));
        Assert.That(DropFolder.Check(_options, "gd-amr", "gd-amr/shared/residents.csv", out _)?.Code, Is.EqualTo("symbolic-link"));
        Assert.That(Assert.Throws<DropRefusedException>(() => DropFolder.Open(_options, "gd-amr", "gd-amr/shared/residents.csv"))!.Refusal.Code, Is.EqualTo("symbolic-link"));
    }

    [Test]
    public void AgencyFolderThatIsItselfALink_IsRefused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "gd-fake"), Path.Combine(_root, "gz-hrss"));
        Assert.That(DropFolder.Check(_options, "gd-fake", "gd-fake/residents.csv", out _)?.Code, Is.EqualTo("symbolic-link"));
        Assert.That(Assert.Throws<DropRefusedException>(() => DropFolder.Open(_options, "gd-fake", "gd-fake/residents.csv"))!.Refusal.Code, Is.EqualTo("symbolic-link"));
    }

    [Test]
    public void HardLinkToAnotherAgencysFile_IsRefused()
    {
        Run("ln", Path.Combine(_root, "gz-hrss", "residents.csv"), Path.Combine(_root, "gd-amr", "copy.csv"));
        Assert.That(DropFolder.Check(_options, "gd-amr", "gd-amr/copy.csv", out _)?.Code, Is.EqualTo("hard-link"));
        Assert.That(Assert.Throws<DropRefusedException>(() => DropFolder.Open(_options, "gd-amr", "gd-amr/copy.csv"))!.Refusal.Code, Is.EqualTo("hard-link"));
    }

    [Test]
    public void NamedPipe_IsRefused_WithoutBlockingOnOpen()
    {
        Run("mkfifo", Path.Combine(_root, "gd-amr", "pipe.csv"));
        Assert.That(DropFolder.Check(_options, "gd-amr", "gd-amr/pipe.csv", out _)?.Code, Is.EqualTo("not-a-regular-file"));
        Assert.That(Assert.Throws<DropRefusedException>(() => DropFolder.Open(_options, "gd-amr", "gd-amr/pipe.csv"))!.Refusal.Code, Is.EqualTo("not-a-regular-file"));
    }

    [Test]
    public void MissingFile_IsNotRefusedAtCheck_AndNotFoundAtOpen()
    {
        Assert.That(DropFolder.Check(_options, "gd-amr", "gd-amr/later/today.csv", out _), Is.Null);
        Assert.Throws<FileNotFoundException>(() => DropFolder.Open(_options, "gd-amr", "gd-amr/later/today.csv"));
    }

    [Test]
    public void DropRootReachedThroughALink_IsResolved_AndItsFilesOpen()
    {
        var link = Path.Combine(Path.GetTempPath(), $"dx-drop-link-{Guid.NewGuid():N}");
        Directory.CreateSymbolicLink(link, _root);
        try
        {
            using var stream = DropFolder.Open(new FeedOptions { DropRoot = link }, "gd-amr", "gd-amr/licences.csv");
            Assert.That(stream.Length, Is.GreaterThan(0));
        }
        finally
        {
            Directory.Delete(link);
        }
    }

    void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    static void Run(string tool, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, process.StandardError.ReadToEnd());
    }
}
