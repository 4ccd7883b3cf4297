using System.Collections.Concurrent;
using LeadFlow.Steps;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Workflows.Tests.Saga;

/// <summary>How one lead of a scenario ended, as Temporal and the workflow's status query tell it.</summary>
/// <param name="Starts">How many deliveries started a run (must be one).</param>
/// <param name="Duplicates">How many deliveries were answered "already started".</param>
/// <param name="Unexpected">Anything that is not one of the documented ends (a timeout, an undocumented error type).</param>
public sealed record SagaLeadEnd(
    SagaLead Lead,
    string? RunId,
    LeadOutcome? Outcome,
    LeadOnboardingResult? Result,
    LeadStatus? Status,
    int Starts,
    int Duplicates,
    string? Unexpected);

/// <summary>Runs a <see cref="SagaScenario"/> through the real workflow, worker, backend and PostgreSQL, all leads at once.</summary>
public static class SagaRun
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    public static async Task<IReadOnlyList<SagaLeadEnd>> RunAsync(LeadFlowFixture flow, SagaScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(scenario);
        foreach (var lead in scenario.Leads)
        {
            foreach (var fault in lead.Faults)
            {
                var injected = flow.Backend.Faults.ForLead(fault.Path, lead.LeadId).Delay(fault.Delay);
                if (fault.Status is { } status)
                {
                    injected.Fail(status, fault.Times);
                }
            }
        }

        var handles = new ConcurrentDictionary<int, WorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult>>();
        var starts = new ConcurrentDictionary<int, int>();
        var duplicates = new ConcurrentDictionary<int, int>();
        var errors = new ConcurrentDictionary<int, string>();
        var cancellations = new ConcurrentBag<Task>();
        var deliveries = new List<Task>();
        try
        {
            foreach (var (lead, gap) in scenario.Deliveries)
            {
                await Task.Delay(gap);
                deliveries.Add(DeliverAsync(lead));
            }

            await Task.WhenAll(deliveries).WaitAsync(Patience);
            await Task.WhenAll(cancellations).WaitAsync(Patience);
            return await Task.WhenAll(scenario.Leads.Select(EndOfAsync));
        }
        finally
        {
            foreach (var lead in scenario.Leads)
            {
                flow.Backend.Faults.ClearLead(lead.LeadId);
            }
        }

        async Task DeliverAsync(SagaLead lead)
        {
            try
            {
                var handle = await flow.StartLeadAsync(lead.EventJson());
                starts.AddOrUpdate(lead.Index, 1, (_, n) => n + 1);
                handles[lead.Index] = handle;
                if (lead.CancelAfter is { } after)
                {
                    cancellations.Add(CancelLaterAsync(handle, after));
                }
            }
            catch (WorkflowAlreadyStartedException)
            {
                duplicates.AddOrUpdate(lead.Index, 1, (_, n) => n + 1);
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException)
            {
                errors[lead.Index] = $"delivery failed: {e.Message}";
            }
        }

        static async Task CancelLaterAsync(WorkflowHandle handle, TimeSpan after)
        {
            await Task.Delay(after);
            try
            {
                await handle.CancelAsync();
            }
            catch (RpcException)
            {
                // The run ended before the cancel: nothing to cancel, as for an operator who was too late.
            }
        }

        async Task<SagaLeadEnd> EndOfAsync(SagaLead lead)
        {
            var (started, duplicated) = (starts.GetValueOrDefault(lead.Index), duplicates.GetValueOrDefault(lead.Index));
            if (!handles.TryGetValue(lead.Index, out var handle))
            {
                return new SagaLeadEnd(lead, null, null, null, null, started, duplicated, errors.GetValueOrDefault(lead.Index) ?? "never started");
            }

            LeadOutcome? outcome = null;
            LeadOnboardingResult? result = null;
            string? unexpected = null;
            try
            {
                result = await handle.GetResultAsync().WaitAsync(Patience);
                outcome = LeadOutcome.Completed;
            }
            catch (WorkflowFailedException e) when (e.InnerException is ApplicationFailureException { ErrorType: LeadErrorTypes.LeadRejected })
            {
                outcome = LeadOutcome.Rejected;
            }
            catch (WorkflowFailedException e) when (e.InnerException is ApplicationFailureException { ErrorType: LeadErrorTypes.LeadOnboardingFailed })
            {
                outcome = LeadOutcome.Failed;
            }
            catch (WorkflowFailedException e) when (e.InnerException is CanceledFailureException)
            {
                outcome = LeadOutcome.Cancelled;
            }
            catch (Exception e) when (e is WorkflowFailedException or TimeoutException or RpcException)
            {
                unexpected = $"ended neither completed nor with a documented failure: {e.GetType().Name}: {e.Message} ({e.InnerException?.GetType().Name}: {e.InnerException?.Message})";
            }

            LeadStatus? status = null;
            for (var attempt = 1; status is null; attempt++)
            {
                try
                {
                    status = await handle.QueryAsync(workflow => workflow.GetStatus());
                }
                catch (Exception e) when (e is RpcException or WorkflowQueryFailedException or WorkflowQueryRejectedException)
                {
                    // A query replays the run on the worker; on a starved machine that replay can exceed the SDK's
                    // deadlock detection (TMPRL1101, 2 s). A caller retries a failed query: so does this check.
                    if (attempt == 5)
                    {
                        unexpected ??= $"status query failed {attempt} times: {e.Message}";
                        break;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(attempt));
                }
            }

            return new SagaLeadEnd(lead, handle.ResultRunId ?? handle.RunId, outcome, result, status, started, duplicated, unexpected ?? errors.GetValueOrDefault(lead.Index));
        }
    }
}
