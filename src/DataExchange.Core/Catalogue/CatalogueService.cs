using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using Npgsql;

namespace DataExchange.Core.Catalogue;

/// <summary>Query of the catalogue.</summary>
public sealed record CatalogueQuery(string? Q = null, string? Owner = null, string? Tag = null, string? Classification = null, int? Limit = null, string? After = null);

/// <summary>
/// Finds datasets. Every authenticated agency sees every entry (title, owner, schema, freshness,
/// quality): knowing that data exists is what lets an agency ask for it; the data itself stays
/// behind subscriptions.
/// </summary>
public sealed class CatalogueService(NpgsqlDataSource dataSource)
{
    const string Where = """
         where ($1::text is null or d.search @@ plainto_tsquery('simple', $1) or d.title ilike '%' || $1 || '%' or d.description ilike '%' || $1 || '%')
           and ($2::text is null or d.owner_agency_id = $2)
           and ($3::text is null or $3 = any(d.tags))
           and ($4::text is null or d.classification = $4)
           and ($5::text is null or d.id > $5)
         order by d.id limit $6
        """;

    /// <summary>A page of matching datasets, ordered by id.</summary>
    public async Task<Page<Dataset>> SearchAsync(CatalogueQuery query, CancellationToken cancellationToken = default)
    {
        var take = Paging.Limit(query.Limit);
        await using var cmd = Db.Command(dataSource, DatasetSql.Select + Where, Db.Typed(Escape(query.Q)), Db.Typed(query.Owner), Db.Typed(query.Tag),
            Db.Typed(query.Classification), Db.Typed(Paging.Decode(query.After)), take + 1);
        var list = new List<Dataset>();
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) list.Add(DatasetSql.Read(r));
        var next = list.Count > take ? Paging.Encode(list[take - 1].Id) : null;
        return new Page<Dataset>(list.Take(take).ToList(), next);
    }

    /// <summary>ILIKE wildcards in user text are matched literally.</summary>
    static string? Escape(string? q) => string.IsNullOrWhiteSpace(q) ? null : q.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
