using DataExchange.Core.Agencies;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.IntegrationTests.Hosting;

/// <summary>The setup every fixture starts with: the operator admin, then agencies with keys.</summary>
public static class ExchangeSetup
{
    /// <summary>Bootstraps the operator admin (admin and auditor) of a fresh database; a client with its key.</summary>
    public static async Task<ApiClient> BootstrapAdminAsync(this WebApplicationFactory<Program> factory)
    {
        var bootstrap = await factory.Services.GetRequiredService<ApiKeyService>().BootstrapAdminAsync()
            ?? throw new InvalidOperationException("This database already has its operator admin.");
        return new ApiClient(factory.CreateClient(), bootstrap.Key);
    }

    /// <summary>As admin: creates agency <paramref name="code"/> and returns a client with a new key of <paramref name="role"/> in it.</summary>
    public static async Task<ApiClient> NewAgencyAsync(this ApiClient admin, string code, string name, string role = "steward")
    {
        await admin.PostAsync("/api/v1/agencies", new { code, name });
        return await admin.NewKeyAsync(code, role);
    }

    /// <summary>As admin: a client with a new key of <paramref name="role"/> in <paramref name="agency"/>.</summary>
    public static async Task<ApiClient> NewKeyAsync(this ApiClient admin, string agency, string role)
    {
        var issued = await admin.PostAsync($"/api/v1/agencies/{agency}/keys", new { name = role, roles = new[] { role } });
        return new ApiClient(admin.Http, issued["key"]!.GetValue<string>());
    }
}
