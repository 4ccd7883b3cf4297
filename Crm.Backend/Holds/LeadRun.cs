using System.Diagnostics.CodeAnalysis;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.Holds;

/// <summary>
/// The lead run a create acts for: the lead (<c>lead-&lt;event id&gt;</c>) and its run (Temporal run id or Step
/// Functions execution name). Named by the <c>X-Lead-Id</c> and <c>X-Run-Id</c> headers, or else read from an
/// Idempotency-Key of the form <c>lead-&lt;event id&gt;:&lt;run id&gt;:&lt;step&gt;</c> (what the worker and the step
/// Lambdas send), so clients that send only the key keep working. Unknown (both null) otherwise.
/// </summary>
public sealed record LeadRun(string? LeadId, string? RunId)
{
    public const string LeadIdHeader = "X-Lead-Id";
    public const string RunIdHeader = "X-Run-Id";
    public const string LeadPrefix = "lead-";

    public static readonly LeadRun Unknown = new(null, null);

    /// <summary>
    /// The run named by the headers, else by the key; unknown when neither names one. A header alone, an empty or an
    /// oversized value is the caller's mistake (a 400 naming the header).
    /// </summary>
    public static bool TryRead(HttpRequest request, string? idempotencyKey, [NotNullWhen(true)] out LeadRun? run, [NotNullWhen(false)] out FieldError? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        var leadId = request.Headers[LeadIdHeader].ToString();
        var runId = request.Headers[RunIdHeader].ToString();
        run = null;
        if (leadId.Length == 0 && runId.Length == 0)
        {
            run = FromKey(idempotencyKey);
            error = null;
            return true;
        }

        error = Check(LeadIdHeader, leadId, Data.CrmDbContext.MaxLeadIdLength) ?? Check(RunIdHeader, runId, Data.CrmDbContext.MaxRunIdLength);
        if (error is null)
        {
            run = new LeadRun(leadId.Trim(), runId.Trim());
        }

        return error is null;
    }

    /// <summary>
    /// Reads <c>lead-&lt;event id&gt;:&lt;run id&gt;:&lt;step&gt;</c> from the right (an event id may contain colons,
    /// a run id and a step do not); any other form names no run.
    /// </summary>
    public static LeadRun FromKey(string? idempotencyKey)
    {
        if (idempotencyKey is null || !idempotencyKey.StartsWith(LeadPrefix, StringComparison.Ordinal))
        {
            return Unknown;
        }

        var stepColon = idempotencyKey.LastIndexOf(':');
        var runColon = stepColon > 0 ? idempotencyKey.LastIndexOf(':', stepColon - 1) : -1;
        if (runColon <= LeadPrefix.Length || stepColon == idempotencyKey.Length - 1 || stepColon - runColon < 2)
        {
            return Unknown;
        }

        return new LeadRun(idempotencyKey[..runColon], idempotencyKey[(runColon + 1)..stepColon]);
    }

    private static FieldError? Check(string header, string value, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? new FieldError(header, "leadRun.required", $"is required with {(header == LeadIdHeader ? RunIdHeader : LeadIdHeader)}; send both or neither")
        : value.Length > maxLength ? new FieldError(header, "maxLength", $"must be at most {maxLength} characters")
        : value.Any(char.IsControl) ? new FieldError(header, "noControlCharacters", "must not contain control characters")
        : null;
}
