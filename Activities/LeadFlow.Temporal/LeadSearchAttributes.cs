using Temporalio.Api.Enums.V1;
using Temporalio.Common;

namespace LeadFlow.Temporal;

/// <summary>
/// The custom search attributes a lead's workflow keeps current, so people can filter leads in the Temporal Web UI
/// and CLI (<c>LeadOutcome="Rejected"</c>, <c>LeadStep="CreateBenefit" AND ExecutionStatus="Running"</c>). All three are
/// Keyword (exact match). A namespace must declare them before a run sets them: <see cref="LeadSearchAttributeRegistration"/>
/// does it at worker start.
/// </summary>
public static class LeadSearchAttributes
{
    /// <summary><c>Running</c> until the lead ends, then <c>Completed</c>, <c>Rejected</c> or <c>Failed</c> (the workflow's <c>LeadOutcome</c>).</summary>
    public static readonly SearchAttributeKey<string> LeadOutcome = SearchAttributeKey.CreateKeyword("LeadOutcome");

    /// <summary>The step running now (ReceiveLead, CreateClient, CreatePartner, CreateBenefit, RecordFailure); once ended, the last one that ran.</summary>
    public static readonly SearchAttributeKey<string> LeadStep = SearchAttributeKey.CreateKeyword("LeadStep");

    /// <summary>Set only on a failed or rejected lead: the step that failed.</summary>
    public static readonly SearchAttributeKey<string> LeadFailedStep = SearchAttributeKey.CreateKeyword("LeadFailedStep");

    /// <summary>Every attribute with its type, as a namespace must declare them (OperatorService.AddSearchAttributes).</summary>
    public static IReadOnlyDictionary<string, IndexedValueType> Declarations { get; } = new Dictionary<string, IndexedValueType>(StringComparer.Ordinal)
    {
        [LeadOutcome.Name] = IndexedValueType.Keyword,
        [LeadStep.Name] = IndexedValueType.Keyword,
        [LeadFailedStep.Name] = IndexedValueType.Keyword,
    };
}
