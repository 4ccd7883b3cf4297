using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Temporalio.Api.Common.V1;
using Temporalio.Api.ErrorDetails.V1;

namespace LeadFlow.EmbeddedTemporal.Grpc;

/// <summary>
/// The errors the real frontend returns. The SDK turns some of them into typed exceptions only when the
/// typed failure is in the <c>grpc-status-details-bin</c> trailer (a google.rpc.Status), so those carry it.
/// </summary>
internal static class RpcErrors
{
    public static RpcException NotFound(string message) =>
        WithDetail(StatusCode.NotFound, message, new NotFoundFailure());

    public static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static RpcException FailedPrecondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));

    public static RpcException Unimplemented(string call) =>
        new(new Status(StatusCode.Unimplemented, $"{call} is not implemented by the embedded Temporal server (development/test only)."));

    public static RpcException NamespaceNotFound(string name) =>
        WithDetail(StatusCode.NotFound, $"Namespace {name} is not found.", new NamespaceNotFoundFailure { Namespace = name });

    public static RpcException NamespaceAlreadyExists(string name) =>
        WithDetail(StatusCode.AlreadyExists, $"Namespace {name} already exists.", new NamespaceAlreadyExistsFailure());

    /// <summary>Duplicate start: the SDK raises WorkflowAlreadyStartedException from this detail.</summary>
    public static RpcException WorkflowAlreadyStarted(string message, string startRequestId, string runId) =>
        WithDetail(StatusCode.AlreadyExists, message, new WorkflowExecutionAlreadyStartedFailure { StartRequestId = startRequestId, RunId = runId });

    public static RpcException WorkflowCompleted() =>
        NotFound("workflow execution already completed");

    public static RpcException QueryFailed(string message) =>
        WithDetail(StatusCode.InvalidArgument, message, new QueryFailedFailure());

    private static RpcException WithDetail(StatusCode code, string message, IMessage detail)
    {
        // temporal.api.common.v1.GrpcStatus has the same wire shape as google.rpc.Status.
        var status = new GrpcStatus { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(detail));
        var trailers = new Metadata { { "grpc-status-details-bin", status.ToByteArray() } };
        return new RpcException(new Status(code, message), trailers);
    }
}
