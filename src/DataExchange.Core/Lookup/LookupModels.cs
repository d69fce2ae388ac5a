using System.Text.Json.Nodes;

namespace DataExchange.Core.Lookup;

/// <summary>
/// A lookup: one key as a raw path segment (<see cref="Segment"/>, GET …/records/{key}) or a batch of keys
/// from a JSON body (<see cref="Keys"/>); the purpose and case reference it is made for; the version it
/// reads (latest when null); and whether each answer is to be signed as evidence.
/// </summary>
public sealed record LookupRequest(string? Segment, IReadOnlyList<JsonNode?>? Keys, string? Purpose, string? CaseRef, int? Version, bool Evidence);

/// <summary>The answers of a lookup, in the order the keys were asked, at one version under one policy.</summary>
public sealed record LookupAnswer(string DatasetId, int Version, string PolicyHash, IReadOnlyList<LookupItem> Items);

/// <summary>
/// One key's answer: found or not (a record the policy's row filters hide is not found, exactly like an
/// absent one); the key as the policy shows it and the shaped record (UTF-8 JSON) when found; the compact
/// JWS when evidence was asked for.
/// </summary>
public sealed record LookupItem(bool Found, string? Key, byte[]? Record, string? Evidence);

/// <summary>Body of POST …/lookups.</summary>
/// <param name="Keys">Up to <see cref="LookupOptions.MaxBatchKeys"/> keys: each a string, or an array of strings (a composite key's parts in key order).</param>
/// <param name="Purpose">The purpose of these lookups; one the subscription was approved for (else the <c>Dx-Purpose</c> header).</param>
/// <param name="CaseRef">The case or procedure the lookups serve (else the <c>Dx-Case-Ref</c> header).</param>
/// <param name="Version">The dataset version to read; the latest when absent.</param>
/// <param name="Evidence">Whether each answer carries signed evidence (a compact JWS).</param>
public sealed record LookupBatchRequest(IReadOnlyList<JsonNode?>? Keys, string? Purpose, string? CaseRef, int? Version, bool? Evidence);
