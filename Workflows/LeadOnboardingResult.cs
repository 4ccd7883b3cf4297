using LeadFlow.Steps;

namespace LeadFlow.Workflows;

/// <summary>A completed lead: the CRM ids of its client, partner and benefit, and which of them this run created.</summary>
public sealed record LeadOnboardingResult(string LeadId, long ClientId, long PartnerId, long BenefitId, IReadOnlyList<StepRecord> Records);
