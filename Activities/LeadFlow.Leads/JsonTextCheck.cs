using System.Text.Json;

namespace LeadFlow.Leads;

/// <summary>
/// Finds JSON strings whose <c>\u</c> escapes are not valid UTF-16 text: a lone high surrogate (<c>"R\ud800"</c>), a lone
/// low surrogate (<c>"\udc00"</c>) or a reversed pair (<c>"\udc00\ud800"</c>). System.Text.Json accepts them while parsing
/// and only throws when the string is read (an InvalidOperationException, or a JsonException when it is written back), so
/// every reader of untrusted JSON (intake, web form, SQS poller, Lambda handler, CRM backend) calls this first and refuses
/// the body as malformed. Property names are checked too.
/// </summary>
public static class JsonTextCheck
{
    /// <summary>The rule's wording, for the answer's message: what is wrong and what to send instead.</summary>
    public const string Rule = "holds a \\u escape that is not valid UTF-16 text (a lone or reversed surrogate); escape a character outside the BMP as a high then low surrogate pair, or send it as UTF-8";

    /// <summary>
    /// The field of the first string that cannot be decoded: the dotted path of property names from the root
    /// (<c>detail.lastname</c>, array positions left out), <c>""</c> for a string at the root; null when every string
    /// decodes, or when the text is not well-formed JSON (the caller's parser reports that with its position).
    /// </summary>
    /// <param name="utf8">The JSON text as UTF-8 (already checked as valid UTF-8 by the caller).</param>
    /// <param name="maxDepth">The nesting the caller's parser allows.</param>
    public static string? FirstUndecodableString(ReadOnlySpan<byte> utf8, int maxDepth = 64)
    {
        // Cheap first look: no escape of the form \u means nothing to check.
        if (utf8.IndexOf("\\u"u8) < 0)
        {
            return null;
        }

        var path = new List<string?>();
        string? property = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        path.Add(property);
                        property = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        property = null;
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        if (!Decodes(ref reader, out var name))
                        {
                            return Join(path, null);
                        }

                        property = name;
                        break;
                    case JsonTokenType.String:
                        if (!Decodes(ref reader, out _))
                        {
                            return Join(path, property);
                        }

                        property = null;
                        break;
                    default:
                        property = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private static bool Decodes(ref Utf8JsonReader reader, out string? text)
    {
        text = null;
        try
        {
            text = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Join(List<string?> path, string? last)
    {
        var names = path.Where(p => p is not null).Append(last).Where(p => p is not null);
        return string.Join('.', names);
    }
}
