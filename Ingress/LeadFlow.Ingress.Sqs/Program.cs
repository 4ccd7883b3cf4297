using LeadFlow.Ingress.Sqs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The on-prem pull path: long-polls the SQS intake queue (Ingress__Sqs__QueueUrl) and starts a workflow per
// event. Settings: README, "Configuration".
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddLeadFlowConsole();
builder.Services.AddLeadSqsPoller(builder.Configuration);
await builder.Build().RunAsync();
