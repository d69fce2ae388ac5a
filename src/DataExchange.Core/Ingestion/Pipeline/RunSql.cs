using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>What the pipeline's set-based statements share.</summary>
internal static class RunSql
{
    /// <summary>No command timeout: set-based steps over millions of rows outlast Npgsql's default 30 s (cancellation still applies).</summary>
    public static NpgsqlCommand Long(NpgsqlCommand command)
    {
        command.CommandTimeout = 0;
        return command;
    }
}
