using System.Net.Http.Json;
using System.Text.Json;
using LeadFlow.Ingress.Http;
using LeadFlow.Ingress.Publishing;

namespace LeadFlow.Ingress.Commands;

/// <summary><c>send &lt;leads.json&gt; [--url http://localhost:5090]</c>: the leads of the file to the local HTTP intake instead of the bus.</summary>
internal static class SendCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (positional, options) = CommandConfiguration.Split(args);
        if (positional.Count != 1)
        {
            await Console.Error.WriteLineAsync($"usage: send <leads.json> [--url {IngressApp.DefaultUrl}]   (Ingress__ApiKey when the intake has one)");
            return 2;
        }

        var configuration = CommandConfiguration.Build(options);
        var publisher = configuration.GetSection(PublisherOptions.Section).Get<PublisherOptions>() ?? new PublisherOptions();
        var leads = await LeadFile.ReadAsync(positional[0]);
        using var http = new HttpClient { BaseAddress = new Uri(configuration["url"] ?? IngressApp.DefaultUrl), Timeout = TimeSpan.FromSeconds(60) };
        if (configuration.GetSection(IngressOptions.Section).Get<IngressOptions>()?.ApiKey is { Length: > 0 } apiKey)
        {
            http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        var failures = 0;
        // The same shape PutEvents takes (PascalCase names), 10 entries a request.
        foreach (var (chunk, offset) in leads.Chunk(10).Select((c, i) => (c, i * 10)))
        {
            var body = new { Entries = chunk.Select(detail => new { publisher.Source, publisher.DetailType, Detail = detail }) };
            using var response = await http.PostAsJsonAsync(new Uri("events", UriKind.Relative), body, JsonSerializerOptions.Default);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                Console.WriteLine($"leads {offset}-{offset + chunk.Length - 1}: HTTP {(int)response.StatusCode}: {text}");
                failures += chunk.Length;
                continue;
            }

            using var answer = JsonDocument.Parse(text);
            foreach (var entry in answer.RootElement.GetProperty("entries").EnumerateArray())
            {
                Console.WriteLine($"lead: {entry.GetProperty("workflowId").GetString()} {entry.GetProperty("status").GetString()}");
            }

            foreach (var error in answer.RootElement.GetProperty("errors").EnumerateArray())
            {
                failures++;
                Console.WriteLine($"lead {offset + error.GetProperty("index").GetInt32()}: REFUSED {error.GetProperty("field").GetString()}: {error.GetProperty("error").GetString()}");
            }
        }

        Console.WriteLine($"{leads.Count - failures} accepted, {failures} refused, intake {http.BaseAddress}");
        return failures == 0 ? 0 : 1;
    }
}
