using System.Text.Json;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Ingestion;

/// <summary>The value of an incremental feed's delete marker field.</summary>
internal static class DeleteMarker
{
    /// <summary>Whether a delete marker's value says "delete".</summary>
    public static bool SaysDelete(in JsonItem marker) =>
        marker.Kind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.String => SafeString(marker).Trim().ToLowerInvariant() is "true" or "1" or "yes" or "y" or "t",
            JsonValueKind.Number => marker.NumberText == "1",
            _ => false,
        };

    // A marker with a lone surrogate says nothing (the record is then quarantined as invalid-unicode).
    static string SafeString(in JsonItem item)
    {
        try { return item.String; }
        catch (InvalidOperationException) { return ""; }
    }
}
