using System.Text.Json;

namespace LeadFlow.Cli.Commands;

/// <summary>A JSON file holding an array of leads (event details), as the original publishing script read.</summary>
public static class LeadFile
{
    /// <returns>Each lead as compact JSON text, in file order.</returns>
    /// <exception cref="InvalidDataException">The file is not a JSON array.</exception>
    public static async Task<IReadOnlyList<string>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{path} must hold a JSON array of leads");
            }

            return document.RootElement.EnumerateArray().Select(lead => JsonSerializer.Serialize(lead)).ToList();
        }
    }
}
