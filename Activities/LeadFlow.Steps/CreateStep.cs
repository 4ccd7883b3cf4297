using LeadFlow.Leads;
using LeadFlow.Steps.Crm;

namespace LeadFlow.Steps;

/// <summary>What every create step has, so the compensating step can undo any of them by name.</summary>
public interface ICreateStep
{
    string Name { get; }

    /// <summary>Deletes the row this step created (the backend's deletes are idempotent).</summary>
    Task UndoAsync(ICrmApi crm, long id, CancellationToken cancellationToken);
}

/// <summary>The shape shared by the three create steps: which request the lead becomes, how it is sent, how it is undone.</summary>
public sealed record CreateStep<TRequest>(
    string Name,
    Func<Lead, TRequest> BuildRequest,
    Func<ICrmApi, TRequest, string, CancellationToken, Task<CrmWriteAnswer>> Send,
    Func<ICrmApi, long, CancellationToken, Task> Undo) : ICreateStep
{
    Task ICreateStep.UndoAsync(ICrmApi crm, long id, CancellationToken cancellationToken) => Undo(crm, id, cancellationToken);
}

/// <summary>The three create steps of a lead, in order: one shape, three instances.</summary>
public static class CreateSteps
{
    public static readonly CreateStep<CreateClientRequest> Client = new(
        LeadOnboardingSteps.CreateClient,
        lead => new CreateClientRequest(lead.Name, lead.Lastname, lead.Rut, lead.Mail, lead.Phone),
        (crm, request, key, ct) => crm.CreateClientAsync(request, key, ct),
        (crm, id, ct) => crm.DeleteClientAsync(id, ct));

    public static readonly CreateStep<CreatePartnerRequest> Partner = new(
        LeadOnboardingSteps.CreatePartner,
        lead => new CreatePartnerRequest(lead.Rut, lead.Store),
        (crm, request, key, ct) => crm.CreatePartnerAsync(request, key, ct),
        (crm, id, ct) => crm.DeletePartnerAsync(id, ct));

    public static readonly CreateStep<CreateBenefitRequest> Benefit = new(
        LeadOnboardingSteps.CreateBenefit,
        lead => new CreateBenefitRequest(lead.Rut, lead.WantsBenefit),
        (crm, request, key, ct) => crm.CreateBenefitAsync(request, key, ct),
        (crm, id, ct) => crm.DeleteBenefitAsync(id, ct));

    public static readonly IReadOnlyList<ICreateStep> All = [Client, Partner, Benefit];

    public static ICreateStep Named(string step) =>
        All.FirstOrDefault(s => s.Name == step) ?? throw new ArgumentException($"'{step}' is not a create step", nameof(step));
}
