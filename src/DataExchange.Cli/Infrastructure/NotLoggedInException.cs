namespace DataExchange.Cli.Infrastructure;

/// <summary>No server/key in env or config file. Maps to <see cref="ExitCodes.NotAuthorized"/>.</summary>
public sealed class NotLoggedInException(string message) : Exception(message);
