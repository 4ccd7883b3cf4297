using System.Text.Json;

namespace LeadFlow.EmbeddedTemporal.Http;

/// <summary>
/// GET /api/v1/settings, the one answer the UI server makes up itself (temporalio/ui server/server/api/handler.go,
/// SettingsResponse): no auth, the default namespace, the codec endpoint if one is configured, and the UI version
/// (the UI encodes path parameters once from 2.23.0 on, so it must not be lower).
/// </summary>
internal static class WebUiSettings
{
    /// <summary>The @temporalio/ui version package.json pins.</summary>
    public const string UiVersion = "2.38.0";

    public static string Json(EmbeddedTemporalOptions options) => JsonSerializer.Serialize(new
    {
        Auth = new { Enabled = false, Options = Array.Empty<string>() },
        BannerText = string.Empty,
        DefaultNamespace = options.Namespaces.FirstOrDefault() ?? "default",
        ShowTemporalSystemNamespace = false,
        FeedbackURL = string.Empty,
        NotifyOnNewVersion = false,
        Codec = new
        {
            Endpoint = options.CodecEndpoint?.ToString() ?? string.Empty,
            PassAccessToken = options.CodecPassAccessToken,
            IncludeCredentials = options.CodecIncludeCredentials,
        },
        Version = UiVersion,
        DisableWriteActions = false,
        WorkflowTerminateDisabled = false,
        WorkflowCancelDisabled = false,
        WorkflowSignalDisabled = false,
        WorkflowUpdateDisabled = true,
        WorkflowResetDisabled = true,
        BatchActionsDisabled = true,
        StartWorkflowDisabled = false,
        HideWorkflowQueryErrors = false,
        RefreshWorkflowCountsDisabled = false,
    });
}
