namespace LeadFlow.Worker;

/// <summary>
/// Which workflow class the worker registers as <c>LeadOnboardingWorkflow</c>: the current one unless a host registers
/// this before <c>AddLeadOnboardingWorker</c>. Only the in-flight deployment test's worker of an earlier release
/// (<c>tests/LeadFlow.ReleasedWorker</c>) does, to run that release's frozen workflow code.
/// </summary>
/// <param name="WorkflowType">A <c>[Workflow("LeadOnboardingWorkflow")]</c> class.</param>
public sealed record LeadWorkflowRegistration(Type WorkflowType);
