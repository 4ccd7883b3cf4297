using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace LeadFlow.EmbeddedTemporal.Grpc;

/// <summary>Marker type Grpc.AspNetCore maps; the methods come from <see cref="WorkflowServiceBinder"/>.</summary>
internal sealed class WorkflowServiceEndpoint
{
}

/// <summary>Marker type Grpc.AspNetCore maps; the methods come from <see cref="OperatorServiceBinder"/>.</summary>
internal sealed class OperatorServiceEndpoint
{
}

/// <summary>The handler tables of both services this server speaks.</summary>
internal sealed record ServiceHandlers(RpcHandlerTable Workflow, RpcHandlerTable Operator);

/// <summary>
/// Binds every unary method of a Temporal gRPC service from the service descriptor shipped inside Temporalio.dll,
/// with raw byte marshalling: no .proto files and no code generation. Methods without a handler answer
/// Unimplemented naming the call, as a real server would for an API it does not have.
/// </summary>
internal abstract class ServiceBinder<TEndpoint>(ServiceDescriptor service, RpcHandlerTable handlers, RpcMetrics metrics) : IServiceMethodProvider<TEndpoint>
    where TEndpoint : class
{
    protected static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    public virtual void OnServiceMethodDiscovery(ServiceMethodProviderContext<TEndpoint> context)
    {
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
            throw new InvalidOperationException($"Handlers registered for methods {service.Name} does not have: {string.Join(", ", unknown)}");
        }
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

/// <summary>temporal.api.workflowservice.v1.WorkflowService, plus grpc.health.v1.Health/Check.</summary>
internal sealed class WorkflowServiceBinder(ServiceHandlers handlers, RpcMetrics metrics)
    : ServiceBinder<WorkflowServiceEndpoint>(Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services.Single(), handlers.Workflow, metrics)
{
    public override void OnServiceMethodDiscovery(ServiceMethodProviderContext<WorkflowServiceEndpoint> context)
    {
        base.OnServiceMethodDiscovery(context);
        HealthCheck.Bind(context, RawBytes);
    }
}

/// <summary>temporal.api.operatorservice.v1.OperatorService (search attributes, namespaces for operators).</summary>
internal sealed class OperatorServiceBinder(ServiceHandlers handlers, RpcMetrics metrics)
    : ServiceBinder<OperatorServiceEndpoint>(Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services.Single(), handlers.Operator, metrics);
