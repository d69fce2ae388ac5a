using Microsoft.Extensions.Hosting;

namespace DataExchange.Core.Feeds;

/// <summary>Keeps this process's copy of the admin-added feed hosts current (changes made on another node arrive within 30 s).</summary>
public sealed class FeedHostRefresher(FeedHostService hosts) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        do
        {
            try
            {
                await hosts.RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or Npgsql.PostgresException)
            {
                // The table may not exist before migrations ran, or the database is briefly away: try again next tick.
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
