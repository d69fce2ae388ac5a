using System.Security.Cryptography;
using DataExchange.Core.Common;
using DataExchange.Core.Pull;
using DataExchange.Server.Agencies;

namespace DataExchange.Server.Hosting;

/// <summary>Endpoint metadata: the answer carries a secret shown once (an issued API key, a webhook signing secret).</summary>
public sealed class CarriesSecretMetadata;

/// <summary><c>.CarriesSecret()</c> on an endpoint.</summary>
public static class CarriesSecretExtensions
{
    /// <summary>The endpoint's answer carries a secret shown once; it is never stored for an idempotent replay.</summary>
    public static TBuilder CarriesSecret<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new CarriesSecretMetadata());
}

/// <summary>
/// Honours <c>Idempotency-Key</c> on JSON POSTs (API.md): the first request runs and, when it created something
/// (201 Created, 202 Accepted), its answer is stored; a retry with the same key and body gets that answer again, with
/// <c>Idempotent-Replayed: true</c>; the same key on a different request is refused with 422. Any other answer (a
/// lookup's or a CKAN action's records, a verification) is not stored and the key is released, so a retry is decided,
/// audited and answered again: a stored read served its records after the subscription was revoked, unaudited, and
/// kept a copy of them for 24 hours (session 13).
/// An answer that carries a secret (<see cref="CarriesSecretExtensions.CarriesSecret{TBuilder}"/>) is never stored: a retry
/// learns that the first request succeeded, and where, with 409 <c>idempotent-secret-not-replayed</c>.
/// Streamed uploads are not covered: hashing them would mean buffering the payload.
/// </summary>
public sealed class Idempotency(RequestDelegate next)
{
    const int MaxKeyLength = 200;
    static readonly byte[] HashPurpose = "dataexchange idempotency request hmac-sha256 v1"u8.ToArray();

    /// <summary>The middleware step.</summary>
    public async Task InvokeAsync(HttpContext context, IdempotencyStore store, MaskKey serverSecret)
    {
        string? key = context.Request.Headers["Idempotency-Key"];
        if (key is null || !HttpMethods.IsPost(context.Request.Method) || context.User.Identity?.IsAuthenticated != true
            || context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            await next(context);
            return;
        }
        if (key.Length is 0 or > MaxKeyLength)
        {
            await Problem(context, 400, "invalid-idempotency-key", $"Idempotency-Key must be 1–{MaxKeyLength} characters.");
            return;
        }
        context.Request.EnableBuffering();
        // Keyed, so that a guessable secret in a request body (a feed credential) cannot be recovered from the stored hash.
        var hash = await RequestHashAsync(context.Request, await serverSecret.DeriveAsync(HashPurpose, context.RequestAborted));
        var clientId = context.Caller().ClientId;
        var (claim, earlier) = await store.ClaimAsync(clientId, key, hash, context.RequestAborted);
        switch (claim)
        {
            case IdempotencyClaim.Replay when earlier!.Body is null:
                await Problem(context, 409, "idempotent-secret-not-replayed",
                    $"The request with this Idempotency-Key succeeded ({earlier.Status}) but its answer carried a secret, which is shown once and never stored. "
                    + "What it created is at 'location'; if the secret was lost, revoke that and create a new one.",
                    earlier.Location);
                return;
            case IdempotencyClaim.Replay:
                context.Response.StatusCode = earlier!.Status;
                context.Response.ContentType = "application/json; charset=utf-8";
                context.Response.Headers["Idempotent-Replayed"] = "true";
                if (earlier.Location is not null) context.Response.Headers.Location = earlier.Location;
                await context.Response.Body.WriteAsync(earlier.Body, context.RequestAborted);
                return;
            case IdempotencyClaim.InProgress:
                context.Response.Headers.RetryAfter = "1";
                await Problem(context, 409, "idempotency-in-progress", "A request with this Idempotency-Key is still running; retry shortly.");
                return;
            case IdempotencyClaim.Mismatch:
                await Problem(context, 422, "idempotency-key-reused", "This Idempotency-Key was used for a different request; use a new key.");
                return;
        }

        var withhold = context.GetEndpoint()?.Metadata.GetMetadata<CarriesSecretMetadata>() is not null;
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        IdempotentResponse? stored = null;
        try
        {
            await next(context);
            if (context.Response.StatusCode is StatusCodes.Status201Created or StatusCodes.Status202Accepted)
                stored = new IdempotentResponse(context.Response.StatusCode, context.Response.Headers.Location, withhold ? null : buffer.ToArray());
        }
        finally
        {
            context.Response.Body = original;
            await store.CompleteAsync(clientId, key, stored, CancellationToken.None);
            buffer.Position = 0;
            await buffer.CopyToAsync(original, context.RequestAborted);
        }
    }

    static async Task<byte[]> RequestHashAsync(HttpRequest request, byte[] key)
    {
        using var sha = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer)) > 0) sha.AppendData(buffer, 0, read);
        request.Body.Position = 0;
        return sha.GetHashAndReset();
    }

    static Task Problem(HttpContext context, int status, string code, string detail, string? location = null) =>
        Results.Problem(statusCode: status, title: "Idempotency", detail: detail, type: "urn:dataexchange:problem:" + code,
            extensions: location is null ? null : new Dictionary<string, object?> { ["location"] = location }).ExecuteAsync(context);
}
