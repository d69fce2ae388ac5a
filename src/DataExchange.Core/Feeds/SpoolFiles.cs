using System.Diagnostics;

namespace DataExchange.Core.Feeds;

/// <summary>
/// Names of spooled payloads in <see cref="FeedOptions.WorkDirectory"/>:
/// <c>payload-&lt;machine&gt;-&lt;process id&gt;-&lt;guid&gt;</c> (a first load's key spill beside its payload too,
/// <see cref="Ingestion.KeySpill"/>). A worker killed mid-run leaves its payload behind (up to <see cref="FeedOptions.MaxPayloadBytes"/>, 2 GiB by default); the next
/// spool on the same machine removes the payloads of processes that no longer run. Payloads of
/// other machines (a shared folder) are never touched.
/// </summary>
public static class SpoolFiles
{
    static readonly string MachinePrefix = $"payload-{Environment.MachineName}-";

    /// <summary>A new spool path for this process.</summary>
    public static string NewPath(string workDirectory) =>
        Path.Combine(workDirectory, $"{MachinePrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>Deletes this machine's spools whose process has exited; returns how many.</summary>
    public static int RemoveOrphans(string workDirectory)
    {
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(workDirectory, MachinePrefix + "*"))
        {
            var parts = Path.GetFileName(path)[MachinePrefix.Length..].Split('-');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var pid) || IsRunning(pid)) continue;
            try
            {
                File.Delete(path);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process cleaning up at the same moment: it is gone either way.
            }
        }
        return removed;
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
