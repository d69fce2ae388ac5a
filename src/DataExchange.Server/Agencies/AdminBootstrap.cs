using DataExchange.Core.Agencies;

namespace DataExchange.Server.Agencies;

/// <summary><c>--bootstrap-admin</c>: the first admin key of a database, shown once (only its hash is stored).</summary>
public static class AdminBootstrap
{
    /// <summary>Issues and prints the first admin key; the exit code is 1 if the database already has one.</summary>
    public static async Task<int> BootstrapAdminAsync(this WebApplication app)
    {
        var issued = await app.Services.GetRequiredService<ApiKeyService>().BootstrapAdminAsync();
        System.Console.WriteLine(issued is null
            ? "An admin key already exists; nothing was issued. Ask an admin of the 'exchange' agency for a key."
            : $"Admin key (shown once, store it now): {issued.Key}\nKey id: {issued.Id}");
        return issued is null ? 1 : 0;
    }
}
