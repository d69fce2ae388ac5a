namespace DataExchange.Core.Feeds;

/// <summary>Operator settings of feed fetching (section <c>Feeds</c>).</summary>
public sealed class FeedOptions
{
    /// <summary>Root folder of <c>file:</c> sources; paths that leave it are refused. Default: ./drop.</summary>
    public string DropRoot { get; set; } = "drop";

    /// <summary>Folder for payloads while a run reads them and for pushed uploads. Default: system temp.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "dataexchange-work");

    /// <summary>Hosts that HTTP sources may name; anything else is refused (no SSRF). Default: none. Admins add more at run time (<see cref="FeedHostList"/>).</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Largest payload accepted, in bytes. Default 2 GiB.</summary>
    public long MaxPayloadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>HTTP connect timeout. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for the next bytes of a response. Default 30 s.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
