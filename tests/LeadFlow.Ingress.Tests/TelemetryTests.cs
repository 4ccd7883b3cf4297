using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.TestSupport.Telemetry;
using LeadFlow.Workflows;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Tests;

/// <summary>Alone: the process-wide telemetry set-up sees every host of the process, so no other test may run leads meanwhile.</summary>
[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryFlowFixture>;

/// <summary>
/// One lead is one trace from the intake's request to the backend's SQL, linked through Temporal's headers; a failed
/// lead's trace shows the failing step and the compensation; the product's counters match the outcomes; and nothing
/// exported holds the lead's RUT, phone or mail.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed class TelemetryTests(TelemetryFlowFixture telemetry)
{
    private FullFlowFixture Flow => telemetry.Flow;

    [Fact]
    public async Task PostedLead_IsOneTrace_FromTheIntakeThroughEveryStepToTheSql_WithoutPersonalData()
    {
        var (eventId, lead) = NewLead();

        await PostAsync(eventId, lead);
        await Flow.Temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).GetResultAsync<LeadOnboardingResult>();
        var trace = TraceOf(LeadWorkflowIds.ForEvent(eventId), minimumSteps: 4);

        var request = Single(trace, s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("/events", StringComparison.Ordinal));
        var start = Single(trace, s => s.DisplayName == "StartWorkflow:LeadOnboardingWorkflow");
        var run = Single(trace, s => s.DisplayName == "RunWorkflow:LeadOnboardingWorkflow");
        Assert.Equal(request.SpanId, start.ParentSpanId);
        Assert.Equal(start.SpanId, run.ParentSpanId);
        foreach (var step in new[] { "ReceiveLead", "CreateClient", "CreatePartner", "CreateBenefit" })
        {
            var scheduled = Single(trace, s => s.DisplayName == $"StartActivity:{step}");
            var attempt = Single(trace, s => s.DisplayName == $"RunActivity:{step}");
            Assert.Equal(run.SpanId, scheduled.ParentSpanId);
            Assert.Equal(scheduled.SpanId, attempt.ParentSpanId);
            Assert.Equal(LeadWorkflowIds.ForEvent(eventId), attempt.GetTagItem("leadflow.lead.id"));
            Assert.Equal(step, attempt.GetTagItem("leadflow.step"));
            Assert.Equal(ActivityStatusCode.Unset, attempt.Status);
        }

        // Each create step: the Refit call, the backend's request under it, and that request's SQL under it.
        foreach (var (step, path) in new[] { ("CreateClient", "/create_client"), ("CreatePartner", "/create_partner"), ("CreateBenefit", "/create_benefit") })
        {
            var attempt = Single(trace, s => s.DisplayName == $"RunActivity:{step}");
            var call = Single(trace, s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http" && IsUnder(trace, s, attempt));
            var served = Single(trace, s => s.Kind == ActivityKind.Server && s.ParentSpanId == call.SpanId);
            Assert.Contains(path, served.DisplayName, StringComparison.Ordinal);
            var sql = trace.Where(s => s.Source.Name == "Npgsql" && IsUnder(trace, s, served)).ToList();
            Assert.NotEmpty(sql);
            Assert.All(sql, s => Assert.NotNull(s.GetTagItem("db.query.text") ?? s.GetTagItem("db.statement")));
        }

        // The embedded Temporal server stands in for a real one, which is never in the product's traces: none of its
        // gRPC polls and answers (about 18 per lead) may show up, here or as traces of their own.
        var temporalServed = telemetry.Spans.Where(s => s.Kind == ActivityKind.Server
            && ((s.GetTagItem("url.path") as string ?? s.DisplayName).Contains("/temporal.api.", StringComparison.Ordinal) || s.Source.Name.Contains("EmbeddedTemporal", StringComparison.Ordinal))).ToList();
        Assert.True(temporalServed.Count == 0, $"the Temporal server's own requests were traced: {string.Join(", ", temporalServed.Take(5).Select(s => s.DisplayName))}");
        AssertNoPersonalData(lead);
    }

    [Fact]
    public async Task FailedLead_TraceShowsTheFailingStepAsAnError_AndTheCompensation()
    {
        var (eventId, lead) = NewLead();
        Flow.Backend.Faults.FailAlways("/create_benefit", 400);
        try
        {
            await PostAsync(eventId, lead);
            await Assert.ThrowsAsync<WorkflowFailedException>(() => Flow.Temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).GetResultAsync<LeadOnboardingResult>());
        }
        finally
        {
            Flow.Backend.Faults.Clear();
        }

        var trace = TraceOf(LeadWorkflowIds.ForEvent(eventId), minimumSteps: 5);
        var failed = Single(trace, s => s.DisplayName == "RunActivity:CreateBenefit");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("CrmRejected", failed.GetTagItem("error.type"));
        var compensation = Single(trace, s => s.DisplayName == "RunActivity:RecordFailure");
        Assert.Equal(ActivityStatusCode.Unset, compensation.Status);
        var undo = trace.Where(s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/compensations", StringComparison.Ordinal) && IsUnder(trace, s, compensation)).ToList();
        Assert.Equal(3, undo.Count);
        Assert.Contains(trace, s => s.DisplayName == "CompleteWorkflow:LeadOnboardingWorkflow" && s.Status == ActivityStatusCode.Error);
        AssertNoPersonalData(lead);
    }

    [Fact]
    public async Task ProductCounters_MatchTheOutcomes_OfCompletedRejectedAndCompensatedLeads()
    {
        var before = Counters();
        var (completed, completedLead) = NewLead();
        var (rejected, rejectedLead) = NewLead();
        rejectedLead["rut"] = "11111111-2";
        var (compensated, compensatedLead) = NewLead();

        await PostAsync(completed, completedLead);
        await PostAsync(rejected, rejectedLead);
        await Flow.Temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(completed)).GetResultAsync<LeadOnboardingResult>();
        await Assert.ThrowsAsync<WorkflowFailedException>(() => Flow.Temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(rejected)).GetResultAsync<LeadOnboardingResult>());
        Flow.Backend.Faults.FailAlways("/create_partner", 400);
        try
        {
            await PostAsync(compensated, compensatedLead);
            await PostAsync(compensated, compensatedLead);
            await Assert.ThrowsAsync<WorkflowFailedException>(() => Flow.Temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(compensated)).GetResultAsync<LeadOnboardingResult>());
        }
        finally
        {
            Flow.Backend.Faults.Clear();
        }

        var after = Counters();
        long Delta(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
        Assert.Equal(3, Delta("leadflow.ingress.starts"));
        Assert.Equal(1, Delta("leadflow.ingress.duplicates"));
        Assert.Equal(3, Delta("leadflow.leads.started"));
        Assert.Equal(1, Delta("leadflow.leads.ended|completed"));
        Assert.Equal(1, Delta("leadflow.leads.ended|rejected"));
        Assert.Equal(1, Delta("leadflow.leads.ended|failed"));
        Assert.Equal(1, Delta("leadflow.leads.compensated"));
        Assert.True(Delta("leadflow.step.duration|CreateClient") >= 2, "the step duration histogram counts every CreateClient attempt");
    }

    private static (string EventId, JsonObject Lead) NewLead()
    {
        var lead = TestEvents.Lead();
        var unique = Random.Shared.Next(1000_0000, 9999_9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        lead["phone"] = $"+56 9 {unique[..4]} {unique[4..]}";
        lead["mail"] = $"otel.{Guid.NewGuid():N}@example.com";
        return (TestEvents.NewEventId(), lead);
    }

    private async Task PostAsync(string eventId, JsonObject lead)
    {
        using var http = Flow.Ingress.CreateClient();
        using var posted = await http.PostAsync(new Uri("events", UriKind.Relative), TestEvents.JsonContent(TestEvents.Envelope(eventId, lead.DeepClone()).ToJsonString()));
        Assert.True(posted.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"intake answered {posted.StatusCode}");
    }

    /// <summary>The spans of the trace the lead's start span belongs to, once its last activity attempt ended.</summary>
    private List<Activity> TraceOf(string workflowId, int minimumSteps)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            telemetry.Telemetry.Tracing.ForceFlush();
            var start = telemetry.Spans.FirstOrDefault(s => s.DisplayName == "StartWorkflow:LeadOnboardingWorkflow" && Equals(s.GetTagItem("leadflow.lead.id"), workflowId));
            var trace = start is null ? [] : telemetry.Spans.Where(s => s.TraceId == start.TraceId).ToList();
            if (trace.Count(s => s.DisplayName.StartsWith("RunActivity:", StringComparison.Ordinal)) >= minimumSteps || DateTime.UtcNow > deadline)
            {
                Assert.NotNull(start);
                return trace;
            }

            Thread.Sleep(100);
        }
    }

    private static Activity Single(List<Activity> trace, Func<Activity, bool> match)
    {
        var found = trace.Where(match).ToList();
        Assert.True(found.Count == 1, $"expected one such span, found {found.Count} among: {string.Join(", ", trace.Select(s => $"{s.Source.Name}/{s.DisplayName}"))}");
        return found[0];
    }

    /// <summary>Whether <paramref name="ancestor"/> is on the way from <paramref name="span"/> up to the trace's root.</summary>
    private static bool IsUnder(List<Activity> trace, Activity span, Activity ancestor)
    {
        var bySpanId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        for (var current = span; bySpanId.TryGetValue(current.ParentSpanId, out var parent); current = parent)
        {
            if (parent.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Neither any span's name, attributes, status or events, nor any log record, holds the RUT, phone or mail.</summary>
    private void AssertNoPersonalData(JsonObject lead)
    {
        telemetry.Telemetry.Flush();
        var rut = lead["rut"]!.GetValue<string>();
        var secrets = new[] { rut, rut.Replace("-", "", StringComparison.Ordinal), rut.Split('-')[0], lead["phone"]!.GetValue<string>(), lead["phone"]!.GetValue<string>().Replace(" ", "", StringComparison.Ordinal), lead["mail"]!.GetValue<string>() };
        foreach (var span in telemetry.Spans)
        {
            var text = string.Join(
                " ",
                new[] { span.DisplayName, span.StatusDescription ?? "" }
                    .Concat(span.TagObjects.Select(t => $"{t.Key}={t.Value}"))
                    .Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}"))));
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase));
        }

        Assert.NotEmpty(telemetry.LogRecords);
        foreach (var record in telemetry.LogRecords)
        {
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, record, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>The product's counters (and histogram counts) now: name, or name|attribute value.</summary>
    private Dictionary<string, long> Counters() => MetricTotals.Read(telemetry.Telemetry, telemetry.Metrics);
}
