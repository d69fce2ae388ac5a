using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.Core.Agencies;

/// <summary>Registers agencies, API keys and the console's sign-in limits (section <c>Console:SignIn</c>).</summary>
public static class AgencyServices
{
    /// <summary>Agencies, keys and sign-in refusals.</summary>
    public static IServiceCollection AddAgencies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<AgencyService>().AddSingleton<ApiKeyService>().AddSingleton<SignInRefusals>();
        services.AddOptions<ConsoleSignInOptions>().Bind(configuration.GetSection("Console:SignIn"))
            .Validate(o => o.PermitLimit > 0 && o.Window > TimeSpan.Zero && o.AuditWindow > TimeSpan.Zero, "Console:SignIn: PermitLimit, Window and AuditWindow must be positive.")
            .ValidateOnStart();
        return services;
    }
}
