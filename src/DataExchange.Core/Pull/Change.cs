using System.Text.Json;

namespace DataExchange.Core.Pull;

/// <summary>The net change of one key in a range of versions: the stored record, or null for a tombstone.</summary>
public sealed record Change(string Op, string Key, int Version, string? Data)
{
    public const string Insert = "insert";
    public const string Update = "update";
    public const string Delete = "delete";

    /// <summary>Writes <c>{"op","key","version","record"}</c>, the record shaped by the policy and absent for a delete.</summary>
    public void WriteJson(Utf8JsonWriter writer, PolicyShaper shaper)
    {
        writer.WriteStartObject();
        writer.WriteString("op", Op);
        writer.WriteString("key", Key);
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
