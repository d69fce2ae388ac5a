using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DataExchange.Core.Feeds;

public static partial class DropFolder
{
    /// <summary>
    /// The few libc calls .NET does not expose: open with O_NOFOLLOW / O_NONBLOCK (a pipe must not block
    /// the worker in open) and statx, whose buffer layout is the same on every architecture.
    /// </summary>
    static partial class Native
    {
        internal const int Regular = 0x8000, Link = 0xA000;
        internal const int ENoEnt = 2, ENotDir = 20, ELoop = 40;
        const int TypeMask = 0xF000, AtFdCwd = -100, AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000;
        const uint StatxType = 0x1, StatxNlink = 0x4;

        /// <summary>O_RDONLY | O_NONBLOCK | O_CLOEXEC (the same values on every Linux architecture .NET runs on).</summary>
        internal const int ReadOnly = 0x800 | 0x80000;

        /// <summary>O_NOFOLLOW: 0100000 on ARM and POWER, 0400000 elsewhere (asm-generic).</summary>
        internal static int NoFollow { get; } =
            RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le ? 0x8000 : 0x20000;

        /// <summary>The open file, or null with the errno.</summary>
        internal static SafeFileHandle? Open(string path, int flags, out int errno)
        {
            var fd = OpenFile(path, flags);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
        }

        /// <summary>Where the open handle really is, as the kernel resolved it.</summary>
        internal static string LinkTarget(SafeFileHandle handle) =>
            new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget ?? "";

        /// <summary>File type bits and link count of the open handle.</summary>
        internal static (int Mode, uint Links) Stat(SafeFileHandle handle)
        {
            Span<byte> buffer = stackalloc byte[256];
            if (StatX((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxType | StatxNlink, buffer) != 0)
                throw new IOException($"statx failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            return Read(buffer);
        }

        /// <summary>File type bits and link count of <paramref name="path"/> itself (a link is not followed), or null when it cannot be read.</summary>
        internal static (int Mode, uint Links)? LStat(string path)
        {
            Span<byte> buffer = stackalloc byte[256];
            return StatX(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxNlink, buffer) == 0 ? Read(buffer) : null;
        }

        // struct statx: stx_nlink (u32) at offset 16, stx_mode (u16) at offset 28.
        static (int, uint) Read(ReadOnlySpan<byte> statx) =>
            (MemoryMarshal.Read<ushort>(statx[28..]) & TypeMask, MemoryMarshal.Read<uint>(statx[16..]));

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int OpenFile(string path, int flags);

        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int StatX(int dirfd, string path, int flags, uint mask, Span<byte> buffer);
    }
}
