using LeadFlow.Leads;
using LeadFlow.Steps.Crm;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Steps;

/// <summary>Runs a create step against the CRM backend with the lead's idempotency key for that step.</summary>
public sealed partial class CreateStepRunner(ICrmApi crm, ILogger<CreateStepRunner> logger)
{
    /// <param name="leadId">The lead's durable id (the workflow id), the root of the idempotency key.</param>
    /// <param name="runId">The run of the lead (Temporal run id, Step Functions execution name), see <see cref="IdempotencyKeys"/>.</param>
    /// <returns>The row, whether this run created it, and the fields whose values the backend kept for review.</returns>
    public async Task<StepRecord> RunAsync<TRequest>(CreateStep<TRequest> step, Lead lead, string leadId, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(lead);
        var answer = await step.Send(crm, step.BuildRequest(lead), IdempotencyKeys.For(leadId, runId, step.Name), cancellationToken).ConfigureAwait(false);
        var differing = answer.DifferingFields is { Count: > 0 } fields ? fields : null;
        LogCreated(step.Name, leadId, PersonalData.MaskRut(lead.Rut), answer.Id, answer.Created, answer.Holders?.Count ?? 0);
        if (differing is not null)
        {
            // Field names only: the values are personal data, and the backend keeps them for the reviewer.
            LogDiffers(step.Name, leadId, answer.Id, string.Join(", ", differing));
        }

        return new StepRecord(step.Name, answer.Id, answer.Created, differing);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Step} for {LeadId} (rut {Rut}): id {Id}, created now {Created}, lead runs relying on it {Holders}")]
    private partial void LogCreated(string step, string leadId, string rut, long id, bool created, int holders);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Step} for {LeadId}: row {Id} is stored with other values; kept for review (GET /lead_differences): {Fields}")]
    private partial void LogDiffers(string step, string leadId, long id, string fields);
}
