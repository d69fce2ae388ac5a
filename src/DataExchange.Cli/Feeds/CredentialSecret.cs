using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Feeds;

/// <summary>
/// A feed credential's secret comes from an environment variable that the file names
/// (<c>"credential": {"kind": "bearer", "secretEnv": "LICENCES_TOKEN"}</c>), so it is never written
/// in a manifest, a feed file or shell history; dx puts its value in <c>secret</c> just before sending.
/// </summary>
public static class CredentialSecret
{
    /// <summary>Replaces <c>credential.secretEnv</c> in <paramref name="feed"/> by the variable's value; <paramref name="file"/> names the source in errors.</summary>
    public static void Resolve(JsonNode? feed, string file)
    {
        if (feed?["credential"] is not JsonObject credential || !credential.ContainsKey("secretEnv")) return;
        if (credential.ContainsKey("secret"))
            throw new UsageException($"{file}: give credential.secretEnv or credential.secret, not both (prefer secretEnv: the secret stays out of files).");
        if (credential["secretEnv"] is not JsonValue name || !name.TryGetValue<string>(out var variable) || variable.Length == 0)
            throw new UsageException($"{file}: credential.secretEnv must name an environment variable.");
        credential.Remove("secretEnv");
        credential["secret"] = FromEnvironment(variable);
    }

    /// <summary>The value of <paramref name="variable"/>; a usage error when it is unset or empty.</summary>
    public static string FromEnvironment(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new UsageException($"The environment variable {variable} (the credential's secret) is not set.");
}
