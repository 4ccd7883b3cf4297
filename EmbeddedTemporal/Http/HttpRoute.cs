using Google.Protobuf.Reflection;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Dependencies.Google.Api;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace LeadFlow.EmbeddedTemporal.Http;

/// <summary>
/// One HTTP binding of a gRPC method, read from its <c>google.api.http</c> annotation in Temporalio.dll's
/// descriptors (what grpc-gateway registers for the real UI server): verb, path template such as
/// <c>/api/v1/namespaces/{namespace}/workflows/{execution.workflow_id}/history</c>, and which part of the
/// request the JSON body fills ("*" for all of it, a field name, or nothing).
/// </summary>
internal sealed record HttpRoute(string Verb, IReadOnlyList<HttpRoute.Segment> Segments, string Body, MethodDescriptor Method, RpcHandler? Handler)
{
    /// <summary>A literal path segment, or a variable naming a (dotted) field path of the request.</summary>
    internal sealed record Segment(string? Literal, string? FieldPath);

    public int LiteralCount => Segments.Count(s => s.Literal is not null);

    /// <summary>Every <c>/api/v1/</c> binding of the service's methods, additional bindings included.</summary>
    public static IEnumerable<HttpRoute> FromService(ServiceDescriptor service, RpcHandlerTable handlers)
    {
        foreach (var method in service.Methods)
        {
            if (method.GetOptions()?.GetExtension(AnnotationsExtensions.Http) is not { } rule)
            {
                continue;
            }

            foreach (var binding in rule.AdditionalBindings.Prepend(rule))
            {
                var (verb, path) = binding.PatternCase switch
                {
                    HttpRule.PatternOneofCase.Get => ("GET", binding.Get),
                    HttpRule.PatternOneofCase.Post => ("POST", binding.Post),
                    HttpRule.PatternOneofCase.Put => ("PUT", binding.Put),
                    HttpRule.PatternOneofCase.Delete => ("DELETE", binding.Delete),
                    HttpRule.PatternOneofCase.Patch => ("PATCH", binding.Patch),
                    _ => (string.Empty, string.Empty),
                };
                if (path.StartsWith("/api/v1/", StringComparison.Ordinal))
                {
                    yield return new HttpRoute(verb, Parse(path), binding.Body, method, handlers.Find(method.Name));
                }
            }
        }
    }

    /// <summary>The path variables when <paramref name="segments"/> (already percent-decoded) match, else null.</summary>
    public Dictionary<string, string>? Match(string verb, IReadOnlyList<string> segments)
    {
        if (!string.Equals(verb, Verb, StringComparison.OrdinalIgnoreCase) || segments.Count != Segments.Count)
        {
            return null;
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < segments.Count; i++)
        {
            var template = Segments[i];
            if (template.Literal is not null)
            {
                if (!string.Equals(template.Literal, segments[i], StringComparison.Ordinal))
                {
                    return null;
                }
            }
            else
            {
                variables[template.FieldPath!] = segments[i];
            }
        }

        return variables;
    }

    private static List<Segment> Parse(string path) =>
        path.Trim('/').Split('/').Select(part => part.StartsWith('{') && part.EndsWith('}')
            ? new Segment(null, part[1..^1].Split('=')[0])
            : new Segment(part, null)).ToList();
}
