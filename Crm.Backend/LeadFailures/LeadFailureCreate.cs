using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.LeadFailures;

/// <summary>
/// The body of <c>POST /lead_failures</c>: which lead, at which step, why, where its payload can be found,
/// optionally what the error step's undo did, step by step (<see cref="FailureCompensation"/>), and the original event
/// itself (a JSON object or its text, at most <see cref="LeadFailureLimits.Event"/> characters), kept for redrive.
/// </summary>
public sealed record RecordLeadFailureRequest(string LeadId, string Step, string Reason, string? PayloadReference, IReadOnlyList<ProblemFieldError>? Errors, IReadOnlyList<FailureCompensation>? Compensations, JsonElement? Event = null);

/// <summary>A validated failure record: text bounded, an empty payload reference read as none, the event as JSON text.</summary>
/// <param name="Compensations">Null when none were sent: left out of the request's meaning, so a record sent before they existed means the same.</param>
/// <param name="Event">Null when none was sent: left out of the request's meaning likewise.</param>
public sealed record NewLeadFailure(
    string LeadId,
    string Step,
    string Reason,
    string? PayloadReference,
    IReadOnlyList<ProblemFieldError> Errors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FailureCompensation>? Compensations = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Event = null);

/// <summary>Every failure is a new row; an Idempotency-Key keeps a retried recording to one.</summary>
public sealed class LeadFailureCreate : ICreateDefinition<NewLeadFailure>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Entity => "lead failure";

    public JsonTypeInfo<NewLeadFailure> CommandJson => CrmJsonContext.Default.NewLeadFailure;

    public bool TryRead(JsonElement body, [NotNullWhen(true)] out NewLeadFailure? command, out IReadOnlyList<FieldError> errors)
    {
        command = null;
        if (BodyFields.Of(body, out errors) is not { } fields)
        {
            return false;
        }

        var leadId = fields.Text("leadId", (f, v) => Bounded(f, v, LeadFailureLimits.LeadId, required: true));
        var step = fields.Text("step", (f, v) => Bounded(f, v, LeadFailureLimits.Step, required: true));
        // The reason may quote a multi-line error, so line breaks are fine here.
        var reason = fields.Text("reason", (f, v) => Bounded(f, v, LeadFailureLimits.Reason, required: true));
        var payloadReference = fields.Text("payloadReference", (f, v) => Bounded(f, v, LeadFailureLimits.PayloadReference, required: false));
        var fieldErrors = ReadFieldErrors(fields);
        var compensations = FailureCompensations.Read(fields);
        var eventJson = ReadEvent(fields);
        errors = fields.Errors;
        command = errors.Count == 0 ? new NewLeadFailure(leadId!, step!, reason!, string.IsNullOrEmpty(payloadReference) ? null : payloadReference, fieldErrors, compensations, eventJson) : null;
        return command is not null;
    }

    public async Task<CreateOutcome> InsertAsync(SqlSession sql, NewLeadFailure failure, CancellationToken cancellationToken)
    {
        var errors = JsonSerializer.Serialize(failure.Errors, Json);
        var compensations = JsonSerializer.Serialize(failure.Compensations ?? [], Json);
        var id = await sql.ScalarAsync(
            $"INSERT INTO lead_failures (lead_id, step, reason, payload_reference, errors, compensations, event) VALUES ({failure.LeadId}, {failure.Step}, {failure.Reason}, {failure.PayloadReference}, CAST({errors} AS jsonb), CAST({compensations} AS jsonb), {failure.Event}) RETURNING id",
            cancellationToken);
        return CreateOutcome.Stored((long)id!, created: true);
    }

    public string Describe(NewLeadFailure failure) => $"lead {failure.LeadId}, step {failure.Step}";

    private static FieldError? Bounded(string field, string? value, int maxLength, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return required ? new FieldError(field, "required", "is required") : null;
        }

        return value.Length > maxLength ? new FieldError(field, "maxLength", $"must be at most {maxLength} characters") : null;
    }

    /// <summary>The original event as JSON text: a JSON object as sent, or a string holding one; null when absent.</summary>
    private static string? ReadEvent(BodyFields fields)
    {
        if (fields.Property("event") is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.String) || text.Length > LeadFailureLimits.Event)
        {
            fields.Errors.Add(new FieldError("event", "type", $"must be the event as a JSON object (or its text), at most {LeadFailureLimits.Event} characters"));
            return null;
        }

        return text;
    }

    private static List<ProblemFieldError> ReadFieldErrors(BodyFields fields)
    {
        var list = new List<ProblemFieldError>();
        if (fields.Property("errors") is not { } errors)
        {
            return list;
        }

        if (errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() > LeadFailureLimits.Errors)
        {
            fields.Errors.Add(new FieldError("errors", "type", $"must be an array of at most {LeadFailureLimits.Errors} {{field, rule, message}} objects"));
            return list;
        }

        foreach (var item in errors.EnumerateArray())
        {
            var field = item.ValueKind == JsonValueKind.Object ? LenientJson.Text(item, out _, "field") : null;
            var rule = item.ValueKind == JsonValueKind.Object ? LenientJson.Text(item, out _, "rule") : null;
            var message = item.ValueKind == JsonValueKind.Object ? LenientJson.Text(item, out _, "message") : null;
            if (string.IsNullOrWhiteSpace(field) || string.IsNullOrWhiteSpace(rule) || field.Length > 100 || rule.Length > 100 || message?.Length > 1000)
            {
                fields.Errors.Add(new FieldError("errors", "errors.item", "each entry needs a field and a rule (at most 100 characters) and may have a message (at most 1000)"));
                return list;
            }

            list.Add(new ProblemFieldError(field, rule, message ?? ""));
        }

        return list;
    }
}
