using System.Globalization;
using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A steward's decision on a held run (issue 12): release publishes exactly what was staged, discard
/// ends the run with nothing published. Stewards of the owning agency or admins; every decision and
/// every refusal is audited.
/// </summary>
public sealed class HeldRunService(NpgsqlDataSource dataSource, DatasetRegistry registry, HeldRelease release, IngestionService runs, RunDispatcher dispatcher,
    AuditWriter audit, TimeProvider time)
{
    const string DiscardSql = "update dx.ingestion_runs set status = 'discarded', finished_at = $2 where id = $1";

    /// <summary>Publishes held run <paramref name="runId"/> as the dataset's next version; 409 if it is not held or the dataset moved on.</summary>
    public async Task<RunInfo> ReleaseAsync(Caller caller, string datasetId, long runId, CancellationToken cancellationToken = default)
    {
        try
        {
            await RequireStewardAsync(caller, datasetId, cancellationToken);
            await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await conn.BeginTransactionAsync(cancellationToken);
            var (version, baseVersion, counts) = await release.ReleaseHeldAsync(conn, datasetId, runId, caller, cancellationToken);
            await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.RunReleased, AuditOutcome.Succeeded, Target(datasetId, runId), datasetId,
                new JsonObject
                {
                    ["publishedVersion"] = version, ["baseVersion"] = baseVersion,
                    ["counts"] = System.Text.Json.JsonSerializer.SerializeToNode(counts, Json.Options),
                }), cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (DomainException e)
        {
            await AuditRefusalAsync(caller, AuditAction.RunReleased, datasetId, runId, e);
            throw;
        }
        // The release held the dataset's lock: a run accepted meanwhile waits for it to end.
        await dispatcher.HandOverAsync(datasetId, CancellationToken.None);
        return await runs.GetRunAsync(datasetId, runId, cancellationToken);
    }

    /// <summary>Ends held run <paramref name="runId"/> 'discarded' and deletes its held changes; nothing is published. 409 if it is not held.</summary>
    public async Task<RunInfo> DiscardAsync(Caller caller, string datasetId, long runId, CancellationToken cancellationToken = default)
    {
        try
        {
            await RequireStewardAsync(caller, datasetId, cancellationToken);
            await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await conn.BeginTransactionAsync(cancellationToken);
            var baseVersion = await HeldRelease.RequireHeldAsync(conn, datasetId, runId, cancellationToken);
            await using (var cmd = Db.Command(conn, DiscardSql, runId, time.GetUtcNow())) await cmd.ExecuteNonQueryAsync(cancellationToken);
            await HeldRelease.DeleteHeldAsync(conn, runId, cancellationToken);
            await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.RunDiscarded, AuditOutcome.Succeeded, Target(datasetId, runId), datasetId,
                new JsonObject { ["baseVersion"] = baseVersion }), cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (DomainException e)
        {
            await AuditRefusalAsync(caller, AuditAction.RunDiscarded, datasetId, runId, e);
            throw;
        }
        return await runs.GetRunAsync(datasetId, runId, cancellationToken);
    }

    /// <summary>As the other run actions (403 without the role or for another agency, 404 for an unknown dataset), and admins of the owner or the operator.</summary>
    async Task RequireStewardAsync(Caller caller, string datasetId, CancellationToken cancellationToken)
    {
        caller.Require(Role.Steward, Role.Admin);
        var dataset = await registry.FindAsync(datasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
        // An admin acts for their own agency; the operator's admins for every agency.
        var own = dataset.Owner == caller.AgencyId;
        if (!(own && caller.Has(Role.Steward)) && !(caller.Has(Role.Admin) && (own || caller.IsOperator)))
            throw new ForbiddenException("not-owner", "Only stewards of the owning agency (or an admin) release or discard this dataset's held runs.");
    }

    // In a transaction of its own: the decision's transaction was rolled back. Marked, so the HTTP layer does not audit it again.
    async Task AuditRefusalAsync(Caller caller, AuditAction action, string datasetId, long runId, DomainException refusal)
    {
        await audit.AppendAsync(new AuditRecord(caller, action, AuditOutcome.Denied, Target(datasetId, runId), datasetId,
            new JsonObject { ["problem"] = refusal.Code, ["detail"] = refusal.Message }), CancellationToken.None);
        refusal.MarkAudited();
    }

    static string Target(string datasetId, long runId) => $"{datasetId}/runs/{runId.ToString(CultureInfo.InvariantCulture)}";
}
