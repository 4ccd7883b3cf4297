using System.Buffers;
using System.Text.Json;
using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadFlow.Crm.Backend.Http;

/// <summary>
/// Reads a JSON body whatever its Content-Type says: the original clients sent JSON with none, or with
/// text/plain or a form type. Bounded by a size limit (413) and parsed with positions in errors (400).
/// The bytes live in a pooled buffer that the document reads from, returned on <see cref="Dispose"/>.
/// </summary>
public sealed class JsonRequestBody : IDisposable
{
    private const int UnknownLengthBuffer = 4096;

    private byte[]? buffer;
    private readonly int length;

    private JsonRequestBody(byte[] buffer, int length, JsonDocument document)
    {
        this.buffer = buffer;
        this.length = length;
        Document = document;
    }

    public ReadOnlySpan<byte> Bytes => buffer.AsSpan(0, length);

    public JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    public static async Task<(JsonRequestBody? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, CrmProblems.TooLarge(maxBytes));
        }

        // One byte over the announced length, so the read that sees the end needs no bigger buffer.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min((request.ContentLength ?? UnknownLengthBuffer) + 1, maxBytes + 1));
        var length = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    return (null, CrmProblems.TooLarge(maxBytes));
                }

                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            if (length == 0)
            {
                return (null, CrmProblems.MalformedJson("the body is empty; send a JSON object"));
            }

            // JSON strings are decoded lazily: invalid UTF-8 inside one would throw later, while a field is read (a 500).
            if (!System.Text.Unicode.Utf8.IsValid(buffer.AsSpan(0, length)))
            {
                return (null, CrmProblems.MalformedJson("the body is not valid UTF-8 text"));
            }

            var body = new JsonRequestBody(buffer, length, JsonDocument.Parse(buffer.AsMemory(0, length)));
            buffer = null;
            return (body, null);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var position = (ex.BytePositionInLine ?? 0) + 1;
            return (null, CrmProblems.MalformedJson($"malformed JSON at line {line}, byte {position}"));
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public void Dispose()
    {
        Document.Dispose();
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }
}
