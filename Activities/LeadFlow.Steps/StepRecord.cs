namespace LeadFlow.Steps;

/// <summary>
/// What a create step left in the CRM: the row's id, whether this run created it or found it stored, and which of
/// the lead's values differ from the stored row's (kept for review, never applied; see <c>GET /lead_differences</c>).
/// </summary>
/// <param name="DifferingFields">The differing fields' names (<c>mail</c>, <c>phone</c>, <c>store</c>, ...), never their values; null when none differ.</param>
public sealed record StepRecord(string Step, long Id, bool Created, IReadOnlyList<string>? DifferingFields = null);
