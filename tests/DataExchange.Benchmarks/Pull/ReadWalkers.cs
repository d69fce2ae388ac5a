using Npgsql;
using static DataExchange.Benchmarks.Pull.BenchPeople;
using static DataExchange.Benchmarks.Pull.PullBenchmark;

namespace DataExchange.Benchmarks.Pull;

/// <summary>One client of the read benchmark walking the snapshot in keyset pages, counting what it got while measured.</summary>
abstract class ReadWalker
{
    public long Rows { get; private set; }
    public List<double> Latencies { get; } = [];

    /// <summary>Reads the next page (the first again after the last); returns its rows.</summary>
    public abstract Task<int> NextPageAsync();

    public void Record(int rows, double milliseconds)
    {
        Rows += rows;
        Latencies.Add(milliseconds);
    }

    /// <summary>Records in a JSON body: every record starts with its key field (jsonb and the exchange put the shortest name first).</summary>
    protected static int Count(ReadOnlySpan<byte> body)
    {
        var n = 0;
        for (int i; (i = body.IndexOf("{\"id\":"u8)) >= 0; body = body[(i + 6)..]) n++;
        return n;
    }

    /// <summary>GETs a page and counts its records; a non-success answer stops the benchmark with its body.</summary>
    protected static async Task<(int Rows, string? Header)> GetPageAsync(HttpClient http, string url, string header)
    {
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        return (Count(body), response.Headers.TryGetValues(header, out var values) ? values.FirstOrDefault() : null);
    }
}

/// <summary>The Npgsql baseline: the API's snapshot query (same predicate, order and page size), each row's text read as a string.</summary>
sealed class PgWalker(NpgsqlDataSource dataSource, int limit, int total) : ReadWalker
{
    const string Sql = """
        select key, data::text from dx.records
        where dataset_id = $1 and valid_from <= 1 and (valid_to is null or valid_to > 1) and key > $2 order by key limit $3
        """;
    string _after = "";
    int _seen;

    public override async Task<int> NextPageAsync()
    {
        await using var cmd = dataSource.CreateCommand(Sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = DatasetId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = _after });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await cmd.ExecuteReaderAsync();
        var n = 0;
        long chars = 0;
        string? last = null;
        while (await reader.ReadAsync())
        {
            last = reader.GetString(0);
            chars += reader.GetString(1).Length;
            n++;
        }
        _seen += n;
        if (n < limit || last is null || _seen >= total) (_after, _seen) = ("", 0);
        else _after = last;
        return chars > 0 ? n : 0;
    }
}

/// <summary>A consumer reading <c>GET …/records?limit=</c> and following the <c>Link: rel="next"</c> header; rows are counted in the body.</summary>
sealed class HttpWalker(HttpClient http, int limit, int total) : ReadWalker
{
    readonly string _first = $"/api/v1/datasets/{DatasetId}/records?limit={limit}";
    string? _next;
    int _seen;

    public override async Task<int> NextPageAsync()
    {
        var (n, link) = await GetPageAsync(http, _next ?? _first, "Link");
        _seen += n;
        _next = link is not null && _seen < total ? link[1..link.IndexOf('>')] : null;
        if (_next is null) _seen = 0;
        return n;
    }
}

/// <summary>
/// A client of platformatic-db's generated <c>GET /dxRecords</c> over the same rows: <c>where.datasetId.eq</c>,
/// ordered by key with its cursor (<c>cursor=true</c>, then <c>startAfter</c> from <c>X-Start-After</c>), the key
/// and the record (<c>fields=key&amp;fields=data</c>).
/// </summary>
sealed class PlatformaticWalker(HttpClient http, int limit, int total) : ReadWalker
{
    readonly string _first = $"/dxRecords?limit={limit}&fields=key&fields=data&where.datasetId.eq={Uri.EscapeDataString(DatasetId)}&orderby.key=asc&cursor=true";
    string? _next;
    int _seen;

    public override async Task<int> NextPageAsync()
    {
        var (n, after) = await GetPageAsync(http, _next ?? _first, "X-Start-After");
        _seen += n;
        _next = after is not null && n == limit && _seen < total ? _first + "&startAfter=" + Uri.EscapeDataString(after) : null;
        if (_next is null) _seen = 0;
        return n;
    }
}
