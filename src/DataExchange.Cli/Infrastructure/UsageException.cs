namespace DataExchange.Cli.Infrastructure;

/// <summary>
/// A problem with what the user gave us locally (missing file, malformed manifest), detected
/// before any request is sent. Maps to <see cref="ExitCodes.Usage"/>.
/// </summary>
public sealed class UsageException(string message, string? hint = null) : Exception(message)
{
    public string? Hint { get; } = hint;
}
