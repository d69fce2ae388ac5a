using System.IO.Pipelines;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Feeds;

/// <summary>Keeps pushed payloads in PostgreSQL until their run has read them.</summary>
public sealed class UploadStore(NpgsqlDataSource dataSource, FeedSources sources, IOptions<FeedOptions> options)
{
    const int ChunkBytes = 1 << 20;

    /// <summary>Stores <paramref name="body"/> for <paramref name="runId"/> in chunks; throws past the payload limit.</summary>
    public async Task<long> SaveAsync(NpgsqlConnection conn, long runId, Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkBytes];
        long total = 0;
        var seq = 0;
        await using var copy = await conn.BeginBinaryImportAsync("copy dx.upload_chunks (run_id, seq, data) from stdin (format binary)", cancellationToken);
        while (true)
        {
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0) filled += read;
            if (filled == 0) break;
            total += filled;
            if (total > options.Value.MaxPayloadBytes)
                throw new InvalidException("payload-too-large", $"The upload exceeds the limit of {options.Value.MaxPayloadBytes} bytes.");
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(runId, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(seq++, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(new ArraySegment<byte>(buffer, 0, filled), NpgsqlDbType.Bytea, cancellationToken);
            if (filled < buffer.Length) break;
        }
        await copy.CompleteAsync(cancellationToken);
        return total;
    }

    /// <summary>Spools the stored upload of <paramref name="runId"/> to a temp file, like a fetched payload.</summary>
    public async Task<FetchedPayload> SpoolAsync(long runId, CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        var pump = Task.Run(async () =>
        {
            try
            {
                await using var cmd = Db.Command(dataSource, "select data from dx.upload_chunks where run_id = $1 order by seq", runId);
                await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    await pipe.Writer.WriteAsync(await reader.GetFieldValueAsync<byte[]>(0, cancellationToken), cancellationToken);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        }, cancellationToken);
        await using var stream = pipe.Reader.AsStream();
        var payload = await sources.SpoolAsync(stream, cancellationToken);
        await pump;
        return payload;
    }
}
