namespace LeadFlow.Ingress.Events;

/// <summary>
/// The message attributes a message that can never start a lead carries in the poison queue, whichever ingress moved it
/// there (the SQS poller, the ingress Lambda's queue batches): the body is kept unchanged, these say why.
/// </summary>
public static class PoisonAttributes
{
    /// <summary>The envelope field at fault, e.g. <c>detail</c>.</summary>
    public const string Field = "LeadFlowPoisonField";

    /// <summary>The reason, in words (never the field's value).</summary>
    public const string Reason = "LeadFlowPoisonReason";

    /// <summary>The queue the message came from (URL).</summary>
    public const string SourceQueue = "LeadFlowSourceQueue";

    /// <summary>The message's id in that queue.</summary>
    public const string SourceMessageId = "LeadFlowSourceMessageId";

    /// <summary>How often that queue had delivered it (ApproximateReceiveCount).</summary>
    public const string ReceiveCount = "LeadFlowReceiveCount";

    /// <summary>The longest reason kept (SQS attributes are small; the reason is cut there).</summary>
    public const int MaxReasonLength = 1000;
}
