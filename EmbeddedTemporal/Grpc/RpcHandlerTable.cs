using Google.Protobuf;
using Grpc.Core;

namespace LeadFlow.EmbeddedTemporal.Grpc;

/// <summary>A gRPC method implemented by this server; the request is already parsed.</summary>
internal delegate Task<IMessage> RpcHandler(IMessage request, ServerCallContext context);

/// <summary>
/// Which methods of one service this server answers. The method name is derived from the request type
/// (StartWorkflowExecutionRequest -> StartWorkflowExecution), which is how the Temporal protos are named.
/// </summary>
internal sealed class RpcHandlerTable
{
    private readonly Dictionary<string, RpcHandler> _handlers = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> MethodNames => _handlers.Keys;

    public void Add<TRequest, TResponse>(Func<TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : IMessage
        where TResponse : IMessage =>
        _handlers.Add(MethodName<TRequest>(), async (request, context) => await handler((TRequest)request, context).ConfigureAwait(false));

    public void Add<TRequest, TResponse>(Func<TRequest, TResponse> handler)
        where TRequest : IMessage
        where TResponse : IMessage =>
        _handlers.Add(MethodName<TRequest>(), (request, _) => Task.FromResult<IMessage>(handler((TRequest)request)));

    public RpcHandler? Find(string methodName) => _handlers.GetValueOrDefault(methodName);

    private static string MethodName<TRequest>()
    {
        const string suffix = "Request";
        var name = typeof(TRequest).Name;
        return name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : name;
    }
}
