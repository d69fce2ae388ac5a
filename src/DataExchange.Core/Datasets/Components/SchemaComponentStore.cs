using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using Npgsql;

namespace DataExchange.Core.Datasets.Components;

/// <summary>
/// Shared schema components (issue 15): an agency registers a reusable schema under a stable URI; each
/// registration is the URI's next version; only the agency that registered a URI first may add versions. A dataset
/// schema version resolves its references against the latest versions when it is registered and keeps those
/// (<c>dx.schema_version_components</c>) for good. Components are readable by every caller: they are shared by design.
/// </summary>
public sealed class SchemaComponentStore(NpgsqlDataSource dataSource, AuditWriter audit, TimeProvider time)
{
    /// <summary>Vets <paramref name="request"/>'s schema as a dataset would reach it and registers it as the URI's next version.</summary>
    public async Task<SchemaComponentInfo> RegisterAsync(Caller caller, RegisterComponentRequest request, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Steward);
        var (uri, draft) = Validate(request);
        var text = request.Schema!.ToJsonString();
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.ToBytes(request.Schema)));
        var candidate = new SchemaComponent(uri, int.MaxValue, text, draft);
        try
        {
            var latest = await LatestAsync(cancellationToken);
            DatasetSchema.LoadAny(SchemaComponents.Reference(uri), SchemaComponents.Of(latest.Where(c => c.Uri != uri).Append(candidate)));
        }
        catch (InvalidException e)
        {
            // Pointers into the component ("uri#/…") become pointers into the request body.
            var problems = e.Errors.Select(p => p with { Pointer = "/schema" + (p.Pointer.StartsWith(uri + "#", StringComparison.Ordinal) ? p.Pointer[(uri.Length + 1)..] : p.Pointer) }).ToList();
            await RefuseAsync(caller, uri, e.Code, cancellationToken);
            throw new InvalidException(e.Code, e.Message, problems);
        }
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        // One registration of a URI at a time, so versions are consecutive and the owner check holds.
        await using (var lockUri = Db.Command(conn, "select pg_advisory_xact_lock(hashtextextended($1, 15))", uri))
            await lockUri.ExecuteNonQueryAsync(cancellationToken);
        const string latestVersion = "select version, owner_agency_id, fingerprint from dx.schema_components where uri = $1 order by version desc limit 1";
        var version = 1;
        await using (var cmd = Db.Command(conn, latestVersion, uri))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            if (await reader.ReadAsync(cancellationToken))
            {
                var (last, owner, lastFingerprint) = (reader.GetInt32(0), reader.GetString(1), reader.GetString(2));
                if (owner != caller.AgencyId)
                {
                    await reader.DisposeAsync();
                    await tx.RollbackAsync(cancellationToken);
                    await RefuseAsync(caller, uri, "not-owner", cancellationToken);
                    throw new ForbiddenException("not-owner", $"{uri} belongs to '{owner}'; only its stewards may register new versions.");
                }
                if (lastFingerprint == fingerprint) return await GetAsync(uri, last, cancellationToken) with { Schema = null };
                version = last + 1;
            }
        var now = time.GetUtcNow();
        const string insert = """
            insert into dx.schema_components (uri, version, owner_agency_id, schema_text, fingerprint, draft, created_at)
            values ($1, $2, $3, $4, $5, $6, $7)
            """;
        await using (var cmd = Db.Command(conn, insert, uri, version, caller.AgencyId, text, fingerprint, DraftName(draft), now))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.SchemaComponentRegistered, AuditOutcome.Succeeded, $"{uri}@{version}", null,
            new JsonObject { ["uri"] = uri, ["version"] = version, ["fingerprint"] = fingerprint }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new SchemaComponentInfo(uri, version, caller.AgencyId, DraftName(draft), fingerprint, now);
    }

    /// <summary>The versions of <paramref name="uri"/>, oldest first; without one, the latest version of every component.</summary>
    public async Task<IReadOnlyList<SchemaComponentInfo>> ListAsync(string? uri, CancellationToken cancellationToken = default)
    {
        const string versions = "select uri, version, owner_agency_id, draft, fingerprint, created_at from dx.schema_components where uri = $1 order by version";
        const string latest = "select distinct on (uri) uri, version, owner_agency_id, draft, fingerprint, created_at from dx.schema_components order by uri, version desc";
        await using var cmd = uri is null ? Db.Command(dataSource, latest) : Db.Command(dataSource, versions, SchemaUris.Normalize(uri) ?? uri);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<SchemaComponentInfo>();
        while (await reader.ReadAsync(cancellationToken))
            list.Add(new SchemaComponentInfo(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5)));
        return list;
    }

    /// <summary>One version with its schema; 404 when unknown.</summary>
    public async Task<SchemaComponentInfo> GetAsync(string uri, int version, CancellationToken cancellationToken = default)
    {
        const string sql = "select uri, version, owner_agency_id, draft, fingerprint, created_at, schema_text from dx.schema_components where uri = $1 and version = $2";
        await using var cmd = Db.Command(dataSource, sql, SchemaUris.Normalize(uri) ?? uri, version);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) throw new NotFoundException($"No schema component {uri} version {version}.");
        return new SchemaComponentInfo(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5))
        {
            Schema = JsonNode.Parse(reader.GetString(6)),
        };
    }

    /// <summary>The latest version of every component: what a schema registered now resolves against.</summary>
    public async Task<IReadOnlyList<SchemaComponent>> LatestAsync(CancellationToken cancellationToken = default)
    {
        const string sql = "select distinct on (uri) uri, version, schema_text, draft from dx.schema_components order by uri, version desc";
        await using var cmd = Db.Command(dataSource, sql);
        return await ReadAsync(cmd, cancellationToken);
    }

    /// <summary>The component versions a dataset schema version was registered against.</summary>
    public async Task<IReadOnlyList<SchemaComponent>> PinnedAsync(string datasetId, int version, CancellationToken cancellationToken = default)
    {
        const string sql = """
            select c.uri, c.version, c.schema_text, c.draft from dx.schema_version_components p
            join dx.schema_components c on c.uri = p.component_uri and c.version = p.component_version
            where p.dataset_id = $1 and p.schema_version = $2
            """;
        await using var cmd = Db.Command(dataSource, sql, datasetId, version);
        return await ReadAsync(cmd, cancellationToken);
    }

    /// <summary>Records, in the registering transaction, the component versions <paramref name="schema"/> was compiled against.</summary>
    internal static async Task PinAsync(NpgsqlConnection conn, string datasetId, DatasetSchema schema, CancellationToken cancellationToken)
    {
        const string sql = "insert into dx.schema_version_components (dataset_id, schema_version, component_uri, component_version) values ($1, $2, $3, $4)";
        foreach (var c in schema.Components)
        {
            await using var cmd = Db.Command(conn, sql, datasetId, schema.Version, c.Uri, c.Version);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    static async Task<IReadOnlyList<SchemaComponent>> ReadAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<SchemaComponent>();
        while (await reader.ReadAsync(cancellationToken))
            list.Add(new SchemaComponent(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3) == "2020-12" ? SchemaDraft.Draft202012 : SchemaDraft.Draft7));
        return list;
    }

    static (string Uri, SchemaDraft Draft) Validate(RegisterComponentRequest request)
    {
        var errors = new List<ProblemItem>();
        var uri = request.Uri is { } u && SchemaUris.Normalize(u) is { } n && !u.Contains('#') ? n : null;
        if (uri is null) errors.Add(new("/uri", "invalid-uri", "Give the absolute URI (without a fragment) that schemas will $ref, e.g. https://schemas.gd.gov.cn/address."));
        else if (SchemaDialect.Standard(uri) is not null) errors.Add(new("/uri", "reserved-uri", "That URI is a JSON Schema metaschema."));
        if (request.Schema?.GetValueKind() is not (System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
            errors.Add(new("/schema", "required", "Give the component's JSON Schema (an object or a boolean)."));
        var draft = request.Draft switch
        {
            null or "draft-07" => SchemaDraft.Draft7,
            "2020-12" => SchemaDraft.Draft202012,
            _ => (SchemaDraft?)null,
        };
        if (draft is null) errors.Add(new("/draft", "enum", "Use draft-07 or 2020-12."));
        if (errors.Count > 0) throw new InvalidException("invalid-component", "The schema component cannot be registered.", errors);
        return (uri!, draft!.Value);
    }

    static string DraftName(SchemaDraft draft) => draft == SchemaDraft.Draft7 ? "draft-07" : "2020-12";

    Task RefuseAsync(Caller caller, string uri, string code, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditRecord(caller, AuditAction.SchemaComponentRefused, AuditOutcome.Denied, uri, null, new JsonObject { ["uri"] = uri, ["code"] = code }), cancellationToken);
}
