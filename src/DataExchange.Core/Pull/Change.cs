using System.Text.Json;

namespace DataExchange.Core.Pull;

/// <summary>
/// The net change of one key in a range of versions: the stored record, or null for a tombstone;
/// <paramref name="Before"/> is a tombstone's record as it was, read only to shape its key.
/// </summary>
public sealed record Change(string Op, string Key, int Version, string? Data, string? Before = null)
{
    public const string Insert = "insert";
    public const string Update = "update";
    public const string Delete = "delete";

    /// <summary>The key as <paramref name="shaper"/>'s policy shows it; null when it is not shown.</summary>
    public string? ShapedKey(PolicyShaper shaper)
    {
        if (!shaper.MasksKey || (Data ?? Before) is not { } json) return shaper.Key(Key, null);
        using var doc = JsonDocument.Parse(json);
        return shaper.Key(Key, doc.RootElement);
    }

    /// <summary>
    /// Writes <c>{"op","key","version","record"}</c>, key and record shaped by the policy; the record
    /// absent for a delete, the key absent when the policy does not show it.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer, PolicyShaper shaper)
    {
        writer.WriteStartObject();
        writer.WriteString("op", Op);
        if (ShapedKey(shaper) is { } key) writer.WriteString("key", key);
        writer.WriteNumber("version", Version);
        if (Data is not null)
        {
            writer.WritePropertyName("record");
            using var doc = JsonDocument.Parse(Data);
            shaper.WriteJson(writer, doc.RootElement);
        }
        writer.WriteEndObject();
    }
}
