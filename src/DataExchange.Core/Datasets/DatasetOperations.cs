using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets;

/// <summary>
/// Who may read a dataset's operations — its runs and its feed definition (counts, payload hashes, failure messages,
/// source URL): stewards, admins and auditors of the owning agency, and the operator's admins and auditors. Consumers,
/// and every other agency, may not: these are not catalogue metadata.
/// </summary>
public static class DatasetOperations
{
    /// <summary>Whether <paramref name="caller"/> may read <paramref name="dataset"/>'s runs and feed.</summary>
    public static bool CanRead(Caller caller, Dataset dataset) =>
        (dataset.Owner == caller.AgencyId && (caller.Has(Role.Steward) || caller.Has(Role.Admin) || caller.Has(Role.Auditor)))
        || (caller.IsOperator && (caller.Has(Role.Admin) || caller.Has(Role.Auditor)));

    /// <summary>The refusal (not-owner, 403) of a caller <see cref="CanRead"/> does not allow.</summary>
    public static ForbiddenException Refusal(Dataset dataset) =>
        new("not-owner", $"Only stewards, admins and auditors of '{dataset.Owner}' and the exchange's admins and auditors read '{dataset.Id}''s runs and feed.");
}
