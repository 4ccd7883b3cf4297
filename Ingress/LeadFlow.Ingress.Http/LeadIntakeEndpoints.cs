using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Status;
using LeadFlow.Steps;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Http;

/// <summary>The web form's anti-forgery token and the header to send it in (its cookie is set with it).</summary>
public sealed record FormToken(string Token, string HeaderName);

/// <summary>The started (or duplicate) entries of a request and the refused ones.</summary>
public sealed record IntakeAnswer(IReadOnlyList<StartOutcome> Entries, IReadOnlyList<IntakeEntryError> Errors);

public static class LeadIntakeEndpoints
{
    /// <summary>The rate limiter policy of the web form's lead posts (<c>Ingress__FormPermitsPerMinute</c> per client).</summary>
    public const string FormRateLimitPolicy = "web-form";

    /// <summary>
    /// The machine routes, <c>POST /events</c> (envelope, PutEvents entries or a bare lead; JSON Content-Type) and
    /// <c>GET /leads/{leadId}</c>, guarded by <c>x-api-key</c> (<c>Ingress__ApiKey</c>); and the web form's own routes,
    /// which never need the key: <c>GET /form/token</c> (its anti-forgery token), <c>POST /form/events</c> (same origin,
    /// anti-forgery token, JSON, rate-limited per client: 429 with <c>Retry-After</c>) and <c>GET /form/leads/{leadId}</c>.
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

    private static async Task<Results<Accepted<IntakeAnswer>, ProblemHttpResult>> PostEventsAsync(
        HttpRequest request, LeadWorkflowStarter starter, IOptions<LeadEventOptions> leadEvents, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "body", $"The body is over the {EventEnvelopeReader.MaxEnvelopeBytes} byte EventBridge limit.");
        }

        // A bare lead may carry its own id so that a client retry is a duplicate, not a second lead.
        var idempotencyKey = request.Headers["Idempotency-Key"].FirstOrDefault();
        var defaults = new EnvelopeDefaults(leadEvents.Value.Source, leadEvents.Value.DetailType);
        IReadOnlyList<IntakeEnvelope> envelopes;
        IReadOnlyList<IntakeEntryError> errors;
        try
        {
            (envelopes, errors) = IntakeBody.Read(body, defaults, i => NewEventId(idempotencyKey, i));
        }
        catch (MalformedEnvelopeException e)
        {
            return Problem(e.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, e.Field, e.Message);
        }

        var started = new List<StartOutcome>();
        var refused = errors.ToList();
        try
        {
            foreach (var envelope in envelopes)
            {
                try
                {
                    started.Add(await starter.StartAsync(envelope.Envelope, cancellationToken));
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
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        const int limit = EventEnvelopeReader.MaxEnvelopeBytes;
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
}
