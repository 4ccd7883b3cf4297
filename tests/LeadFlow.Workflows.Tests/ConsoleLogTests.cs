using LeadFlow.Hosting.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace LeadFlow.Workflows.Tests;

/// <summary>The worker's console line: scopes (the SDK's and the activities' dictionaries) as key=value, not type names.</summary>
public sealed class ConsoleLogTests
{
    [Fact]
    public void DictionaryScopes_AreWrittenAsKeyValuePairs_OnOneLine()
    {
        var formatter = new KeyValueConsoleFormatter(new StaticOptions(new ConsoleFormatterOptions { IncludeScopes = true }));
        var scopes = new LoggerExternalScopeProvider();
        using var sdk = scopes.Push(new Dictionary<string, object> { ["ActivityType"] = "CreateClient", ["TaskQueue"] = "lead-onboarding" });
        using var step = scopes.Push(new Dictionary<string, object> { ["WorkflowId"] = "lead-e1", ["Attempt"] = 2 });
        using var output = new StringWriter();

        formatter.Write(
            new LogEntry<string>(LogLevel.Information, "LeadFlow.Steps.CreateStepRunner", new EventId(7), "Created client 42\nfor lead-e1", null, (state, _) => state),
            scopes,
            output);

        var line = output.ToString();
        Assert.Equal(
            "info: LeadFlow.Steps.CreateStepRunner[7] Created client 42 for lead-e1 => ActivityType=CreateClient TaskQueue=lead-onboarding WorkflowId=lead-e1 Attempt=2" + Environment.NewLine,
            line);
        Assert.DoesNotContain("System.Collections.Generic", line, StringComparison.Ordinal);
    }

    /// <summary>The SDK's activity scope and a step's own both carry the workflow id and attempt: each is written once.</summary>
    [Fact]
    public void PairsRepeatedByAnInnerScope_AreWrittenOnce_OtherValuesAgain()
    {
        var formatter = new KeyValueConsoleFormatter(new StaticOptions(new ConsoleFormatterOptions { IncludeScopes = true }));
        var scopes = new LoggerExternalScopeProvider();
        using var sdk = scopes.Push(new Dictionary<string, object> { ["ActivityType"] = "CreateClient", ["WorkflowId"] = "lead-e1", ["Attempt"] = 2 });
        using var step = scopes.Push(new Dictionary<string, object> { ["WorkflowId"] = "lead-e1", ["Attempt"] = 3, ["Step"] = "CreateClient" });
        using var text = scopes.Push("batch 7");
        using var back = scopes.Push(new Dictionary<string, object> { ["Attempt"] = 2 });
        using var output = new StringWriter();

        formatter.Write(new LogEntry<string>(LogLevel.Information, "c", new EventId(1), "m", null, (state, _) => state), scopes, output);

        // Attempt=2 again at the end: the innermost value is the last one written.
        Assert.Equal("info: c[1] m => ActivityType=CreateClient WorkflowId=lead-e1 Attempt=2 Attempt=3 Step=CreateClient batch 7 Attempt=2" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void JsonFormatter_IsChosenByConfiguration()
    {
        using var provider = JsonConfigured();

        Assert.Equal("json", provider.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        var unconfigured = new ServiceCollection();
        unconfigured.AddLogging(logging => logging.AddLeadFlowConsole());
        using var plain = unconfigured.BuildServiceProvider();
        Assert.Equal(KeyValueConsoleFormatter.FormatterName, plain.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public void JsonFormatter_WritesTheScopes()
    {
        using var provider = JsonConfigured();
        var formatter = provider.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);
        var scopes = new LoggerExternalScopeProvider();
        using var step = scopes.Push(new Dictionary<string, object> { ["WorkflowId"] = "lead-e1", ["Attempt"] = 2 });
        using var output = new StringWriter();

        formatter.Write(new LogEntry<string>(LogLevel.Information, "LeadFlow.Steps.CreateStepRunner", new EventId(7), "Created client 42", null, (state, _) => state), scopes, output);

        var line = output.ToString();
        Assert.Contains("\"Scopes\"", line, StringComparison.Ordinal);
        Assert.Contains("\"WorkflowId\":\"lead-e1\"", line, StringComparison.Ordinal);
    }

    /// <summary>The console logging of a service whose configuration says <c>Logging:Console:FormatterName=json</c>.</summary>
    private static ServiceProvider JsonConfigured()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:Console:FormatterName"] = "json" })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            logging.AddLeadFlowConsole();
        });
        return services.BuildServiceProvider();
    }

    private sealed class StaticOptions(ConsoleFormatterOptions value) : IOptionsMonitor<ConsoleFormatterOptions>
    {
        public ConsoleFormatterOptions CurrentValue => value;

        public ConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsoleFormatterOptions, string?> listener) => null;
    }
}
