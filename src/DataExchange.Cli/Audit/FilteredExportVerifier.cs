using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;

namespace DataExchange.Cli.Audit;

/// <summary>
/// Verifies an export that holds only some entries — an agency auditor's, or one cut by filters — which the whole-log
/// check would call broken at its first gap (issue 18). Each entry is checked on its own: its hash recomputed from
/// its content (and its link, where the entry before it is in the file too), then the RFC 9162 inclusion proof the
/// API serves (<c>GET /audit/entries/{seq}/inclusion</c>) folded from that hash up to the root of the newest
/// checkpoint, whose signature the auditor's copy of the public key must verify. The server supplies only the proof
/// path; the root it is held against is the signed one. What this cannot show is what the filter left out.
/// </summary>
public sealed class FilteredExportVerifier(ApiClient api, ECDsa publicKey)
{
    /// <summary>
    /// Whether <paramref name="path"/> is a filtered export: no checkpoint line (a whole-log export ends with one),
    /// and entries that do not run 1, 2, 3… A whole-log export with a gap keeps its checkpoint line and its strict check.
    /// </summary>
    public static bool IsFiltered(string path)
    {
        long expected = 1;
        var consecutive = true;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            if (json.RootElement.TryGetProperty("checkpoint", out _))
            {
                return false;
            }

            consecutive &= json.RootElement.TryGetProperty("seq", out var seq) && seq.GetInt64() == expected++;
        }

        return !consecutive;
    }

    /// <summary>Checks every entry of <paramref name="path"/>; prints the outcome and returns the exit code (0, or 7).</summary>
    public async Task<int> VerifyAsync(string path, CancellationToken ct)
    {
        var entries = new List<(long Seq, byte[] Hash)>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var json = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException("Every line of an NDJSON audit export is a JSON object.");
            var seq = json["seq"]?.GetValue<long>() ?? throw new InvalidDataException("An entry has no seq.");
            var prev = Convert.FromHexString(json["prevHash"]?.GetValue<string>() ?? throw new InvalidDataException($"Entry {seq} has no prevHash."));
            var hash = AuditChainHashing.EntryHash(prev, AuditChainHashing.CanonicalEntry(json));
            if (!Convert.ToHexStringLower(hash).Equals(json["hash"]?.GetValue<string>(), StringComparison.OrdinalIgnoreCase))
            {
                return Bad(seq, entries.Count, "The entry's content does not match its hash.");
            }

            if (entries.Count > 0 && entries[^1].Seq == seq - 1 && !entries[^1].Hash.AsSpan().SequenceEqual(prev))
            {
                return Bad(seq, entries.Count, "The link to the previous entry does not match.");
            }

            entries.Add((seq, hash));
        }

        var newest = (await WithRetryAsync(() => api.GetAsync("audit/checkpoints?limit=1", ct)).ConfigureAwait(false)).Json?["items"]?.AsArray().FirstOrDefault();
        if (newest is null)
        {
            return Bad(null, 0, "No checkpoint is signed yet, so no entry can be proven: verify again after the first checkpoint (Audit:CheckpointInterval).");
        }

        var checkpoint = SignedCheckpoint.From(newest);
        if (checkpoint.SignatureProblem(publicKey) is { } signature)
        {
            return Bad(null, 0, signature);
        }

        var root = Convert.FromHexString(checkpoint.RootHash);
        var proven = 0;
        foreach (var (seq, hash) in entries.Where(e => e.Seq <= checkpoint.TreeSize))
        {
            var proof = await WithRetryAsync(() => api.GetAsync(
                string.Create(CultureInfo.InvariantCulture, $"audit/entries/{seq}/inclusion?treeSize={checkpoint.TreeSize}"), ct)).ConfigureAwait(false);
            var pathHashes = proof.Json?["path"]?.AsArray().Select(h => Convert.FromHexString(h!.GetValue<string>())).ToList() ?? [];
            if (!RootOf(seq - 1, checkpoint.TreeSize, hash, pathHashes).AsSpan().SequenceEqual(root))
            {
                return Bad(seq, proven, $"The entry is not in the log that the checkpoint at tree size {checkpoint.TreeSize} signs: its inclusion proof does not lead to the signed root.");
            }

            proven++;
        }

        var newer = entries.Where(e => e.Seq > checkpoint.TreeSize).Select(e => e.Seq).ToList();
        if (newer.Count > 0)
        {
            return Bad(null, proven, $"{newer.Count} entries ({newer[0]}–{newer[^1]}) are newer than the newest signed checkpoint (tree size {checkpoint.TreeSize}), " +
                "so they cannot be proven yet; nothing is wrong with them as far as can be told: verify again after the next checkpoint.");
        }

        Output.Success($"OK: filtered export of {proven} entries; each entry's hash matches its content, and its inclusion proof leads to the root " +
            $"of the checkpoint at tree size {checkpoint.TreeSize} (signed {checkpoint.SignedAt}), whose signature verifies. " +
            "A filtered export cannot show the entries its filter left out.");
        return ExitCodes.Success;
    }

    /// <summary>RFC 9162 §2.1.3.2: the root that an inclusion proof leads to from the leaf at <paramref name="index"/> in a tree of <paramref name="size"/>.</summary>
    public static byte[] RootOf(long index, long size, byte[] entryHash, IReadOnlyList<byte[]> path)
    {
        if (index >= size)
        {
            return [];
        }

        long fn = index, sn = size - 1;
        var r = SHA256.HashData([0x00, .. entryHash]);
        foreach (var p in path)
        {
            if (sn == 0)
            {
                return [];
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = SHA256.HashData([0x01, .. p, .. r]);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = SHA256.HashData([0x01, .. r, .. p]);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 ? r : [];
    }

    /// <summary>One proof a request: past the client's rate limit (429) it waits and asks again rather than fail the check.</summary>
    static async Task<ApiResponse> WithRetryAsync(Func<Task<ApiResponse>> request)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await request().ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Status == 429 && attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
    }

    static int Bad(long? seq, int proven, string problem)
    {
        var where = seq is null ? "" : $"position {seq}: ";
        Output.Err.MarkupLineInterpolated($"[red]error:[/] [red]filtered audit export does not verify at {where}{problem}[/]");
        Output.Info($"  {proven} entries proven before the problem");
        return ExitCodes.VerificationFailed;
    }
}
