using LeadFlow.Leads;
using LeadFlow.Steps.Crm;

namespace LeadFlow.Steps;

/// <summary>What every create step has, whatever it sends: its name, the step and activity name.</summary>
public interface ICreateStep
{
    string Name { get; }
}

/// <summary>
/// The shape shared by the three create steps: which request the lead becomes and how it is sent. There is no undo
/// per step: a create is undone by the Idempotency-Key it was sent under (<see cref="ICrmApi.CompensateAsync"/>),
/// one generic call, which also covers a create whose answer never came back.
/// </summary>
public sealed record CreateStep<TRequest>(
    string Name,
    Func<Lead, TRequest> BuildRequest,
    Func<ICrmApi, TRequest, string, CancellationToken, Task<CrmWriteAnswer>> Send) : ICreateStep;

/// <summary>The create steps of a lead, in order: one shape, four instances (the three creates and the optional branch notification).</summary>
public static class CreateSteps
{
    public static readonly CreateStep<CreateClientRequest> Client = new(
        LeadOnboardingSteps.CreateClient,
        lead => new CreateClientRequest(lead.Name, lead.Lastname, lead.Rut, lead.Mail, lead.Phone, lead.EventTime),
        (crm, request, key, ct) => crm.CreateClientAsync(request, key, ct));

    public static readonly CreateStep<CreatePartnerRequest> Partner = new(
        LeadOnboardingSteps.CreatePartner,
        lead => new CreatePartnerRequest(lead.Rut, lead.Store, lead.EventTime),
        (crm, request, key, ct) => crm.CreatePartnerAsync(request, key, ct));

    public static readonly CreateStep<CreateBenefitRequest> Benefit = new(
        LeadOnboardingSteps.CreateBenefit,
        lead => new CreateBenefitRequest(lead.Rut, lead.WantsBenefit, lead.EventTime),
        (crm, request, key, ct) => crm.CreateBenefitAsync(request, key, ct));

    /// <summary>
    /// The optional NotifyBranch step (<see cref="NotifyBranchOptions"/>): a notification row held and undone like the
    /// creates (it hangs off the client, so a compensation removes it first). Runs after CreateBenefit.
    /// </summary>
    public static readonly CreateStep<NotifyBranchRequest> BranchNotification = new(
        LeadOnboardingSteps.NotifyBranch,
        lead => new NotifyBranchRequest(lead.Rut, lead.Store, lead.EventTime),
        (crm, request, key, ct) => crm.NotifyBranchAsync(request, key, ct));

    /// <summary>In the order they run. A run that never reached a step (an older release's run, or the step switched off) undoes it harmlessly: nothing-to-undo.</summary>
    public static readonly IReadOnlyList<ICreateStep> All = [Client, Partner, Benefit, BranchNotification];

    /// <summary>
    /// The create steps a run that stopped at <paramref name="step"/> (failed there, was cancelled or timed out while it
    /// ran) may have written, in the order they ran: every create step before it and, when it is one, the step itself,
    /// since its request may have committed although no answer came back. ReceiveLead writes nothing: none. A step
    /// that is none of <see cref="LeadOnboardingSteps"/> (a failure described by a definition that is not ours) gives
    /// all of them: undoing a create that never ran is harmless (<c>nothing-to-undo</c>).
    /// </summary>
    public static IReadOnlyList<ICreateStep> StartedUpTo(string step)
    {
        var order = LeadOnboardingSteps.InOrder.Select(s => s.Name).ToList();
        var stoppedAt = order.IndexOf(step);
        return stoppedAt < 0 ? All : [.. All.Where(create => order.IndexOf(create.Name) <= stoppedAt)];
    }
}
