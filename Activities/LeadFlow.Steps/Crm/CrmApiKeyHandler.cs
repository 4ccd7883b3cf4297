using Microsoft.Extensions.Options;

namespace LeadFlow.Steps.Crm;

/// <summary>Adds the backend's API key to every request, so no call site can forget it.</summary>
public sealed class CrmApiKeyHandler(IOptions<CrmOptions> options) : DelegatingHandler
{
    public const string HeaderName = "x-api-key";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(HeaderName);
        request.Headers.Add(HeaderName, options.Value.ApiKey);
        return base.SendAsync(request, cancellationToken);
    }
}
