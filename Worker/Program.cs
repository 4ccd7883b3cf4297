using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The on-prem worker: runs lead workflows and their CRM activities. Settings: see README, "Configuration".
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(console =>
{
    // Scopes carry the workflow id of every activity log line.
    console.IncludeScopes = true;
    console.SingleLine = true;
});
builder.Services.AddLeadOnboardingWorker(builder.Configuration);
await builder.Build().RunAsync();
