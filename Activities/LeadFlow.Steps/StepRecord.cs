namespace LeadFlow.Steps;

/// <summary>What a create step left in the CRM: the row's id, and whether this run created it (only those are undone).</summary>
public sealed record StepRecord(string Step, long Id, bool Created);
