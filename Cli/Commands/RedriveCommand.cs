using System.CommandLine;
using LeadFlow.Ingress.Redrive;
using LeadFlow.Ingress.Starting;
using LeadFlow.Temporal;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary><c>leadflow redrive &lt;leadId&gt;</c>: re-runs a failed lead from its original event, once its cause is fixed.</summary>
public static class RedriveCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common)
    {
        var leadId = new Argument<string>("leadId") { Description = "The event id, or the workflow id lead-<event id>" };
        var address = new Option<string>("--temporal-address")
        {
            Description = "The Temporal frontend host:port (env Temporal__Address, then TEMPORAL_ADDRESS, default localhost:7233; `leadflow up` prints it)",
            DefaultValueFactory = _ => common.Configuration["Temporal:Address"] is { Length: > 0 } configured ? configured
                : Environment.GetEnvironmentVariable("TEMPORAL_ADDRESS") is { Length: > 0 } fromEnvironment ? fromEnvironment : "localhost:7233",
        };
        var command = new Command("redrive", "Re-run a failed or rejected lead from its original event (a completed lead is never re-run).")
        {
            leadId, address,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // The same binding and validation as every other host (API key, TLS/mTLS included), the address from the option.
            var temporal = TemporalOptions.Bind(common.Configuration);
            temporal.Address = parse.GetRequiredValue(address);
            if (!temporal.Encryption.IsConfigured && File.Exists(Path.Combine(".leadflow", Hosting.LocalEncryptionKeys.FileName)))
            {
                // The key `leadflow up` made: it reads (and re-encrypts) the local stack's payloads.
                temporal.Encryption.KeyFile = Path.Combine(".leadflow", Hosting.LocalEncryptionKeys.FileName);
            }

            if (temporal.Problems() is { Count: > 0 } problems)
            {
                console.WriteLine($"Configuration error: {string.Join("; ", problems)}");
                return 2;
            }

            try
            {
                var outcome = await new LeadRedriver(new TemporalClientSource(temporal)).RedriveAsync(parse.GetRequiredValue(leadId), cancellationToken);
                console.WriteLine(outcome.Message);
                return outcome.Status is RedriveStatus.Restarted or RedriveStatus.StillRunning ? 0 : 1;
            }
            catch (TemporalUnavailableException e)
            {
                console.WriteLine(e.Message);
                return 3;
            }
        });
        return command;
    }
}
