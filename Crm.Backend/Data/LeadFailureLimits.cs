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

    /// <summary>Undo entries per failure: one per create step the run started (three today), with room to spare.</summary>
    public const int Compensations = 10;

    /// <summary>Lead runs named per kept row.</summary>
    public const int KeptFor = 100;

    public const int Outcome = 32;
}
