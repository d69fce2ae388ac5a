using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Npgsql;

namespace DataExchange.Core.Agencies;

/// <summary>Agencies: creation and listing. Only the exchange operator's admins create agencies.</summary>
public sealed partial class AgencyService(NpgsqlDataSource dataSource, AuditWriter audit, TimeProvider time)
{
    [GeneratedRegex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$")]
    private static partial Regex CodePattern();

    /// <summary>Creates an agency.</summary>
    public async Task<Agency> CreateAsync(Caller caller, CreateAgencyRequest request, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Admin);
        if (!caller.IsOperator)
            throw new ForbiddenException("operator-required", "Only admins of the exchange operator create agencies.");
        Validate(request);
        const string sql = "insert into dx.agencies (id, name, created_at) values ($1, $2, $3) on conflict do nothing";
        var now = time.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, sql, request.Code, request.Name.Trim(), now))
        {
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
                throw new ConflictException("agency-exists", $"Agency '{request.Code}' already exists.");
        }
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.AgencyCreated, AuditOutcome.Succeeded, request.Code,
            Details: new JsonObject { ["name"] = request.Name }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new Agency(request.Code, request.Code, request.Name.Trim(), now);
    }

    /// <summary>Every agency (names are public to authenticated callers: the catalogue shows owners).</summary>
    public async IAsyncEnumerable<Agency> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        const string sql = "select id, name, created_at from dx.agencies order by id";
        await using var cmd = Db.Command(dataSource, sql);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return new Agency(reader.GetString(0), reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
    }

    /// <summary>Throws 404 unless the agency exists.</summary>
    public async Task EnsureExistsAsync(string agencyId, CancellationToken cancellationToken = default)
    {
        await using var cmd = Db.Command(dataSource, "select 1 from dx.agencies where id = $1", agencyId);
        if (await cmd.ExecuteScalarAsync(cancellationToken) is null)
            throw new NotFoundException($"Agency '{agencyId}' does not exist.");
    }

    static void Validate(CreateAgencyRequest request)
    {
        var errors = new List<ProblemItem>();
        if (request.Code is null || !CodePattern().IsMatch(request.Code))
            errors.Add(new("/code", "pattern", "Use 3–32 lower-case letters, digits and hyphens, starting with a letter (e.g. gd-amr)."));
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
            errors.Add(new("/name", "required", "Give the agency's name (at most 200 characters)."));
        if (errors.Count > 0) throw new InvalidException("invalid-request", "The agency is not valid.", errors);
    }
}
