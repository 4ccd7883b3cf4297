using System.CommandLine;
using LeadFlow.Aws;
using LeadFlow.Ingress.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary>
/// <c>leadflow publish &lt;leads.json&gt;</c>: each lead of the file onto the EventBridge bus with PutEvents, as the
/// original publishing script did (<c>Publisher__*</c> and <c>AWS_*</c> settings).
/// </summary>
public static class PublishCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common)
    {
        var file = new Argument<string>("file") { Description = "A JSON file holding an array of leads (event details)" };
        var command = new Command("publish", "Publish leads onto the EventBridge bus (PutEvents, SigV4-signed; Publisher__EventBusName, Publisher__Region, AWS_* credentials).")
        {
            file,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(file);
            IReadOnlyList<string> leads;
            try
            {
                leads = await LeadFile.ReadAsync(path, cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                console.WriteLine($"Cannot read {path}: {e.Message}");
                return 2;
            }

            var options = common.Configuration.GetSection(PublisherOptions.Section).Get<PublisherOptions>() ?? new PublisherOptions();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var publisher = new LeadEventPublisher(
                new EventBridgeHttpClient(http, options, AwsCredentials.FromEnvironment()), options, NullLogger<LeadEventPublisher>.Instance);
            var report = await publisher.PublishAsync(leads, cancellationToken);
            foreach (var lead in report.Published)
            {
                console.WriteLine($"lead {lead.Index}: event {lead.EventId} -> workflow lead-{lead.EventId}");
            }

            foreach (var lead in report.Failed)
            {
                console.WriteLine($"lead {lead.Index}: FAILED {lead.ErrorCode}: {lead.ErrorMessage} (after {lead.Attempts} attempt(s))");
            }

            console.WriteLine($"{report.Published.Count} published, {report.Failed.Count} failed, {report.Requests} request(s) to {options.Endpoint} (bus {options.EventBusName})");
            return report.Failed.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
