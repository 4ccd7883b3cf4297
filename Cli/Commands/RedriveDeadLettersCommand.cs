using System.CommandLine;
using Amazon.Runtime;
using LeadFlow.Ingress.Sqs;
using LeadFlow.Ingress.Sqs.DeadLetters;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary>
/// <c>leadflow redrive-dlq --dlq &lt;url&gt; [--to &lt;url&gt;] [--apply]</c>: the leads of a dead-letter queue back into the
/// intake queue, once the cause (a long Temporal outage, a bug) is fixed. A dry run by default: one verdict line per
/// message, nothing sent or deleted. With <c>--apply</c> each lead is sent, then deleted from the DLQ.
/// Exit codes: 0 every lead (would be) redriven; 1 some message is kept or failed; 2 bad options; 3 a queue cannot be read.
/// </summary>
public static class RedriveDeadLettersCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common)
    {
        var configuration = common.Configuration;
        var dlq = new Option<string>("--dlq")
        {
            Description = "The dead-letter queue URL (env Ingress__Sqs__DeadLetterQueueUrl; the template's LeadIntakeDeadLetterQueueUrl output)",
            DefaultValueFactory = _ => configuration["Ingress:Sqs:DeadLetterQueueUrl"] ?? "",
        };
        var to = new Option<string>("--to")
        {
            Description = "The intake queue URL the leads go back to (env Ingress__Sqs__QueueUrl; the LeadIntakeQueueUrl output)",
            DefaultValueFactory = _ => configuration["Ingress:Sqs:QueueUrl"] ?? "",
        };
        var apply = new Option<bool>("--apply") { Description = "Really send and delete (default: a dry run that only prints the verdicts)" };
        var limit = new Option<int>("--limit") { Description = "The most messages to read (default 1000, at most 10000)", DefaultValueFactory = _ => 1000 };
        var command = new Command("redrive-dlq", "Put the leads of a dead-letter queue back into the intake queue (dry run unless --apply; nothing is deleted before it was re-sent).")
        {
            dlq, to, apply, limit,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (from, into, count, really) = (parse.GetValue(dlq) ?? "", parse.GetValue(to) ?? "", parse.GetValue(limit), parse.GetValue(apply));
            if (from.Length == 0 || into.Length == 0 || from == into || count is < 1 or > 10_000)
            {
                console.WriteLine("Options: --dlq <dead-letter queue url> and --to <intake queue url> (or Ingress__Sqs__DeadLetterQueueUrl / Ingress__Sqs__QueueUrl) must be set and differ; --limit 1..10000");
                return 2;
            }

            // The poller's own client settings: Ingress__Sqs__ServiceUrl, Ingress__Sqs__Region, AWS_* credentials.
            using var sqs = SqsServiceCollectionExtensions.CreateClient(new SqsIngressOptions
            {
                QueueUrl = into,
                ServiceUrl = configuration["Ingress:Sqs:ServiceUrl"],
                Region = configuration["Ingress:Sqs:Region"] is { Length: > 0 } region ? region : new SqsIngressOptions().Region,
            });
            IReadOnlyList<DeadLetterVerdict> verdicts;
            try
            {
                verdicts = await new DeadLetterRedriver(sqs).RedriveAsync(from, into, really, count, cancellationToken);
            }
            catch (Exception e) when (e is AmazonClientException or HttpRequestException)
            {
                console.WriteLine($"Cannot read {from}: {e.GetType().Name}: {e.Message}. Nothing was deleted.");
                return 3;
            }

            foreach (var v in verdicts)
            {
                var what = v.Action switch
                {
                    DeadLetterAction.Resend => $"would re-send lead {v.EventId}",
                    DeadLetterAction.Resent => $"re-sent lead {v.EventId}",
                    DeadLetterAction.SendFailed => $"FAILED lead {v.EventId}",
                    _ => "kept",
                };
                console.WriteLine($"{v.MessageId}: {what} [{v.Origin}]{(v.Reason is null ? "" : " " + v.Reason)}");
            }

            var leads = verdicts.Count(v => v.EventId is not null);
            var kept = verdicts.Count(v => v.Action is DeadLetterAction.Keep or DeadLetterAction.SendFailed);
            console.WriteLine(really
                ? $"{verdicts.Count(v => v.Action == DeadLetterAction.Resent)} of {leads} lead(s) re-sent to {into}; {kept} message(s) kept in {from}."
                : $"Dry run: {leads} lead(s) would be re-sent to {into}, {verdicts.Count - leads} message(s) kept. Run again with --apply to do it.");
            return kept == 0 ? 0 : 1;
        });
        return command;
    }
}
