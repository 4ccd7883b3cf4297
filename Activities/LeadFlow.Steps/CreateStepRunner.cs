using LeadFlow.Leads;
using LeadFlow.Steps.Crm;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Steps;

/// <summary>Runs a create step against the CRM backend with the lead's idempotency key for that step.</summary>
public sealed partial class CreateStepRunner(ICrmApi crm, ILogger<CreateStepRunner> logger)
{
    /// <param name="leadId">The lead's durable id (the workflow id), the root of the idempotency key.</param>
    /// <param name="runId">The run of the lead (Temporal run id, Step Functions execution name), see <see cref="IdempotencyKeys"/>.</param>
    public async Task<StepRecord> RunAsync<TRequest>(CreateStep<TRequest> step, Lead lead, string leadId, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(lead);
        var answer = await step.Send(crm, step.BuildRequest(lead), IdempotencyKeys.For(leadId, runId, step.Name), cancellationToken).ConfigureAwait(false);
        LogCreated(step.Name, leadId, PersonalData.MaskRut(lead.Rut), answer.Id, answer.Created);
        return new StepRecord(step.Name, answer.Id, answer.Created);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Step} for {LeadId} (rut {Rut}): id {Id}, created now {Created}")]
    private partial void LogCreated(string step, string leadId, string rut, long id, bool created);
}
