using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using LeadFlow.EmbeddedTemporal.Grpc;
using Microsoft.AspNetCore.Http;
using Temporalio.Api.Common.V1;

namespace LeadFlow.EmbeddedTemporal.Http;

/// <summary>
/// The HTTP/JSON API the Web UI calls (<c>/api/v1/...</c>): every route is derived from the
/// <c>google.api.http</c> annotations of WorkflowService and OperatorService and answered by the same handlers
/// as the gRPC calls, so both APIs give the same data. Errors carry the HTTP status grpc-gateway maps the
/// gRPC code to (runtime.HTTPStatusFromCode) and <c>{"code","message","details"}</c> as the UI server writes them.
/// </summary>
internal sealed class HttpApi
{
    private readonly List<HttpRoute> _routes;

    public HttpApi(ServiceHandlers handlers)
    {
        _routes =
        [
            .. HttpRoute.FromService(Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services.Single(), handlers.Workflow),
            .. HttpRoute.FromService(Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services.Single(), handlers.Operator),
        ];
    }

    /// <summary>The bindings, for tests and diagnostics.</summary>
    public IReadOnlyList<HttpRoute> Routes => _routes;

    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.OK => 200,
        StatusCode.Cancelled => 499,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => 400,
        StatusCode.DeadlineExceeded => 504,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.Aborted => 409,
        StatusCode.PermissionDenied => 403,
        StatusCode.Unauthenticated => 401,
        StatusCode.ResourceExhausted => 429,
        StatusCode.Unimplemented => 501,
        StatusCode.Unavailable => 503,
        _ => 500,
    };

    /// <summary>Answers the request when a route matches; false when none does (the caller answers 404).</summary>
    public async Task<bool> TryHandleAsync(HttpContext http, IReadOnlyList<string> segments)
    {
        var match = _routes
            .Select(route => (Route: route, Variables: route.Match(http.Request.Method, segments)))
            .Where(m => m.Variables is not null)
            .OrderByDescending(m => m.Route.LiteralCount)
            .FirstOrDefault();
        if (match.Route is null)
        {
            return false;
        }

        var route = match.Route;
        try
        {
            if (route.Handler is null)
            {
                throw RpcErrors.Unimplemented(route.Method.Name);
            }

            string body;
            using (var reader = new StreamReader(http.Request.Body))
            {
                body = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
            }

            IMessage request;
            try
            {
                request = ProtoJson.ReadRequest(route.Method.InputType, body, route.Body, match.Variables!,
                    http.Request.Query.Select(q => new KeyValuePair<string, string[]>(q.Key, q.Value.Select(v => v ?? string.Empty).ToArray())));
            }
            catch (Exception error) when (error is InvalidProtocolBufferException or FormatException or JsonException or OverflowException)
            {
                throw RpcErrors.InvalidArgument($"The request is not valid for {route.Method.Name}: {error.Message}");
            }

            var response = await route.Handler(request, new HttpCallContext(http, $"/{route.Method.Service.FullName}/{route.Method.Name}")).ConfigureAwait(false);
            await WriteJsonAsync(http, 200, ProtoJson.Formatter.Format(response)).ConfigureAwait(false);
        }
        catch (RpcException error)
        {
            await WriteErrorAsync(http, error).ConfigureAwait(false);
        }

        return true;
    }

    public static Task WriteErrorAsync(HttpContext http, RpcException error)
    {
        var details = new List<Any>();
        if (error.Trailers.GetValueBytes("grpc-status-details-bin") is { } detailBytes)
        {
            details.AddRange(GrpcStatus.Parser.ParseFrom(detailBytes).Details);
        }

        return WriteJsonAsync(http, HttpStatusOf(error.StatusCode), ProtoJson.Error((int)error.StatusCode, error.Status.Detail, details));
    }

    public static async Task WriteJsonAsync(HttpContext http, int status, string json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync(json, http.RequestAborted).ConfigureAwait(false);
    }
}
