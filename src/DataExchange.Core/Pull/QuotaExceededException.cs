using DataExchange.Core.Common;

namespace DataExchange.Core.Pull;

/// <summary>
/// The subscription's daily row quota is used up (429 with Retry-After until the next UTC midnight):
/// a retryable limit like a rate limit, not a lack of rights.
/// </summary>
public sealed class QuotaExceededException(string message, TimeSpan retryAfter) : DomainException("quota-exceeded", message)
{
    /// <summary>Time until the quota resets.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
