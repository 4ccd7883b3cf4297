using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Grpc;

/// <summary>Marker type Grpc.AspNetCore maps; the methods come from <see cref="WorkflowServiceBinder"/>.</summary>
internal sealed class WorkflowServiceEndpoint
{
}

/// <summary>
/// Binds every WorkflowService method from the service descriptor shipped inside Temporalio.dll, with
/// raw byte marshalling: no .proto files and no code generation. Methods without a handler answer
/// Unimplemented naming the call, as a real server would for an API it does not have.
/// </summary>
internal sealed class WorkflowServiceBinder(RpcHandlerTable handlers, RpcMetrics metrics) : IServiceMethodProvider<WorkflowServiceEndpoint>
{
    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<WorkflowServiceEndpoint> context)
    {
        var service = ServiceReflection.Descriptor.Services.Single(s => s.Name == "WorkflowService");
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var descriptor in service.Methods.Where(m => !m.IsClientStreaming && !m.IsServerStreaming))
        {
            known.Add(descriptor.Name);
            var method = new Method<byte[], byte[]>(MethodType.Unary, service.FullName, descriptor.Name, RawBytes, RawBytes);
            var handler = handlers.Find(descriptor.Name);
            context.AddUnaryMethod(method, [], (_, request, call) => InvokeAsync(descriptor, handler, request, call));
        }

        var unknown = handlers.MethodNames.Where(name => !known.Contains(name)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"Handlers registered for methods WorkflowService does not have: {string.Join(", ", unknown)}");
        }

        HealthCheck.Bind(context, RawBytes);
    }

    private async Task<byte[]> InvokeAsync(MethodDescriptor descriptor, RpcHandler? handler, byte[] requestBytes, ServerCallContext call)
    {
        if (handler is null)
        {
            throw RpcErrors.Unimplemented(descriptor.Name);
        }

        var started = Stopwatch.GetTimestamp();
        var timing = new RpcCallTiming();
        call.UserState[RpcCallTiming.Key] = timing;
        try
        {
            var request = descriptor.InputType.Parser.ParseFrom(requestBytes);
            var response = await handler(request, call).ConfigureAwait(false);
            return response.ToByteArray();
        }
        finally
        {
            metrics.Record(descriptor.Name, Stopwatch.GetTimestamp() - started, timing.WaitingTimestamp);
        }
    }
}
