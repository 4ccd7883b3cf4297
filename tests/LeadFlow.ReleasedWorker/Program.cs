using LeadFlow.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The v1.0 release's worker: the production worker with the workflow code of v1.0 (before NotifyBranch), so a test can
// start leads on the old release, stop it, and deploy the current Worker as a new process.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
builder.Services.AddSingleton(new LeadWorkflowRegistration(typeof(LeadFlow.ReleasedWorker.V1_0.LeadOnboardingWorkflow)));
builder.Services.AddLeadOnboardingWorker(builder.Configuration);
await builder.Build().RunAsync();
