using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Status;
using LeadFlow.Steps;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Http;

/// <summary>The web form's anti-forgery token and the header to send it in (its cookie is set with it).</summary>
public sealed record FormToken(string Token, string HeaderName);

/// <summary>One broken rule of a malformed body (the CRM backend's <c>errors</c> shape): the field's dotted path, the rule (<c>json.syntax</c>), what is wrong.</summary>
public sealed record IntakeFieldError(string Field, string Rule, string Message);

/// <summary>The started (or duplicate) entries of a request and the refused ones.</summary>
public sealed record IntakeAnswer(IReadOnlyList<StartOutcome> Entries, IReadOnlyList<IntakeEntryError> Errors);

/// <summary>The answer to an SNS subscription or unsubscribe confirmation: 200, nothing started.</summary>
/// <param name="Ignored">Always true: the message is no lead.</param>
/// <param name="SnsType">The SNS message type, e.g. <c>SubscriptionConfirmation</c>.</param>
/// <param name="Reason">What was done and what a person may do (confirm the subscription), for whoever reads the answer.</param>
public sealed record SnsIgnoredAnswer(bool Ignored, string SnsType, string TopicArn, string MessageId, string Reason)
{
    public static SnsIgnoredAnswer For(SnsMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var reason = message.Type == SnsMessage.SubscriptionConfirmationType
            ? $"An SNS {message.Type} is not a lead: nothing was started and the SubscribeURL was not visited. Confirm the subscription with `aws sns confirm-subscription --topic-arn {message.TopicArn} --token <Token>` (the intake logs the token), or in the SNS console."
            : $"An SNS {message.Type} is not a lead: nothing was started.";
        return new SnsIgnoredAnswer(true, message.Type, message.TopicArn, message.MessageId, reason);
    }
}

public static class LeadIntakeEndpoints
{
    /// <summary>The rate limiter policy of the web form's lead posts (<c>Ingress__FormPermitsPerMinute</c> per client).</summary>
    public const string FormRateLimitPolicy = "web-form";

    /// <summary>
    /// The machine routes, <c>POST /events</c> (envelope, PutEvents entries, a bare lead, or any of these inside an SNS
    /// notification; an SNS subscription confirmation is answered 200 and ignored; JSON Content-Type, or SNS's own
    /// <c>text/plain</c> with <c>x-amz-sns-message-type</c>) and <c>GET /leads/{leadId}</c>, guarded by <c>x-api-key</c>
    /// or the password of HTTP Basic authentication (<c>Ingress__ApiKey</c>); and the web form's own routes, which never
    /// need the key: <c>GET /form/token</c> (its anti-forgery token), <c>POST /form/events</c> (same origin, anti-forgery
    /// token, JSON, rate-limited per client: 429 with <c>Retry-After</c>) and <c>GET /form/leads/{leadId}</c>.
    /// </summary>
    public static RouteGroupBuilder MapLeadIntake(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("").AddEndpointFilter(IntakeGuards.RequireApiKeyAsync).WithTags("Lead intake");
        group.MapPost("/events", PostEventsAsync).AddEndpointFilter(IntakeGuards.RequireJsonAsync).DisableAntiforgery();
        group.MapGet("/leads/{leadId}", GetLeadAsync);

        var form = endpoints.MapGroup("/form").AddEndpointFilter(IntakeGuards.RequireSameOriginAsync).WithTags("Web form");
        form.MapGet("/token", (HttpContext context, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
            TypedResults.Ok(new FormToken(antiforgery.GetAndStoreTokens(context).RequestToken!, IntakeGuards.AntiforgeryHeader)));
        form.MapPost("/events", PostEventsAsync)
            .AddEndpointFilter(IntakeGuards.RequireJsonAsync)
            .AddEndpointFilter(IntakeGuards.RequireAntiforgeryTokenAsync)
            .RequireRateLimiting(FormRateLimitPolicy)
            .DisableAntiforgery();
        form.MapGet("/leads/{leadId}", GetLeadAsync);
        return group;
    }

    private static async Task<Results<Accepted<IntakeAnswer>, Ok<SnsIgnoredAnswer>, ProblemHttpResult>> PostEventsAsync(
        HttpRequest request, LeadWorkflowStarter starter, IOptions<LeadEventOptions> leadEvents, CancellationToken cancellationToken)
    {
        // Room for an SNS notification, which carries the envelope as an escaped string; the envelope itself is held to 256 KB below.
        var body = await ReadBodyAsync(request, BusDelivery.MaxDeliveryBytes, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "body", $"The body is over the {BusDelivery.MaxDeliveryBytes} byte limit of one delivery.");
        }

        SnsMessage? sns;
        try
        {
            sns = SnsMessage.TryRead(body);
        }
        catch (MalformedEnvelopeException e)
        {
            return Problem(StatusCodes.Status400BadRequest, e);
        }

        if (sns is { IsNotification: false })
        {
            await starter.StartAsync(new BusDelivery.SnsControl(sns), cancellationToken);
            return TypedResults.Ok(SnsIgnoredAnswer.For(sns));
        }

        var content = sns?.MessageBytes() ?? body;
        if (content.Length > EventEnvelopeReader.MaxEnvelopeBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, sns is null ? "body" : "Message", $"The event is over the {EventEnvelopeReader.MaxEnvelopeBytes} byte EventBridge limit.");
        }

        // A bare lead may carry its own id so that a client retry is a duplicate, not a second lead; one inside an SNS
        // notification takes the notification's id, the same on every redelivery.
        var idempotencyKey = request.Headers["Idempotency-Key"].FirstOrDefault() is { Length: > 0 } given ? given : sns is null ? null : $"sns-{sns.MessageId}";
        var defaults = new EnvelopeDefaults(leadEvents.Value.Source, leadEvents.Value.DetailType);
        IReadOnlyList<IntakeEnvelope> envelopes;
        IReadOnlyList<IntakeEntryError> errors;
        try
        {
            (envelopes, errors) = IntakeBody.Read(content, defaults, i => NewEventId(idempotencyKey, i));
        }
        catch (MalformedEnvelopeException e)
        {
            return Problem(e.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, e);
        }

        var started = new List<StartOutcome>();
        var refused = errors.ToList();
        try
        {
            foreach (var envelope in envelopes)
            {
                try
                {
                    var leadEvent = EventEnvelopeReader.Read(envelope.Envelope);
                    started.Add(await starter.StartAsync(envelope.ContentSha256 is { } hash ? leadEvent with { ContentSha256 = hash } : leadEvent, cancellationToken));
                }
                catch (MalformedEnvelopeException e)
                {
                    refused.Add(new IntakeEntryError(envelope.Index, e.Field, e.Reason));
                }
            }
        }
        catch (TemporalUnavailableException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Temporal is unavailable; send the events again later.",
                extensions: new Dictionary<string, object?> { ["started"] = started });
        }

        if (started.Count == 0)
        {
            var first = refused.OrderBy(r => r.Index).First();
            return TypedResults.Problem(
                $"{first.Field}: {first.Error}", statusCode: StatusCodes.Status400BadRequest, title: "No event could be accepted.",
                extensions: new Dictionary<string, object?> { ["field"] = first.Field, ["errors"] = refused });
        }

        return TypedResults.Accepted((string?)null, new IntakeAnswer(started, [.. refused.OrderBy(r => r.Index)]));
    }

    private static async Task<Results<Ok<LeadStatusView>, ProblemHttpResult>> GetLeadAsync(string leadId, LeadStatusReader reader, CancellationToken cancellationToken)
    {
        try
        {
            var status = await reader.FindAsync(leadId, cancellationToken);
            return status is null
                ? TypedResults.Problem($"No lead {leadId} (workflow {LeadStatusReader.WorkflowIdOf(leadId)}).", statusCode: StatusCodes.Status404NotFound, title: "Unknown lead")
                : TypedResults.Ok(status);
        }
        catch (TemporalUnavailableException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Temporal is unavailable.");
        }
    }

    private static string NewEventId(string? idempotencyKey, int index) =>
        string.IsNullOrWhiteSpace(idempotencyKey) ? Guid.NewGuid().ToString() : index == 0 ? idempotencyKey : $"{idempotencyKey}-{index}";

    /// <returns>Null when the body is over the limit.</returns>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ProblemHttpResult Problem(int status, string field, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: status == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Malformed event",
            extensions: new Dictionary<string, object?> { ["field"] = field });

    /// <summary>
    /// A malformed body: <c>field</c> (its dotted path), and when the exception names one the broken <c>rule</c> with
    /// <c>errors</c> <c>[{field, rule, message}]</c>, as the CRM backend's problems list them.
    /// </summary>
    private static ProblemHttpResult Problem(int status, MalformedEnvelopeException e)
    {
        var extensions = new Dictionary<string, object?> { ["field"] = e.Field };
        if (e.Rule is { } rule)
        {
            extensions["rule"] = rule;
            extensions["errors"] = new[] { new IntakeFieldError(e.Field, rule, e.Reason) };
        }

        return TypedResults.Problem(e.Message, statusCode: status, title: status == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Malformed event", extensions: extensions);
    }
}
