using System.CommandLine;
using System.Text.Json;
using LeadFlow.Cli.Http;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary><c>leadflow send &lt;file|-&gt;</c>: lead events to the HTTP intake, one request per lead or envelope.</summary>
public static class SendCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common)
    {
        var file = new Argument<string>("file") { Description = "A JSON file (or - for standard input) holding a lead, an EventBridge envelope, or an array of them" };
        var command = new Command("send", "Post lead events to the HTTP intake and print the workflow each one started (or found, for a duplicate).")
        {
            file, common.Intake, common.IntakeApiKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(file);
            string text;
            try
            {
                text = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
            }
            catch (IOException e)
            {
                console.WriteLine($"Cannot read {path}: {e.Message}");
                return 2;
            }

            IReadOnlyList<string> bodies;
            try
            {
                bodies = Split(text);
            }
            catch (JsonException e)
            {
                console.WriteLine($"{(path == "-" ? "Standard input" : path)} is not valid JSON: {e.Message}");
                return 2;
            }

            using var intake = IntakeClient.For(parse.GetRequiredValue(common.Intake), parse.GetValue(common.IntakeApiKey));
            var table = ConsoleTables.Create(console).AddColumn("#").AddColumn("Lead id (workflow)").AddColumn("Result");
            var refused = 0;
            for (var i = 0; i < bodies.Count; i++)
            {
                var number = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    var answer = await intake.PostEventsAsync(bodies[i], cancellationToken);
                    foreach (var entry in answer.Entries)
                    {
                        table.AddRow(number, Markup.Escape(entry.WorkflowId), Markup.Escape(entry.Status.ToString() + (entry.ContentDiffers ? " (different content: first delivery wins)" : "")));
                    }

                    foreach (var error in answer.Errors)
                    {
                        refused++;
                        table.AddRow(number, "-", Markup.Escape($"refused: {error.Field}: {error.Error}"));
                    }
                }
                catch (ServiceCallException e) when (e.InnerException is null)
                {
                    refused++;
                    table.AddRow(number, "-", Markup.Escape($"refused: {e.Message}"));
                }
                catch (ServiceCallException e)
                {
                    console.WriteLine(e.Message);
                    return 3;
                }
            }

            console.Write(table);
            console.WriteLine($"{bodies.Count - refused} accepted, {refused} refused, intake {intake.BaseAddress}. Follow one with: leadflow status <lead id>");
            return refused == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>An array is one request per element; anything else is one request as it is.</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.ValueKind == JsonValueKind.Array
            ? document.RootElement.EnumerateArray().Select(e => e.GetRawText()).ToList()
            : [document.RootElement.GetRawText()];
    }
}
