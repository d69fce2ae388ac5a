using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Cli.Infrastructure;

/// <summary>Reads user-supplied JSON files, turning every failure into a usage error that names the file.</summary>
public static class LocalJson
{
    public static JsonNode Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"File not found: {path}");
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions
            {
                // Hand-written manifests and schemas often carry comments and trailing commas.
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            }) ?? throw new UsageException($"{path} contains only 'null'.");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{path} is not valid JSON: {ex.Message}");
        }
    }
}
