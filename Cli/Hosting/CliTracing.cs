using System.Diagnostics;

namespace LeadFlow.Cli.Hosting;

/// <summary>The CLI's own spans (the demo's delivery of each lead, the root of that lead's trace); covered by the shared set-up's <c>LeadFlow.*</c>.</summary>
public static class CliTracing
{
    public static readonly ActivitySource Source = new("LeadFlow.Cli");
}
