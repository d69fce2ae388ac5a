namespace DataExchange.Core.Common;

/// <summary>One problem with a request, located by a JSON Pointer into the request or document.</summary>
public sealed record ProblemItem(string Pointer, string Code, string Message);

/// <summary>Base of the three domain exceptions, each mapped to one HTTP status in one place.</summary>
public abstract class DomainException(string code, string message) : Exception(message)
{
    /// <summary>Stable problem code, the last part of the problem type URN.</summary>
    public string Code { get; } = code;

    /// <summary>Whether the capability already audited this refusal (say, as access-denied), so the HTTP layer adds no request-refused entry.</summary>
    public bool Audited { get; private set; }

    /// <summary>Marks the refusal as audited; returns it, to be thrown.</summary>
    public DomainException MarkAudited()
    {
        Audited = true;
        return this;
    }
}

/// <summary>The thing does not exist, or must not be revealed to this caller (404); <paramref name="code"/> names what was not found when it helps (e.g. record-not-found).</summary>
public sealed class NotFoundException(string message, string code = "not-found") : DomainException(code, message);

/// <summary>The request conflicts with the current state (409).</summary>
public sealed class ConflictException(string code, string message) : DomainException(code, message);

/// <summary>The request is malformed or breaks a rule (400), with every problem listed.</summary>
public sealed class InvalidException(string code, string message, IReadOnlyList<ProblemItem>? errors = null) : DomainException(code, message)
{
    /// <summary>The individual problems; empty when the message says it all.</summary>
    public IReadOnlyList<ProblemItem> Errors { get; } = errors ?? [];
}

/// <summary>The caller is known but may not do this (403); the HTTP layer audits it as request-refused unless the capability did (<see cref="DomainException.Audited"/>).</summary>
public sealed class ForbiddenException(string code, string message) : DomainException(code, message);

/// <summary>
/// A retryable limit is reached (429 with Retry-After): the daily row quota, or the streams a key or agency
/// may have open. A limit, not a lack of rights; data endpoints audit it before throwing.
/// </summary>
public sealed class LimitExceededException(string code, string message, TimeSpan retryAfter) : DomainException(code, message)
{
    /// <summary>Time until a retry may succeed.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
