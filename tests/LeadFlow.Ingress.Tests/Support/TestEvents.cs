using System.Text;
using System.Text.Json.Nodes;
using LeadFlow.TestSupport;

namespace LeadFlow.Ingress.Tests.Support;

/// <summary>LeadSubmitted events with unique ids and valid, unique RUTs, as the bus delivers them.</summary>
public static class TestEvents
{
    public static string NewRut() => SampleLeads.NewRut();

    public static string NewEventId() => SampleLeads.NewEventId();

    public static JsonObject Lead(string? rut = null) => SampleLeads.Detail(rut);

    public static JsonObject Envelope(string? id = null, JsonNode? detail = null) => SampleLeads.Envelope(detail, id);

    public static string Json(string? id = null) => Envelope(id).ToJsonString();

    public static byte[] Bytes(this JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    /// <summary>A body as the intake's machine routes take it: JSON, with a JSON Content-Type.</summary>
    public static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The topic of the SNS messages below.</summary>
    public const string TopicArn = "arn:aws:sns:us-east-1:123456789012:lead-events";

    /// <summary>
    /// An SNS <c>Notification</c> as SNS posts it to an HTTP/S endpoint or puts it in an SQS queue with raw message
    /// delivery off: the published text (here the envelope) as the <c>Message</c> string. Fields as documented in
    /// https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html (signature not valid: not checked).
    /// </summary>
    public static JsonObject SnsNotification(string message, string? messageId = null) => new()
    {
        ["Type"] = "Notification",
        ["MessageId"] = messageId ?? Guid.NewGuid().ToString(),
        ["TopicArn"] = TopicArn,
        ["Subject"] = "LeadSubmitted",
        ["Message"] = message,
        ["Timestamp"] = "2026-01-01T12:00:00.000Z",
        ["SignatureVersion"] = "1",
        ["Signature"] = "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        ["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
        ["UnsubscribeURL"] = $"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={TopicArn}:c9135db0-26c4-47ec-8998-413945fb5a96",
    };

    /// <summary>An SNS <c>SubscriptionConfirmation</c> (or, with that type, <c>UnsubscribeConfirmation</c>): no lead.</summary>
    public static JsonObject SnsConfirmation(string type = "SubscriptionConfirmation") => new()
    {
        ["Type"] = type,
        ["MessageId"] = Guid.NewGuid().ToString(),
        ["Token"] = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
        ["TopicArn"] = TopicArn,
        ["Message"] = $"You have chosen to subscribe to the topic {TopicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
        ["SubscribeURL"] = $"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TopicArn}&Token=2336412f37",
        ["Timestamp"] = "2026-01-01T12:00:00.000Z",
        ["SignatureVersion"] = "1",
        ["Signature"] = "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        ["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
    };

    /// <summary>
    /// The event SNS invokes a subscribed Lambda function with (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html):
    /// one record whose <c>Sns</c> is the message (with the Lambda spelling <c>SigningCertUrl</c>/<c>UnsubscribeUrl</c>).
    /// </summary>
    public static JsonObject SnsLambdaEvent(JsonObject message)
    {
        var sns = message.DeepClone().AsObject();
        foreach (var (from, to) in new[] { ("SigningCertURL", "SigningCertUrl"), ("UnsubscribeURL", "UnsubscribeUrl") })
        {
            if (sns.Remove(from, out var value))
            {
                sns[to] = value;
            }
        }

        sns["MessageAttributes"] = new JsonObject();
        return new JsonObject
        {
            ["Records"] = new JsonArray(new JsonObject
            {
                ["EventVersion"] = "1.0",
                ["EventSubscriptionArn"] = $"{TopicArn}:c9135db0-26c4-47ec-8998-413945fb5a96",
                ["EventSource"] = "aws:sns",
                ["Sns"] = sns,
            }),
        };
    }
}
