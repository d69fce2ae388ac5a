namespace DataExchange.Core.Feeds;

/// <summary>Why a <c>file:</c> source is refused: an item code (<c>path-escapes-root</c>, <c>foreign-folder</c>, <c>symbolic-link</c>, <c>not-a-regular-file</c>, <c>hard-link</c>) and a message.</summary>
public sealed record DropRefusal(string Code, string Message);

/// <summary>
/// Confines <c>file:</c> sources (issue 13, item 3). A source names a path under the drop root whose
/// first folder is the owning agency's id, <c>file:&lt;agency&gt;/…</c>, and nothing below the drop root
/// may be a symbolic link. Registration checks the path and whatever of it exists; a fetch opens the
/// file without following a final link and then holds the open handle to what it must be — its real
/// path (read back through <c>/proc/self/fd</c>) is the expected one, it is a regular file, and it has a
/// single name — so a link swapped in at any moment, on any component, is caught on the very bytes read.
/// The drop root itself may be reached through a link (it is resolved first). Linux only (<c>/proc</c>).
/// </summary>
public static partial class DropFolder
{
    /// <summary>The problem code of a refused feed source.</summary>
    public const string Refused = "feed-source-refused";

    /// <summary>
    /// The lexical full path of <paramref name="relative"/> and a refusal when it leaves the drop root or
    /// the agency's folder, or when an existing part of it is a link, or the file is not one regular file.
    /// A path that does not exist yet is not refused (the agency drops the file later).
    /// </summary>
    public static DropRefusal? Check(FeedOptions options, string agencyId, string relative, out string path)
    {
        path = "";
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Contains('\0', StringComparison.Ordinal))
            return Escapes;
        var root = Root(options);
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(root + "/", StringComparison.Ordinal)) return Escapes;
        var folder = $"{root}/{agencyId}/";
        if (!full.StartsWith(folder, StringComparison.Ordinal))
            return new("foreign-folder", $"A file source must be in your agency's drop folder: file:{agencyId}/<path>.");
        path = full;
        return OperatingSystem.IsLinux() ? Walk(root, full) : null;
    }

    /// <summary>
    /// Opens the file of <paramref name="relative"/> for reading, or throws <see cref="DropRefusedException"/>
    /// (refused) or <see cref="FileNotFoundException"/> (not there yet).
    /// </summary>
    public static FileStream Open(FeedOptions options, string agencyId, string relative)
    {
        if (Check(options, agencyId, relative, out var full) is { } refusal) throw new DropRefusedException(refusal);
        if (!OperatingSystem.IsLinux())
            throw new DropRefusedException(new("unsupported-platform", "file: sources are read on Linux only (the check that no link was followed reads /proc)."));
        var root = Root(options);
        var expected = RealPath(root) + full[root.Length..];
        var shown = full[(root.Length + 1)..];
        var handle = Native.Open(expected, Native.ReadOnly | Native.NoFollow, out var errno) ?? throw errno switch
        {
            Native.ELoop => new DropRefusedException(LinkOnPath(shown)),
            Native.ENoEnt or Native.ENotDir => new FileNotFoundException($"The file 'file:{shown}' does not exist in the drop folder."),
            _ => new IOException($"The file 'file:{shown}' cannot be opened: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}."),
        };
        try
        {
            // O_NOFOLLOW covers the last component; the handle's real path covers every other one.
            if (Native.LinkTarget(handle) != expected) throw new DropRefusedException(LinkOnPath(shown));
            var (mode, links) = Native.Stat(handle);
            if (mode != Native.Regular) throw new DropRefusedException(NotRegular(shown));
            if (links > 1) throw new DropRefusedException(HardLink(shown));
            return new FileStream(handle, FileAccess.Read, 1 << 16, isAsync: false);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    static readonly DropRefusal Escapes = new("path-escapes-root", "A file source must be a relative path inside the drop folder (no '..', no absolute path).");

    static string Root(FeedOptions options) => Path.GetFullPath(options.DropRoot).TrimEnd('/');

    static DropRefusal LinkOnPath(string relative) =>
        new("symbolic-link", $"file:{relative} goes through a symbolic link; links are refused anywhere under the drop folder.");

    static DropRefusal NotRegular(string relative) =>
        new("not-a-regular-file", $"file:{relative} is not a regular file (a folder, pipe or device is refused).");

    static DropRefusal HardLink(string relative) =>
        new("hard-link", $"file:{relative} has more than one name (a hard link); copy the file into the folder instead.");

    /// <summary>lstat of every existing component below the root: a link anywhere is refused, and an existing file must be regular with one name.</summary>
    static DropRefusal? Walk(string root, string full)
    {
        var parts = full[(root.Length + 1)..].Split('/');
        var path = root;
        for (var i = 0; i < parts.Length; i++)
        {
            path += "/" + parts[i];
            var relative = string.Join('/', parts[..(i + 1)]);
            if (Native.LStat(path) is not var (mode, links)) return null;
            if (mode == Native.Link) return LinkOnPath(relative);
            if (i < parts.Length - 1) continue;
            if (mode != Native.Regular) return NotRegular(relative);
            if (links > 1) return HardLink(relative);
        }
        return null;
    }

    static string RealPath(string root)
    {
        using var handle = Native.Open(root, Native.ReadOnly, out var errno)
            ?? throw new IOException($"The drop folder (Feeds:DropRoot) cannot be opened: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}.");
        return Native.LinkTarget(handle);
    }
}

/// <summary>A <c>file:</c> source refused by <see cref="DropFolder"/>.</summary>
public sealed class DropRefusedException(DropRefusal refusal) : Exception(refusal.Message)
{
    /// <summary>The reason.</summary>
    public DropRefusal Refusal { get; } = refusal;
}
