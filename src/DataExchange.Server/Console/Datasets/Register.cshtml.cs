using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Datasets;

/// <summary>
/// Registers a dataset from a manifest, pasted or uploaded. A manifest naming a <c>schemaFile</c>
/// (as the samples do) takes the schema from the second upload.
/// </summary>
public sealed class RegisterModel(DatasetRegistry registry) : ConsolePage
{
    /// <summary>256 KiB: a manifest plus a schema of at most 64 KiB, with room to spare.</summary>
    const long MaxUpload = 256 * 1024;

    [BindProperty] public string? Manifest { get; set; }
    [BindProperty] public IFormFile? ManifestFile { get; set; }
    [BindProperty] public IFormFile? SchemaFile { get; set; }

    public ConsoleProblem? Problem { get; private set; }

    /// <summary>The form, for stewards only.</summary>
    public void OnGet() => Caller.Require(Role.Steward);

    /// <summary>Registers, then shows the new dataset; a refusal is shown beside the form.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Caller.Require(Role.Steward);
        try
        {
            var manifest = await ReadJsonAsync(ManifestFile, cancellationToken) ?? Parse(Manifest, "/manifest")
                ?? throw new InvalidException("invalid-request", "Paste a manifest or choose a manifest file.");
            if (manifest is not JsonObject obj) throw new InvalidException("invalid-request", "The manifest must be a JSON object.");
            if (obj["schemaFile"] is not null)
            {
                obj.Remove("schemaFile");
                obj["schema"] = await ReadJsonAsync(SchemaFile, cancellationToken)
                    ?? throw new InvalidException("invalid-request", "The manifest names a schemaFile: choose that schema file too.", [new("/schemaFile", "required", "Upload the schema file.")]);
            }
            var dataset = await registry.RegisterAsync(Caller, obj, cancellationToken);
            return Redirect($"/console/datasets/{Uri.EscapeDataString(dataset.Id)}");
        }
        catch (Exception e) when (e is InvalidException or ConflictException)
        {
            Problem = ProblemPageFilter.From((DomainException)e);
            Response.StatusCode = Problem.Status;
            return Page();
        }
    }

    static async Task<JsonNode?> ReadJsonAsync(IFormFile? file, CancellationToken cancellationToken)
    {
        if (file is null || file.Length == 0) return null;
        if (file.Length > MaxUpload) throw new InvalidException("payload-too-large", $"'{file.FileName}' is larger than 256 KiB.");
        using var reader = new StreamReader(file.OpenReadStream());
        return Parse(await reader.ReadToEndAsync(cancellationToken), "/" + file.Name);
    }

    static JsonNode? Parse(string? text, string pointer)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return JsonNode.Parse(text); }
        catch (JsonException e) { throw new InvalidException("invalid-json", "That is not valid JSON.", [new(pointer, "json", e.Message)]); }
    }
}
