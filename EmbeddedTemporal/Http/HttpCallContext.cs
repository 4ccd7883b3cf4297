using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace LeadFlow.EmbeddedTemporal.Http;

/// <summary>
/// The ServerCallContext an HTTP/JSON call gives the gRPC handlers: no deadline (long polls end at the server's
/// long-poll timeout), cancelled when the browser goes away.
/// </summary>
internal sealed class HttpCallContext(HttpContext http, string method) : ServerCallContext
{
    private readonly Dictionary<object, object> _userState = [];

    protected override string MethodCore => method;

    protected override string HostCore => http.Request.Host.Value ?? string.Empty;

    protected override string PeerCore => $"http:{http.Connection.RemoteIpAddress}:{http.Connection.RemotePort}";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore { get; } = [];

    protected override CancellationToken CancellationTokenCore => http.RequestAborted;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override IDictionary<object, object> UserStateCore => _userState;

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("HTTP calls do not propagate to other calls.");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
