namespace LeadFlow.Crm.Backend.Data;

/// <summary>Size bounds of a lead failure's fields, shared by the table and the request validation.</summary>
public static class LeadFailureLimits
{
    public const int LeadId = 200;
    public const int Step = 64;
    public const int Reason = 4000;
    public const int PayloadReference = 1000;
    public const int Errors = 100;

    /// <summary>The longest original event kept, in characters (an envelope is far smaller; the body limit is 16 KB by default).</summary>
    public const int Event = 12_000;
}
