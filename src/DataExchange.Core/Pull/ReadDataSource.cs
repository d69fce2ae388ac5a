using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Pull;

/// <summary>
/// The connection pool of JSON record and change pages (issue 14): its connections are not reset when
/// they go back to the pool (<c>No Reset On Close</c>, so no <c>DISCARD ALL</c> round trip per page) and
/// their statements are prepared once per connection (<c>Max Auto Prepare</c>). Only the page path uses
/// it, and that path leaves no session state behind — no temporary tables, no <c>set</c>, every
/// transaction ended; ingestion's temporary tables and session settings stay on the shared pool, which
/// is reset on every return. <see cref="PullOptions.ReadPoolSize"/> connections at most, on top of the
/// shared pool's <c>Maximum Pool Size</c>.
/// </summary>
public sealed class ReadDataSource : IAsyncDisposable, IDisposable
{
    public ReadDataSource(string connectionString, IOptions<PullOptions> options)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "dataexchange-read" };
        var settings = builder.ConnectionStringBuilder;
        settings.NoResetOnClose = true;
        settings.MaxPoolSize = options.Value.ReadPoolSize;
        settings.MinPoolSize = Math.Min(settings.MinPoolSize, settings.MaxPoolSize);
        if (settings.MaxAutoPrepare == 0) settings.MaxAutoPrepare = 64;
        Source = builder.Build();
    }

    /// <summary>The pool.</summary>
    public NpgsqlDataSource Source { get; }

    public ValueTask DisposeAsync() => Source.DisposeAsync();

    public void Dispose() => Source.Dispose();
}
