using Temporalio.Api.WorkflowService.V1;
using Temporalio.Exceptions;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>
/// What the embedded server offers for changing workflow code with runs in flight: patch markers, replayed as a real
/// server does (the workflow tests' replay corpus and in-flight upgrade run on it), and not Worker Versioning, which it
/// says in its capabilities and by answering Unimplemented, as a server without the feature does. The README's
/// "Changing the workflow safely" relies on both.
/// </summary>
public sealed class VersioningSupportTests
{
    [Fact]
    public async Task WorkerVersioning_IsNotOffered_TheCapabilitiesSaySo_AndItsCallsAreUnimplemented()
    {
        await using var server = await EmbeddedServer.StartAsync();
        var client = await server.ConnectAsync();

        var info = await client.Connection.WorkflowService.GetSystemInfoAsync(new GetSystemInfoRequest());
        var deployment = await Assert.ThrowsAsync<RpcException>(() => client.Connection.WorkflowService.SetWorkerDeploymentCurrentVersionAsync(
            new SetWorkerDeploymentCurrentVersionRequest { Namespace = "default", DeploymentName = "lead-onboarding", BuildId = "v1.1" }));
        var buildIds = await Assert.ThrowsAsync<RpcException>(() => client.Connection.WorkflowService.UpdateWorkerBuildIdCompatibilityAsync(
            new UpdateWorkerBuildIdCompatibilityRequest { Namespace = "default", TaskQueue = server.TaskQueue, AddNewBuildIdInNewDefaultSet = "v1.1" }));

        Assert.False(info.Capabilities.BuildIdBasedVersioning);
        Assert.Equal(RpcException.StatusCode.Unimplemented, deployment.Code);
        Assert.Equal(RpcException.StatusCode.Unimplemented, buildIds.Code);
        Assert.Contains("not implemented by the embedded Temporal server", deployment.Message, StringComparison.Ordinal);
    }
}
