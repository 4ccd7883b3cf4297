using LeadFlow.Ingress.Publishing;

namespace LeadFlow.Ingress.Commands;

/// <summary><c>publish &lt;leads.json&gt;</c>: each lead of the file onto the EventBridge bus.</summary>
internal static class PublishCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (positional, options) = CommandConfiguration.Split(args);
        if (positional.Count != 1)
        {
            await Console.Error.WriteLineAsync("usage: publish <leads.json>   (Publisher__* and AWS_* environment variables)");
            return 2;
        }

        var configuration = CommandConfiguration.Build(options);
        var publisherOptions = configuration.GetSection(PublisherOptions.Section).Get<PublisherOptions>() ?? new PublisherOptions();
        using var loggers = CommandConfiguration.Logging();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var leads = await LeadFile.ReadAsync(positional[0]);
        var publisher = new LeadEventPublisher(
            new EventBridgeHttpClient(http, publisherOptions, AwsCredentials.FromEnvironment()), publisherOptions, loggers.CreateLogger<LeadEventPublisher>());

        var report = await publisher.PublishAsync(leads);
        foreach (var lead in report.Published)
        {
            Console.WriteLine($"lead {lead.Index}: event {lead.EventId} -> workflow lead-{lead.EventId}");
        }

        foreach (var lead in report.Failed)
        {
            Console.WriteLine($"lead {lead.Index}: FAILED {lead.ErrorCode}: {lead.ErrorMessage} (after {lead.Attempts} attempt(s))");
        }

        Console.WriteLine($"{report.Published.Count} published, {report.Failed.Count} failed, {report.Requests} request(s) to {publisherOptions.Endpoint} (bus {publisherOptions.EventBusName})");
        return report.Failed.Count == 0 ? 0 : 1;
    }
}
