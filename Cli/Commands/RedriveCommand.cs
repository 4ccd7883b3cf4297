using System.CommandLine;
using System.Text;
using LeadFlow.Cli.Http;
using LeadFlow.Ingress.Redrive;
using LeadFlow.Ingress.Starting;
using LeadFlow.Temporal;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary>
/// <c>leadflow redrive &lt;leadId&gt;</c>: re-runs a failed lead from its original event, once its cause is fixed. The
/// event comes from the failed run's history; when Temporal no longer has the lead (its namespace retention passed), from
/// the backend's failure record, which keeps the event (<c>--backend</c>, <c>--api-key</c>).
/// </summary>
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
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "The payload encryption key file (LeadFlow__Encryption__KeyFile); default: LeadFlow__Encryption__*, else .leadflow/encryption-keys.json (the key `leadflow up` made) when present",
        };
        var command = new Command("redrive", "Re-run a failed or rejected lead from its original event (a completed lead is never re-run).")
        {
            leadId, address, keyFile, common.Backend, common.ApiKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // The same binding and validation as every other host (API key, TLS/mTLS included), the address from the option.
            var temporal = common.Configuration.GetSection(TemporalOptions.Section).Get<TemporalOptions>() ?? new TemporalOptions();
            temporal.Address = parse.GetRequiredValue(address);
            if (parse.GetValue(keyFile) is { Length: > 0 } file)
            {
                temporal.Encryption.KeyFile = file;
            }
            else if (!temporal.Encryption.IsConfigured && File.Exists(Path.Combine(".leadflow", Hosting.LocalEncryptionKeys.FileName)))
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
                var source = new TemporalClientSource(temporal);
                var outcome = await new LeadRedriver(source).RedriveAsync(parse.GetRequiredValue(leadId), cancellationToken);
                if (outcome.Status == RedriveStatus.NotFound)
                {
                    using var backend = BackendClient.For(parse.GetRequiredValue(common.Backend), parse.GetRequiredValue(common.ApiKey));
                    return await FromFailureRecordAsync(console, backend, new LeadWorkflowStarter(source), outcome, cancellationToken);
                }

                console.WriteLine(outcome.Message);
                return outcome.Status is RedriveStatus.Restarted or RedriveStatus.StillRunning ? 0 : 1;
            }
            catch (ServiceCallException e)
            {
                console.WriteLine(e.Message);
                return 3;
            }
            catch (TemporalUnavailableException e)
            {
                console.WriteLine(e.Message);
                return 3;
            }
        });
        return command;
    }

    /// <summary>
    /// Temporal has no such lead (never had, or its retention passed): start it again from the event its newest failure
    /// record kept. The workflow id is the event's, so a lead started meanwhile is a duplicate, not a second run.
    /// </summary>
    private static async Task<int> FromFailureRecordAsync(IAnsiConsole console, BackendClient backend, LeadWorkflowStarter starter, RedriveOutcome notFound, CancellationToken cancellationToken)
    {
        var failures = await backend.GetFailuresAsync(notFound.WorkflowId, 50, cancellationToken);
        foreach (var failure in failures.Items.Where(f => f.Event is not null))
        {
            if (await backend.GetFailureEventAsync(failure.Id, cancellationToken) is not { } eventJson)
            {
                continue;
            }

            var start = (await starter.StartDeliveryAsync(Encoding.UTF8.GetBytes(eventJson), cancellationToken)).Start;
            if (start is null || start.WorkflowId != notFound.WorkflowId)
            {
                console.WriteLine($"Failure record {failure.Id} of {notFound.WorkflowId} keeps an event of another lead ({start?.WorkflowId ?? "none"}); not redriven.");
                return 1;
            }

            console.WriteLine(start.Status == StartStatus.Started
                ? $"Lead {notFound.WorkflowId} is no longer in Temporal; restarted from its failure record {failure.Id} ({failure.Step}, {failure.RecordedAt:u}) as run {start.RunId}."
                : $"Lead {notFound.WorkflowId} was started meanwhile (run {start.RunId}); it is left alone.");
            return 0;
        }

        console.WriteLine(failures.Items.Count == 0
            ? $"{notFound.Message} The backend has no failure record of it either."
            : $"{notFound.Message} Its failure record(s) kept no event (recorded before events were kept), so it cannot be redriven from them; send the event again.");
        return 1;
    }
}
