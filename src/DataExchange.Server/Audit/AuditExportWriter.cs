using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;

namespace DataExchange.Server.Audit;

/// <summary>
/// Writes an export straight to the response, one entry at a time. NDJSON lines carry exactly the
/// fields the entry hash covers (time to the microsecond, absent values as null) plus prevHash and
/// hash in hex, and — for a whole-log export — a last line <c>{"checkpoint":{…}}</c> with the newest
/// signed checkpoint, so <c>dx audit verify</c> needs nothing but the public key (and holds a file that
/// stops short of it as cut).
/// </summary>
public static class AuditExportWriter
{
    /// <summary>Entries as NDJSON, then the checkpoint line when there is one.</summary>
    public static async Task WriteNdjsonAsync(PipeWriter body, IAsyncEnumerable<AuditEntry> entries, AuditCheckpoint? checkpoint, CancellationToken ct)
    {
        // The writer fills the pipe's buffer; the pipe goes to the socket every 32 KiB (Kestrel forbids synchronous writes).
        await using var w = new Utf8JsonWriter(body, ExportOptions);
        await foreach (var e in entries.WithCancellation(ct))
        {
            w.Reset();
            w.WriteStartObject();
            w.WriteNumber("seq", e.Seq);
            w.WriteString("at", AuditCheckpoint.Time(e.At));
            WriteNullable(w, "actorAgency", e.ActorAgency);
            WriteNullable(w, "actorClient", e.ActorClient);
            w.WriteString("action", e.Action);
            WriteNullable(w, "target", e.Target);
            WriteNullable(w, "datasetId", e.DatasetId);
            w.WriteString("outcome", e.Outcome);
            w.WritePropertyName("details");
            w.WriteRawValue(CanonicalJson.ToBytes(e.Details), skipInputValidation: true);
            w.WriteString("prevHash", Convert.ToHexStringLower(e.PrevHash));
            w.WriteString("hash", Convert.ToHexStringLower(e.Hash));
            w.WriteEndObject();
            w.Flush();
            body.Write("\n"u8);
            if (body.UnflushedBytes > 32 * 1024) await body.FlushAsync(ct);
        }
        if (checkpoint is { } c)
        {
            w.Reset();
            w.WriteStartObject();
            w.WriteStartObject("checkpoint");
            w.WriteNumber("treeSize", c.TreeSize);
            w.WriteString("rootHash", Convert.ToHexStringLower(c.RootHash));
            w.WriteString("chainHash", Convert.ToHexStringLower(c.ChainHash));
            w.WriteString("signedAt", AuditCheckpoint.Time(c.SignedAt));
            w.WriteString("keyId", c.KeyId);
            w.WriteString("signature", Convert.ToBase64String(c.Signature));
            w.WriteEndObject();
            w.WriteEndObject();
            w.Flush();
            body.Write("\n"u8);
        }
        await body.FlushAsync(ct);
    }

    /// <summary>
    /// Entries as RFC 4180 CSV with a header row; details as JSON text. Every cell but seq is text
    /// and neutralised like the records CSV (<see cref="CsvCell"/>): fields such as the key id of a
    /// refused sign-in come from anonymous callers (issue 13: one planted <c>=HYPERLINK(…)</c>). The
    /// NDJSON export keeps values exactly, so only it re-hashes.
    /// </summary>
    public static async Task WriteCsvAsync(Stream body, IAsyncEnumerable<AuditEntry> entries, CancellationToken ct)
    {
        await using var w = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await w.WriteLineAsync("seq,at,actorAgency,actorClient,action,target,datasetId,outcome,details,prevHash,hash".AsMemory(), ct);
        var line = new StringBuilder();
        await foreach (var e in entries.WithCancellation(ct))
        {
            line.Clear().Append(e.Seq.ToString(CultureInfo.InvariantCulture));
            foreach (var text in (ReadOnlySpan<string?>)[AuditCheckpoint.Time(e.At), e.ActorAgency, e.ActorClient, e.Action, e.Target, e.DatasetId, e.Outcome,
                CanonicalJson.ToText(e.Details), Convert.ToHexStringLower(e.PrevHash), Convert.ToHexStringLower(e.Hash)])
                CsvCell.Append(line.Append(','), text, isText: true);
            await w.WriteLineAsync(line, ct);
        }
    }

    // The envelope escapes strings as the details' canonical (relaxed) style does, so a line reads the same throughout.
    static readonly JsonWriterOptions ExportOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
