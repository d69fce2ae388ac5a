using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Components;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Feeds;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Datasets;

/// <summary>Registers datasets with their first schema version and feed, and reads them back.</summary>
public sealed partial class DatasetRegistry(
    NpgsqlDataSource dataSource, AuditWriter audit, IOptions<FeedOptions> feedOptions, FeedHostList feedHosts, FeedCredentialStore credentials, IFeedScheduler scheduler,
    SchemaComponentStore components, TimeProvider time)
{
    static readonly string[] CompatibilityModes = ["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"];

    // Compiled schemas are immutable per (dataset, version): cache them for the life of the process.
    readonly ConcurrentDictionary<(string, int), Task<DatasetSchema>> _schemas = new();

    [GeneratedRegex("^[a-z][a-z0-9-]{1,30}[a-z0-9]\\.[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();

    /// <summary>Whether <paramref name="id"/> has the shape of a dataset id (<c>agency.slug</c>); a refusal names only such ids as its dataset.</summary>
    public static bool IsWellFormedId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Registers a dataset owned by the caller's agency.</summary>
    public Task<Dataset> RegisterAsync(Caller caller, RegisterDatasetRequest request, CancellationToken cancellationToken = default) =>
        RegisterAsync(caller, request, [.. ManifestProblems.OfShape(request)], cancellationToken);

    /// <summary>
    /// Registers a dataset from its manifest as sent (the API's body): held against the manifest's schema before any
    /// member is read, so wrong types and unknown members are listed with every other problem, by JSON Pointer.
    /// </summary>
    public Task<Dataset> RegisterAsync(Caller caller, JsonObject manifest, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Steward);
        var (request, problems) = ManifestProblems.Read(manifest);
        return RegisterAsync(caller, request, problems, cancellationToken);
    }

    /// <summary>
    /// Registers a dataset owned by the caller's agency, with <paramref name="problems"/> already found in its
    /// manifest; every further problem joins them and all are refused in one answer.
    /// </summary>
    async Task<Dataset> RegisterAsync(Caller caller, RegisterDatasetRequest request, List<ProblemItem> problems, CancellationToken cancellationToken)
    {
        caller.Require(Role.Steward);
        var (id, feed, schemaText) = await RefusingAsync(caller, request.Id, request.Feed, () => Validate(caller, request, problems), cancellationToken);
        DatasetSchema? schema = null;
        if (schemaText is not null)
        {
            try { schema = await LoadNewSchemaAsync(schemaText, 1, cancellationToken); }
            catch (InvalidException e) { ManifestProblems.Add(problems, e.Errors.Count == 0 ? [new("/schema", e.Code, e.Message)] : e.Errors.Select(p => p with { Pointer = "/schema" + p.Pointer })); }
        }
        if (schema is not null && request.KeyFields is { } keyFields)
            ManifestProblems.Add(problems, keyFields.Where(k => schema.Document["properties"]?[k] is null)
                .Select(k => new ProblemItem("/keyFields", "unknown-property", $"'{k}' is not in the schema's properties.")));
        if (problems.Count > 0 || schema is null || feed is null)
            throw new InvalidException("invalid-request", "The dataset manifest is not valid; every problem is listed in errors.", problems);

        var now = time.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        const string insertDataset = """
            insert into dx.datasets (id, owner_agency_id, title, description, key_fields, classification, tags, compatibility, created_at, metadata)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb) on conflict do nothing
            """;
        await using (var cmd = Db.Command(conn, insertDataset, id, caller.AgencyId, request.Title!.Trim(), request.Description?.Trim() ?? "",
            request.KeyFields!.ToArray(), request.Classification!, (request.Tags ?? []).ToArray(), request.Compatibility ?? "BACKWARD", now,
            JsonSerializer.Serialize(request.Metadata ?? new DatasetMetadata(), Json.Options)))
        {
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
                throw new ConflictException("dataset-exists", $"Dataset '{id}' already exists.");
        }
        await InsertSchemaVersionAsync(conn, id, schema, now, cancellationToken);
        await UpsertFeedAsync(conn, id, feed, now, cancellationToken);
        var details = new JsonObject { ["schemaVersion"] = 1, ["fingerprint"] = schema.Fingerprint, ["classification"] = request.Classification, ["feedSource"] = feed.Source };
        if (await credentials.ApplyAsync(conn, id, feed, "/feed/credential", now, cancellationToken) is not null) details["feedCredential"] = feed.Credential!.Kind;
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.DatasetRegistered, AuditOutcome.Succeeded, id, id, details), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        scheduler.Schedule(id, feed.Cron);
        return (await FindAsync(id, cancellationToken))!;
    }

    /// <summary>The dataset with its feed and schema versions; 404 when unknown.</summary>
    public async Task<Dataset> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var dataset = await FindAsync(id, cancellationToken) ?? throw new NotFoundException($"Dataset '{id}' does not exist.");
        return dataset with { Feed = await GetFeedAsync(id, cancellationToken), SchemaVersions = await ListSchemaVersionsAsync(id, cancellationToken) };
    }

    /// <summary>The dataset's row without feed and versions, or null.</summary>
    public async Task<Dataset?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var cmd = Db.Command(dataSource, DatasetSql.Select + " where d.id = $1", id);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? DatasetSql.Read(reader) : null;
    }

    /// <summary>The dataset, when the caller is a steward of its owner; else refused (not-owner) or 404.</summary>
    internal async Task<Dataset> RequireOwnerAsync(Caller caller, string datasetId, CancellationToken cancellationToken)
    {
        caller.Require(Role.Steward);
        var dataset = await FindAsync(datasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
        if (dataset.Owner != caller.AgencyId)
            throw new ForbiddenException("not-owner", $"Only stewards of '{dataset.Owner}' may change '{datasetId}'.");
        return dataset;
    }

    /// <summary>The dataset, when <see cref="DatasetOperations.CanRead"/> allows the caller; else refused (not-owner, 403) or 404.</summary>
    public async Task<Dataset> RequireOperationsReaderAsync(Caller caller, string datasetId, CancellationToken cancellationToken = default)
    {
        var dataset = await FindAsync(datasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
        if (!DatasetOperations.CanRead(caller, dataset)) throw DatasetOperations.Refusal(dataset);
        return dataset;
    }

    /// <summary>The feed of <paramref name="id"/> for <paramref name="caller"/> (see <see cref="RequireOperationsReaderAsync"/>).</summary>
    public async Task<FeedDefinition> GetFeedAsync(Caller caller, string id, CancellationToken cancellationToken = default)
    {
        await RequireOperationsReaderAsync(caller, id, cancellationToken);
        return await GetFeedAsync(id, cancellationToken);
    }

    /// <summary>
    /// The dataset with its schema versions, and its feed only when <see cref="DatasetOperations.CanRead"/> allows the caller
    /// (the catalogue entry is for every key; the feed's source URL is not).
    /// </summary>
    public async Task<Dataset> GetAsync(Caller caller, string id, CancellationToken cancellationToken = default)
    {
        var dataset = await GetAsync(id, cancellationToken);
        return DatasetOperations.CanRead(caller, dataset) ? dataset : dataset with { Feed = null };
    }

    /// <summary>The feed of a dataset; of its credential, only the kind.</summary>
    public async Task<FeedDefinition> GetFeedAsync(string id, CancellationToken cancellationToken = default)
    {
        const string sql = """
            select f.source, f.format, f.cron, f.mode, f.options, c.kind from dx.feeds f
            left join dx.feed_credentials c on c.dataset_id = f.dataset_id where f.dataset_id = $1
            """;
        await using var cmd = Db.Command(dataSource, sql, id);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) throw new NotFoundException($"Dataset '{id}' has no feed.");
        var options = JsonSerializer.Deserialize<FeedDefinition>(reader.GetString(4), Json.Options)!;
        return options with
        {
            Source = reader.GetString(0),
            Format = reader.GetString(1),
            Cron = reader.Get<string>(2),
            Mode = reader.GetString(3),
            Credential = reader.Get<string>(5) is { } kind ? new FeedCredential { Kind = kind } : null,
        };
    }

    /// <summary>Every schema version of a dataset, oldest first.</summary>
    public async Task<IReadOnlyList<SchemaVersionInfo>> ListSchemaVersionsAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var cmd = Db.Command(dataSource, "select version, fingerprint, created_at from dx.schema_versions where dataset_id = $1 order by version", id);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<SchemaVersionInfo>();
        while (await reader.ReadAsync(cancellationToken))
            list.Add(new SchemaVersionInfo(reader.GetInt32(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return list;
    }

    /// <summary>One schema version with its document; 404 when unknown.</summary>
    public async Task<SchemaVersionInfo> GetSchemaVersionAsync(string id, int version, CancellationToken cancellationToken = default)
    {
        var schema = await GetSchemaAsync(id, version, cancellationToken);
        var info = (await ListSchemaVersionsAsync(id, cancellationToken)).First(v => v.Version == version);
        return info with { Schema = JsonNode.Parse(schema.Text) };
    }

    /// <summary>The compiled schema of a version (cached), with the component versions pinned when it was registered.</summary>
    public Task<DatasetSchema> GetSchemaAsync(string id, int version, CancellationToken cancellationToken = default) =>
        _schemas.GetOrAdd((id, version), static (key, registry) => registry.LoadSchemaAsync(key.Item1, key.Item2), this);

    /// <summary>The newest schema version number.</summary>
    public async Task<int> LatestSchemaVersionAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var cmd = Db.Command(dataSource, "select max(version) from dx.schema_versions where dataset_id = $1", id);
        return await cmd.ExecuteScalarAsync(cancellationToken) is int v ? v : throw new NotFoundException($"Dataset '{id}' does not exist.");
    }

    async Task<DatasetSchema> LoadSchemaAsync(string id, int version)
    {
        await using var cmd = Db.Command(dataSource, "select schema_text from dx.schema_versions where dataset_id = $1 and version = $2", id, version);
        var text = await cmd.ExecuteScalarAsync() as string ?? throw new NotFoundException($"Dataset '{id}' has no schema version {version}.");
        return DatasetSchema.Load(text, version, SchemaComponents.Of(await components.PinnedAsync(id, version)));
    }

    /// <summary>Vets and compiles a schema being registered, its references resolved among the latest component versions.</summary>
    internal async Task<DatasetSchema> LoadNewSchemaAsync(string text, int version, CancellationToken cancellationToken) =>
        DatasetSchema.Load(text, version, SchemaComponents.Of(await components.LatestAsync(cancellationToken)));

    internal static async Task InsertSchemaVersionAsync(NpgsqlConnection conn, string id, DatasetSchema schema, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string sql = "insert into dx.schema_versions (dataset_id, version, schema_text, fingerprint, created_at) values ($1, $2, $3, $4, $5)";
        await using (var cmd = Db.Command(conn, sql, id, schema.Version, schema.Text, schema.Fingerprint, now))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await SchemaComponentStore.PinAsync(conn, id, schema, cancellationToken);
    }

    static async Task UpsertFeedAsync(NpgsqlConnection conn, string id, FeedDefinition feed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string sql = """
            insert into dx.feeds (dataset_id, source, format, options, cron, mode, updated_at) values ($1, $2, $3, $4, $5, $6, $7)
            on conflict (dataset_id) do update set source = $2, format = $3, options = $4, cron = $5, mode = $6, updated_at = $7, etag = null, last_modified = null
            """;
        // The credential is never part of the options: it is sealed in dx.feed_credentials.
        var options = JsonSerializer.Serialize(feed with { Source = null, Format = null, Cron = null, Mode = null, Credential = null }, Json.Options);
        await using var cmd = Db.Command(conn, sql, id, feed.Source, feed.Format, Db.Jsonb(options), Db.Typed(feed.Cron), feed.Mode, now);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The rules beyond the manifest's schema; adds to <paramref name="problems"/> what they find about members not named there yet.</summary>
    (string Id, FeedDefinition? Feed, string? SchemaText) Validate(Caller caller, RegisterDatasetRequest request, List<ProblemItem> problems)
    {
        var errors = new List<ProblemItem>();
        var id = request.Id ?? "";
        if (!IdPattern().IsMatch(id))
            errors.Add(new("/id", "pattern", "Use <agency-code>.<slug>, lower case, e.g. gd-amr.business-licences."));
        else if (!id.StartsWith(caller.AgencyId + ".", StringComparison.Ordinal))
            throw new ForbiddenException("foreign-agency", $"Stewards register datasets of their own agency: the id must start with '{caller.AgencyId}.' (this key belongs to {caller.AgencyId}).");
        if (request.Owner is not null && request.Owner != caller.AgencyId)
            throw new ForbiddenException("foreign-agency", $"Stewards register datasets of their own agency only (this key belongs to {caller.AgencyId}).");
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200)
            errors.Add(new("/title", "required", "Give a title of at most 200 characters."));
        if (request.Metadata?.Open == true && request.Classification != Classification.Public)
            errors.Add(new("/metadata/open", "open-not-public", "Only a dataset classified public can be open data."));
        if (request.Description?.Length > 4000)
            errors.Add(new("/description", "maxLength", "Keep the description under 4000 characters."));
        if (request.KeyFields is not { Count: > 0 } || request.KeyFields.Any(string.IsNullOrWhiteSpace) || request.KeyFields.Distinct().Count() != request.KeyFields.Count)
            errors.Add(new("/keyFields", "required", "Name one or more distinct key fields."));
        if (request.Classification is null || !Classification.All.Contains(request.Classification))
            errors.Add(new("/classification", "enum", $"Use one of: {string.Join(", ", Classification.All)}."));
        if (request.Compatibility is not null && !CompatibilityModes.Contains(request.Compatibility))
            errors.Add(new("/compatibility", "enum", $"Use one of: {string.Join(", ", CompatibilityModes)}."));
        if (request.Tags?.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 50) == true)
            errors.Add(new("/tags", "invalid", "Tags are non-empty words of at most 50 characters."));
        if (request.Schema is null) errors.Add(new("/schema", "required", "Give the JSON Schema (draft-07, or 2020-12 with $schema) of one record."));
        if (request.Feed is null) errors.Add(new("/feed", "required", "Give the feed: source, format, cron and mode."));
        FeedDefinition? feed = null;
        if (request.Feed is not null)
        {
            try { feed = FeedValidator.Normalise(request.Feed, feedOptions.Value, feedHosts, caller.AgencyId); }
            catch (InvalidException e) when (!FeedValidator.IsRefusal(e)) { errors.AddRange(e.Errors); }
        }
        ManifestProblems.Add(problems, errors);
        return (id, feed, request.Schema?.ToJsonString());
    }

    /// <summary>Runs <paramref name="validate"/>; a refused feed source is audited (feed-source-refused) before the refusal is thrown.</summary>
    async Task<T> RefusingAsync<T>(Caller caller, string? datasetId, FeedDefinition? feed, Func<T> validate, CancellationToken cancellationToken)
    {
        try
        {
            return validate();
        }
        catch (InvalidException e) when (FeedValidator.IsRefusal(e))
        {
            var target = IsWellFormedId(datasetId) ? datasetId : null;
            await audit.AppendAsync(new AuditRecord(caller, AuditAction.FeedSourceRefused, AuditOutcome.Denied, target, target, new JsonObject
            {
                ["code"] = e.Code,
                ["reason"] = e.Errors.FirstOrDefault()?.Code,
                ["source"] = FeedUrls.Redact(feed?.Source),
            }), cancellationToken);
            throw;
        }
    }
}
