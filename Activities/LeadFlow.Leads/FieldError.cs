namespace LeadFlow.Leads;

/// <summary>One broken rule on one field, phrased for the person who has to fix the lead.</summary>
/// <param name="Field">The contract's field name, e.g. <c>rut</c>.</param>
/// <param name="Rule">A stable rule id, e.g. <c>rut.checkDigit</c>, for dashboards and tests.</param>
/// <param name="Message">What is wrong. Never echoes the personal value itself.</param>
public sealed record FieldError(string Field, string Rule, string Message)
{
    public override string ToString() => $"{Field}: {Message} ({Rule})";
}
