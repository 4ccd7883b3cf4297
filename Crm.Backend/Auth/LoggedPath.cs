using System.Text;

namespace LeadFlow.Crm.Backend.Auth;

/// <summary>
/// A request path as it may be logged: every segment that holds a digit becomes <c>*</c>, so a RUT, an id, a phone or
/// anything else a caller put in a URL never reaches a log line (<c>/clients/by-rut/11.111.111-1</c> logs as
/// <c>/clients/by-rut/*</c>). The route words stay, so the line still says what was asked. At most 200 characters.
/// </summary>
public static class LoggedPath
{
    private const int MaxLength = 200;

    /// <summary>
    /// The framework categories that write the raw request path (the hosting's "Request starting" line, the router's
    /// "no candidates for path" line) log from Warning up only, whatever the configured levels: a caller's URL may
    /// carry a RUT. The backend's own lines log the path masked. The most specific category rule wins, so a broader
    /// <c>Logging__LogLevel__*</c> setting cannot turn them back on.
    /// </summary>
    public static void KeepRawPathsOutOfLogs(ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        foreach (var category in RawPathCategories)
        {
            logging.AddFilter(category, LogLevel.Warning);
        }
    }

    /// <summary>Categories whose lines below Warning carry the raw request path.</summary>
    public static readonly IReadOnlyList<string> RawPathCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.Routing.Matching",
        "Microsoft.AspNetCore.Routing.EndpointRoutingMiddleware",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.HttpLogging",
    ];

    public static string Mask(PathString path)
    {
        var value = path.Value ?? "";
        var masked = new StringBuilder(Math.Min(value.Length, MaxLength));
        foreach (var segment in value.Split('/'))
        {
            if (masked.Length > 0 || value.StartsWith('/'))
            {
                masked.Append('/');
            }

            masked.Append(segment.Any(c => char.IsDigit(c) || char.IsControl(c) || c == '@') ? "*" : segment);
            if (masked.Length > MaxLength)
            {
                return masked.ToString(0, MaxLength) + "...";
            }
        }

        return masked.Length == 0 ? "/" : masked.ToString().Replace("//", "/", StringComparison.Ordinal);
    }
}
