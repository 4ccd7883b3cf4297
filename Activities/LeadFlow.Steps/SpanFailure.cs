using System.Diagnostics;

namespace LeadFlow.Steps;

/// <summary>How every LeadFlow span says it failed, after OpenTelemetry's conventions for errors on spans.</summary>
public static class SpanFailure
{
    /// <summary>The attribute naming the failure's type (OpenTelemetry semantic conventions: <c>error.type</c>), as the step metrics use it too.</summary>
    public const string ErrorTypeAttribute = "error.type";

    /// <summary>
    /// Marks <paramref name="span"/> failed: <c>error.type</c> set to <paramref name="errorType"/> (a step error type such
    /// as <c>CrmRejected</c>, or an exception's type name) and status Error with it as the description. Nothing when
    /// <paramref name="span"/> is null (no one listens). Never pass a message that could hold personal data.
    /// </summary>
    public static void Record(Activity? span, string errorType)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(ErrorTypeAttribute, errorType);
        span.SetStatus(ActivityStatusCode.Error, errorType);
    }
}
