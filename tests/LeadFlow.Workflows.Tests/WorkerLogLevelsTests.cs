using LeadFlow.Workflows.Tests.Support;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// The worker as shipped (its <c>appsettings.json</c>): the workflow's own records reach the log at Information, while
/// the Temporal SDK's internals are kept from Warning up.
/// </summary>
public sealed class WorkerLogLevelsTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>
{
    [Fact]
    public async Task ShippedLogLevels_KeepTheWorkflowsCompletionLine_AndLeaveOutTheSdksInformation()
    {
        await flow.StopWorkerAsync();
        var before = flow.WorkerLogs.Entries.Count;
        await flow.StartWorkerAsync(shippedLogLevels: true);

        var handle = await flow.StartLeadAsync(TestLeads.Event(TestLeads.Detail()));
        var result = await handle.GetResultAsync();
        // Stopping is where the SDK's worker says something at Information ("Beginning activity worker shutdown ...").
        await flow.StopWorkerAsync();

        var entries = flow.WorkerLogs.Entries.Skip(before).ToList();
        var text = string.Join('\n', entries.Select(e => $"{e.Level} {e.Category}: {e.Message}"));
        Assert.True(
            entries.Any(e => e.Category == "Temporalio.Workflow:LeadOnboardingWorkflow" && e.Level == LogLevel.Information
                && e.Message.Contains($"Lead {handle.Id} completed: client {result.ClientId}", StringComparison.Ordinal)),
            $"the workflow's completion line is missing from the worker's log:\n{text}");
        var sdkChatter = entries.Where(e => e.Category.StartsWith("Temporalio.Worker.", StringComparison.Ordinal) && e.Level < LogLevel.Warning).ToList();
        Assert.True(sdkChatter.Count == 0, $"the SDK's own records below Warning reached the log:\n{text}");
    }
}
