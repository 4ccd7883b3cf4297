using LeadFlow.Activities.Temporal;
using LeadFlow.Ingress.Redrive;
using LeadFlow.Ingress.Temporal;

namespace LeadFlow.Ingress.Commands;

/// <summary><c>redrive &lt;leadId&gt;</c>: re-runs a failed lead from its original event.</summary>
internal static class RedriveCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (positional, options) = CommandConfiguration.Split(args);
        if (positional.Count != 1)
        {
            await Console.Error.WriteLineAsync("usage: redrive <event id | lead-<event id>>   (Temporal__* environment variables)");
            return 2;
        }

        var configuration = CommandConfiguration.Build(options);
        using var loggers = CommandConfiguration.Logging();
        var temporal = configuration.GetSection(TemporalOptions.Section).Get<TemporalOptions>() ?? new TemporalOptions();
        var redriver = new LeadRedriver(new TemporalClientSource(temporal, loggers), loggers.CreateLogger<LeadRedriver>());
        try
        {
            var outcome = await redriver.RedriveAsync(positional[0]);
            Console.WriteLine(outcome.Message);
            return outcome.Status is RedriveStatus.Restarted or RedriveStatus.StillRunning ? 0 : 1;
        }
        catch (TemporalUnavailableException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 3;
        }
    }
}
