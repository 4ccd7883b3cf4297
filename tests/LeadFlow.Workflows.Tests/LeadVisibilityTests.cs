using LeadFlow.Steps;
using LeadFlow.Temporal;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Converters;
using Temporalio.Exceptions;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// What an operator sees of a lead in Temporal: the search attributes it keeps current (and that the list query filters
/// by) and the activities' summaries, without personal data. Real worker, backend and Temporal.
/// </summary>
public sealed class LeadVisibilityTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>, IAsyncLifetime
{
    public Task InitializeAsync()
    {
        flow.Backend.Faults.Clear();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        flow.Backend.Faults.Clear();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CompletedLead_EndsWithOutcomeCompleted_AtItsLastStep_WithoutFailedStep()
    {
        var handle = await flow.StartLeadAsync(TestLeads.Event(TestLeads.Detail()));
        await handle.GetResultAsync();

        var attributes = (await handle.DescribeAsync()).TypedSearchAttributes;
        Assert.Equal("Completed", attributes.Get(LeadSearchAttributes.LeadOutcome));
        // The last step of the list (NotifyBranch since v1.1: it runs, and calls nothing while NotifyBranch__Enabled is off).
        Assert.Equal(LeadOnboardingSteps.InOrder[^1].Name, attributes.Get(LeadSearchAttributes.LeadStep));
        Assert.False(attributes.ContainsKey(LeadSearchAttributes.LeadFailedStep));
    }

    [Fact]
    public async Task RejectedLead_IsFoundByLeadOutcomeRejected_AndNoOtherOutcome()
    {
        var rejected = await flow.StartLeadAsync(TestLeads.Event(TestLeads.Detail(TestLeads.InvalidRut())));
        var completed = await flow.StartLeadAsync(TestLeads.Event(TestLeads.Detail()));
        await Assert.ThrowsAsync<WorkflowFailedException>(() => rejected.GetResultAsync());
        await completed.GetResultAsync();

        var attributes = (await rejected.DescribeAsync()).TypedSearchAttributes;
        Assert.Equal("Rejected", attributes.Get(LeadSearchAttributes.LeadOutcome));
        Assert.Equal(LeadOnboardingSteps.ReceiveLead, attributes.Get(LeadSearchAttributes.LeadFailedStep));
        Assert.Equal(LeadOnboardingSteps.RecordFailure, attributes.Get(LeadSearchAttributes.LeadStep));

        var found = await ListIdsAsync($"LeadOutcome = \"Rejected\" AND WorkflowId IN (\"{rejected.Id}\", \"{completed.Id}\")");
        Assert.Equal([rejected.Id], found);
        var notRejected = await ListIdsAsync($"LeadOutcome != \"Rejected\" AND WorkflowId IN (\"{rejected.Id}\", \"{completed.Id}\")");
        Assert.Equal([completed.Id], notRejected);
    }

    [Fact]
    public async Task CompensatedLead_SaysWhereItFailed_AndItsTimelineReadsLikeTheProcess_WithoutPersonalData()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);
        flow.Backend.Faults.FailAlways("/create_benefit", 422);

        var handle = await flow.StartLeadAsync(eventJson);
        await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync());

        var attributes = (await handle.DescribeAsync()).TypedSearchAttributes;
        Assert.Equal("Failed", attributes.Get(LeadSearchAttributes.LeadOutcome));
        Assert.Equal(LeadOnboardingSteps.CreateBenefit, attributes.Get(LeadSearchAttributes.LeadFailedStep));
        Assert.Equal([handle.Id], await ListIdsAsync($"LeadFailedStep = \"CreateBenefit\" AND WorkflowId = \"{handle.Id}\""));

        var summaries = await ActivitySummariesAsync(handle);
        Assert.Equal(
            [
                $"Alice C., RUT {Leads.PersonalData.MaskRut(rut)}",
                "store ESTACION_CENTRAL",
                "opted into the benefit",
                "CreateBenefit failed (CrmRejected): undo 2 row(s), record the failure",
            ],
            summaries);
        Assert.Contains("unwrap and validate the event", string.Join(" ", await AllSummariesAsync(handle)), StringComparison.Ordinal);
        foreach (var summary in await AllSummariesAsync(handle))
        {
            Assert.DoesNotContain(rut, summary, StringComparison.Ordinal);
            Assert.DoesNotContain("acooper@example.com", summary, StringComparison.Ordinal);
            Assert.DoesNotContain("5454", summary, StringComparison.Ordinal);
        }

        // Behind a patch, so histories recorded before (without these events) still replay.
        var history = await handle.FetchHistoryAsync();
        Assert.Contains(history.Events, e => e.EventType == EventType.MarkerRecorded && e.MarkerRecordedEventAttributes.MarkerName == "core_patch");
        Assert.Contains(history.Events, e => e.EventType == EventType.UpsertWorkflowSearchAttributes);
        await RecordedHistories.RecordIfAskedAsync(handle, RecordedHistories.CompensatedFailureWithSearchAttributes);
    }

    private async Task<List<string>> ListIdsAsync(string query)
    {
        // Visibility on a real server is eventually consistent: give it a moment.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var ids = new List<string>();
            await foreach (var execution in flow.Client.ListWorkflowsAsync(query))
            {
                ids.Add(execution.Id);
            }

            if (ids.Count > 0 || DateTime.UtcNow > deadline)
            {
                return ids;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The summaries of the scheduled activities, in order.</summary>
    private static async Task<List<string>> ActivitySummariesAsync(WorkflowHandle handle)
    {
        var history = await handle.FetchHistoryAsync();
        var summaries = new List<string>();
        foreach (var scheduled in history.Events.Where(e => e.EventType == EventType.ActivityTaskScheduled))
        {
            Assert.NotNull(scheduled.UserMetadata?.Summary);
            // Summaries are payloads like any other: encrypted, read through the client's codec.
            summaries.Add(await handle.Client.Options.DataConverter.ToValueAsync<string>(scheduled.UserMetadata.Summary));
        }

        return summaries;
    }

    /// <summary>Every summary in the history: activities' and the local activity's marker.</summary>
    private static async Task<List<string>> AllSummariesAsync(WorkflowHandle handle)
    {
        var history = await handle.FetchHistoryAsync();
        var summaries = new List<string>();
        foreach (var e in history.Events.Where(e => e.UserMetadata?.Summary is not null))
        {
            summaries.Add(await handle.Client.Options.DataConverter.ToValueAsync<string>(e.UserMetadata.Summary));
        }

        return summaries;
    }
}
