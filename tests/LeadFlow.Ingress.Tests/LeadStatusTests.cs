using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.Workflows;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace LeadFlow.Ingress.Tests;

/// <summary>
/// <c>GET /leads/{id}</c> answers within a second from what the server knows when no worker can answer the
/// workflow's query: no worker polling, a workflow task that keeps failing, a terminated run. No personal data.
/// </summary>
public sealed class LeadStatusTests
{
    private static readonly TimeSpan AnswersWithin = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task NoWorker_StatusAnswersWithinASecond_SayingNoWorkerIsPolling()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var rut = TestEvents.NewRut();
        var started = await temporal.Starter().StartAsync(TestEvents.Envelope(detail: TestEvents.Lead(rut)).Bytes());

        var (status, elapsed, text) = await ReadAsync(http, started.EventId);

        Assert.True(elapsed < AnswersWithin, $"the status took {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal("Running", status.GetProperty("runStatus").GetString());
        Assert.Equal($"queued, no worker is polling {temporal.TaskQueue}", status.GetProperty("explanation").GetString());
        Assert.False(status.GetProperty("workerPolling").GetBoolean());
        Assert.Contains("no worker is polling", status.GetProperty("leadUnavailable").GetString(), StringComparison.Ordinal);
        Assert.Equal("history", status.GetProperty("leadSource").GetString());
        Assert.Equal("Running", status.GetProperty("lead").GetProperty("outcome").GetString());
        Assert.Equal("ReceiveLead", status.GetProperty("lead").GetProperty("currentStep").GetString());
        AssertNoPersonalData(text, rut);
    }

    [Fact]
    public async Task TerminatedRun_IsSaidSo_WithItsReason()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var started = await temporal.Starter().StartAsync(TestEvents.Envelope().Bytes());
        await temporal.Client.GetWorkflowHandle(started.WorkflowId).TerminateAsync("sent to the wrong environment");

        var (status, elapsed, _) = await ReadAsync(http, started.EventId);

        Assert.True(elapsed < AnswersWithin, $"the status took {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal("Terminated", status.GetProperty("runStatus").GetString());
        Assert.StartsWith("terminated: sent to the wrong environment", status.GetProperty("explanation").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkflowTaskFailing_IsSaidToBeStuck_WithoutWaitingForAQuery()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();

        // A worker deployed without the lead workflow: it polls, and fails every workflow task of a lead.
        using var worker = new TemporalWorker(temporal.Client, new TemporalWorkerOptions(temporal.TaskQueue).AddWorkflow<NotTheLeadWorkflow>());
        using var stop = new CancellationTokenSource();
        var running = worker.ExecuteAsync(stop.Token);
        try
        {
            var started = await temporal.Starter().StartAsync(TestEvents.Envelope().Bytes());
            await WaitUntilAsync(async () => (await DescribeAsync(temporal, started.WorkflowId)).PendingWorkflowTask?.Attempt > 1);

            var (status, elapsed, _) = await ReadAsync(http, started.EventId);

            Assert.True(elapsed < AnswersWithin, $"the status took {elapsed.TotalMilliseconds:0} ms");
            Assert.True(status.GetProperty("workerPolling").GetBoolean());
            var explanation = status.GetProperty("explanation").GetString()!;
            Assert.StartsWith("stuck: workflow task failing (attempt ", explanation, StringComparison.Ordinal);
            Assert.Contains("LeadOnboardingWorkflow", explanation, StringComparison.Ordinal);
            Assert.Contains("workflow task is failing", status.GetProperty("leadUnavailable").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        }
    }

    private static async Task<(JsonElement Status, TimeSpan Elapsed, string Text)> ReadAsync(HttpClient http, string eventId)
    {
        // Once to warm the intake's code paths up, then the read that is timed.
        using (await http.GetAsync(new Uri($"leads/{eventId}", UriKind.Relative)))
        {
        }

        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(new Uri($"leads/{eventId}", UriKind.Relative));
        var elapsed = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return (JsonDocument.Parse(text).RootElement.Clone(), elapsed, text);
    }

    private static void AssertNoPersonalData(string answer, string rut)
    {
        Assert.DoesNotContain(rut, answer, StringComparison.Ordinal);
        Assert.DoesNotContain("acooper@example.com", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("5454", answer, StringComparison.Ordinal);
    }

    private static Task<DescribeWorkflowExecutionResponse> DescribeAsync(IngressTemporal temporal, string workflowId) =>
        temporal.Client.WorkflowService.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
        {
            Namespace = temporal.Client.Options.Namespace,
            Execution = new() { WorkflowId = workflowId },
        });

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(50);
        }
    }

    /// <summary>Some other workflow: a worker that has only this cannot run a lead.</summary>
    [Workflow]
    public sealed class NotTheLeadWorkflow
    {
        [WorkflowRun]
        public Task<string> RunAsync() => Task.FromResult("not a lead");
    }
}
