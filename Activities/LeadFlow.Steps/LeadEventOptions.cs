namespace LeadFlow.Steps;

/// <summary>Which bus events are leads (configuration section <c>LeadEvents</c>).</summary>
public sealed class LeadEventOptions
{
    public const string Section = "LeadEvents";

    /// <summary><c>LeadEvents__Source</c>: the envelope's expected <c>source</c>.</summary>
    public string Source { get; set; } = "crm.leads";

    /// <summary><c>LeadEvents__DetailType</c>: the envelope's expected <c>detail-type</c>.</summary>
    public string DetailType { get; set; } = "LeadSubmitted";
}
