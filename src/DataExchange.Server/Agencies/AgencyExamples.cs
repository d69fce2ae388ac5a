using DataExchange.Core.Agencies;
using DataExchange.Core.Common;
using DataExchange.Server.Hosting;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Agencies;

/// <summary>The OpenAPI examples of agencies and their API keys (<see cref="ApiExamples"/>).</summary>
public static class AgencyExamples
{
    /// <summary>By type.</summary>
    public static readonly ExampleSet Set = new()
    {
        Types =
        {
            [typeof(AgencyEndpoints.Me)] = new AgencyEndpoints.Me("cli_4kz8x2m7q9w3", "gz-hrss", ["consumer"]),
            [typeof(CreateAgencyRequest)] = new CreateAgencyRequest("gz-hrss", "Guangzhou Human Resources and Social Security Bureau"),
            [typeof(Agency)] = new Agency("gz-hrss", "gz-hrss", "Guangzhou Human Resources and Social Security Bureau", At),
            [typeof(IssueKeyRequest)] = new IssueKeyRequest("hrss payroll system", [Role.Consumer], At.AddYears(1)),
            [typeof(IssuedApiKey)] = new IssuedApiKey(KeyId, "gz-hrss", "hrss payroll system", [Role.Consumer], At, At.AddYears(1), "dx_c8v1k3m9q2x7w4z6t5ab_Wq3…shown-once"),
            [typeof(ApiKeyInfo)] = new ApiKeyInfo(KeyId, "gz-hrss", "hrss payroll system", [Role.Consumer], At, At.AddYears(1), null),
        },
    };
}
