using System.Diagnostics;
using System.Globalization;

namespace DataExchange.Benchmarks.Ingest;

/// <summary>
/// CPU seconds used by this process and by the PostgreSQL cluster (postmaster and its backends,
/// from /proc), so that a phase's cost can be read apart from wall time on a busy machine.
/// </summary>
public sealed class CpuMeter(string dataDirectory)
{
    /// <summary>(client, server) CPU seconds so far.</summary>
    public (double Client, double Server) Read()
    {
        var client = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        double server = 0;
        try
        {
            var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
                string stat;
                try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; }
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (pid != postmaster && ppid != postmaster) continue;
                // utime, stime, cutime, cstime (fields 14–17 of stat, counted from the state field as 3).
                server += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                    + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return (client, server);
    }
}
