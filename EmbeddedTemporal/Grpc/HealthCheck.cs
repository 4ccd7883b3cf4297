using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace LeadFlow.EmbeddedTemporal.Grpc;

/// <summary>
/// grpc.health.v1.Health/Check, which the SDK's CheckHealthAsync calls. The answer is always SERVING:
/// the process is the whole server.
/// </summary>
internal static class HealthCheck
{
    // HealthCheckResponse { status: SERVING (1) } encoded by hand: field 1, varint 1.
    private static readonly byte[] Serving = [0x08, 0x01];

    public static void Bind<TService>(ServiceMethodProviderContext<TService> context, Marshaller<byte[]> marshaller)
        where TService : class
    {
        var method = new Method<byte[], byte[]>(MethodType.Unary, "grpc.health.v1.Health", "Check", marshaller, marshaller);
        context.AddUnaryMethod(method, [], (_, _, _) => Task.FromResult(Serving));
    }
}
