using System.Text.Json;
using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadFlow.Crm.Backend.Http;

/// <summary>
/// Reads a JSON body whatever its Content-Type says: the original clients sent JSON with none, or with
/// text/plain or a form type. Bounded by a size limit (413) and parsed with positions in errors (400).
/// </summary>
public sealed class JsonRequestBody : IDisposable
{
    private JsonRequestBody(byte[] bytes, JsonDocument document)
    {
        Bytes = bytes;
        Document = document;
    }

    public byte[] Bytes { get; }

    public JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    public static async Task<(JsonRequestBody? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, CrmProblems.TooLarge(maxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, CrmProblems.TooLarge(maxBytes));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, CrmProblems.MalformedJson("the body is empty; send a JSON object"));
        }

        var bytes = buffer.ToArray();
        try
        {
            return (new JsonRequestBody(bytes, JsonDocument.Parse(bytes)), null);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var position = (ex.BytePositionInLine ?? 0) + 1;
            return (null, CrmProblems.MalformedJson($"malformed JSON at line {line}, byte {position}"));
        }
    }

    public void Dispose() => Document.Dispose();
}
