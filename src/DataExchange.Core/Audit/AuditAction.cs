namespace DataExchange.Core.Audit;

/// <summary>
/// Every auditable action, with stable numbers in blocks of 100 per capability (as bitwarden's
/// EventType). The stored action name is the kebab-case of the member name; never rename one.
/// </summary>
public enum AuditAction
{
    AgencyCreated = 100,
    ApiKeyIssued = 110,
    ApiKeyRevoked = 111,
    AdminBootstrapped = 120,
    ConsoleSignIn = 130,
    ConsoleSignInRefused = 131,
    ConsoleSignInRefusalSummary = 132,

    DatasetRegistered = 200,
    SchemaVersionRegistered = 210,
    FeedUpdated = 220,
    FeedSourceRefused = 221,
    SchemaComponentRegistered = 230,
    SchemaComponentRefused = 231,
    RecordTypesDescribed = 233,
    DatasetMetadataUpdated = 234,
    DatasetMetadataRefused = 235,

    RunQueued = 300,
    RunStarted = 301,
    RunFinished = 302,
    RunSkipped = 303,
    RunHeld = 304,
    RunReleased = 305,
    RunDiscarded = 306,
    RunDeferred = 307,
    RunRecovered = 308,
    VersionPublished = 310,
    FeedUploaded = 320,
    RunReplayQueued = 330,
    FeedHostsUpdated = 340,

    SubscriptionRequested = 400,
    SubscriptionApproved = 401,
    SubscriptionRejected = 402,
    SubscriptionRevoked = 403,
    AutoApprovalSet = 410,
    AutoApprovalRemoved = 411,
    WebhookRegistered = 420,

    RecordsPulled = 500,
    ChangesPulled = 501,
    PullStarted = 502,
    PullInterrupted = 503,
    AccessDenied = 510,
    AccessExplained = 511,
    RequestRefused = 512,
    RejectedRecordsRead = 513,

    RecordLookedUp = 530,
    LookupRefused = 531,
    SubjectReportRead = 532,
}

/// <summary>How an audited action ended.</summary>
public enum AuditOutcome
{
    Succeeded,
    Failed,
    Allowed,
    Denied,
    Skipped,
}
