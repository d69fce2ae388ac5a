using System.Globalization;
using System.Text.Json;
using DataExchange.Core.Common;

namespace DataExchange.Core.Lookup;

public sealed partial class LookupService
{
    /// <summary>The payload type of lookup evidence, first member of every payload.</summary>
    public const string EvidenceType = "dataexchange-lookup-evidence/v1";

    /// <summary>
    /// What every piece of evidence of one request states besides its own key and record: dataset, version,
    /// purpose and case, requester (agency and API key id), subscription, policy hash and the time.
    /// </summary>
    sealed class EvidenceContext(Attempt attempt, int version, string policyHash, DateTimeOffset at)
    {
        /// <summary>
        /// The payload for <paramref name="key"/>: <c>found</c> with the record as the policy shaped it, or
        /// <c>found: false</c> — no record this subscription may see at this version (proof of absence). The
        /// key is stated as asked (a string, or the parts of a composite key): the requester supplied it.
        /// </summary>
        public byte[] Payload(LookupKey key, byte[]? record)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, Json.WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("typ", EvidenceType);
                w.WriteString("datasetId", attempt.DatasetId);
                w.WriteNumber("version", version);
                if (key.Parts.Count == 1) w.WriteString("key", key.Parts[0]);
                else
                {
                    w.WriteStartArray("key");
                    foreach (var part in key.Parts) w.WriteStringValue(part);
                    w.WriteEndArray();
                }
                w.WriteBoolean("found", record is not null);
                if (record is not null)
                {
                    w.WritePropertyName("record");
                    w.WriteRawValue(record, skipInputValidation: true);
                }
                w.WriteString("purpose", attempt.Purpose);
                if (attempt.CaseRef is { } caseRef) w.WriteString("caseRef", caseRef);
                w.WriteStartObject("requester");
                w.WriteString("agency", attempt.Caller.AgencyId);
                w.WriteString("client", attempt.Caller.ClientId);
                w.WriteEndObject();
                if (attempt.Decision.SubscriptionId is { } sub) w.WriteString("subscription", sub);
                w.WriteString("policyHash", policyHash);
                w.WriteString("issuedAt", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
                w.WriteNumber("iat", at.ToUnixTimeSeconds());
                w.WriteEndObject();
            }
            return buffer.ToArray();
        }
    }
}
