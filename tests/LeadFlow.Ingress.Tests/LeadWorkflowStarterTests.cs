using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.TestSupport;
using LeadFlow.Workflows;
using Microsoft.Extensions.Logging;
using Temporalio.Api.Enums.V1;

namespace LeadFlow.Ingress.Tests;

public sealed class LeadWorkflowStarterTests
{
    [Fact]
    public async Task Event_StartsWorkflowNamedAfterItsId()
    {
        var temporal = await IngressTemporal.StartAsync();
        var eventId = TestEvents.NewEventId();

        var outcome = await temporal.Starter().StartAsync(TestEvents.Envelope(eventId).Bytes());

        Assert.Equal(StartStatus.Started, outcome.Status);
        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), outcome.WorkflowId);
        var description = await temporal.Client.GetWorkflowHandle(outcome.WorkflowId).DescribeAsync();
        Assert.Equal(outcome.RunId, description.RunId);
        Assert.Equal(WorkflowExecutionStatus.Running, description.Status);
        Assert.Equal(temporal.TaskQueue, description.TaskQueue);
        Assert.Equal("LeadOnboardingWorkflow", description.WorkflowType);
    }

    [Fact]
    public async Task StartedRun_SummaryNamesTheLead_WithoutFullRutMailOrPhone()
    {
        var temporal = await IngressTemporal.StartAsync();
        var rut = TestEvents.NewRut();

        var outcome = await temporal.Starter().StartAsync(TestEvents.Envelope(detail: TestEvents.Lead(rut)).Bytes());

        var summary = await (await temporal.Client.GetWorkflowHandle(outcome.WorkflowId).DescribeAsync()).GetStaticSummaryAsync();
        Assert.Equal($"Lead Alice C. · RUT {Leads.PersonalData.MaskRut(rut)} · store ESTACION_CENTRAL · web", summary);
        Assert.DoesNotContain(rut, summary!, StringComparison.Ordinal);
        Assert.DoesNotContain("acooper", summary!, StringComparison.Ordinal);
        Assert.DoesNotContain("5454", summary!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DuplicateEvent_StartsOneWorkflow()
    {
        var temporal = await IngressTemporal.StartAsync();
        var envelope = TestEvents.Envelope().Bytes();
        var starter = temporal.Starter();

        var first = await starter.StartAsync(envelope);
        var second = await starter.StartAsync(envelope);

        Assert.Equal(StartStatus.Started, first.Status);
        Assert.Equal(StartStatus.Duplicate, second.Status);
        Assert.Equal(first.RunId, second.RunId);
        Assert.False(second.ContentDiffers);
    }

    [Fact]
    public async Task DuplicateOfClosedRun_IsReportedNotRerun()
    {
        var temporal = await IngressTemporal.StartAsync();
        var envelope = TestEvents.Envelope().Bytes();
        var starter = temporal.Starter();
        var first = await starter.StartAsync(envelope);
        await temporal.Client.GetWorkflowHandle(first.WorkflowId).TerminateAsync("test: closes the run");

        var again = await starter.StartAsync(envelope);

        Assert.Equal(StartStatus.Duplicate, again.Status);
        Assert.Equal(first.RunId, again.RunId);
    }

    [Fact]
    public async Task SameIdDifferentContent_FirstWinsAndAWarningIsLogged()
    {
        var temporal = await IngressTemporal.StartAsync();
        var logs = new LogCapture();
        var starter = temporal.Starter(logs);
        var eventId = TestEvents.NewEventId();

        var first = await starter.StartAsync(TestEvents.Envelope(eventId).Bytes());
        var other = await starter.StartAsync(TestEvents.Envelope(eventId).Bytes());

        Assert.Equal(StartStatus.Duplicate, other.Status);
        Assert.True(other.ContentDiffers);
        Assert.Equal(first.RunId, other.RunId);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(eventId, StringComparison.Ordinal) && e.Message.Contains("different content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadLead_IsStillStarted()
    {
        var temporal = await IngressTemporal.StartAsync();

        var outcome = await temporal.Starter().StartAsync(TestEvents.Envelope(detail: new System.Text.Json.Nodes.JsonObject { ["rut"] = "1-1" }).Bytes());

        Assert.Equal(StartStatus.Started, outcome.Status);
    }

    [Fact]
    public async Task MalformedEnvelope_StartsNothing()
    {
        var temporal = await IngressTemporal.StartAsync();

        var error = await Assert.ThrowsAsync<MalformedEnvelopeException>(() => temporal.Starter().StartAsync("{\"id\":\"x\"}"u8.ToArray()));

        Assert.Equal("detail", error.Field);
    }

    [Fact]
    public async Task TemporalUnreachable_IsATypedError()
    {
        var starter = new LeadWorkflowStarter(new TemporalClientSource(IngressTemporal.Unreachable()));

        await Assert.ThrowsAsync<TemporalUnavailableException>(() => starter.StartAsync(TestEvents.Envelope().Bytes()));
    }
}
