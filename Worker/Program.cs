using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The on-prem worker: runs lead workflows and their CRM activities. Settings: see README, "Configuration".
var builder = Host.CreateApplicationBuilder(args);
// One line per record; scopes (the workflow id of every activity line) as key=value, or JSON (Logging__Console__FormatterName=json).
builder.Logging.AddLeadFlowConsole();
builder.Services.AddLeadOnboardingWorker(builder.Configuration);
await builder.Build().RunAsync();
