using LeadFlow.Cli.Configuration;
using LeadFlow.Cli.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Cli.Tests.Support;

/// <summary>
/// One real local stack for the tests that talk to a running one: a temporary private PostgreSQL, the embedded
/// Temporal server, the backend, the worker and the intake with the web form, on free loopback ports.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public LocalStack Stack { get; private set; } = null!;

    public LogBuffer Logs { get; } = new(LogLevel.Warning, echo: null);

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().Build();
        var run = new LocalRunOptions { Temporal = TemporalMode.Embedded };
        Stack = await LocalStack.StartAsync(StackSettings.For(configuration, run, demo: true), Logs, (_, _) => { }, backendPipeline: null, CancellationToken.None);
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();

    /// <summary>The options that point the client verbs at this stack.</summary>
    public string[] IntakeOptions => ["--intake", Stack.IntakeUrl.ToString()];

    public string[] BackendOptions => ["--backend", Stack.BackendUrl.ToString(), "--api-key", Stack.Settings.ReadApiKey];
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "local stack";
}

/// <summary>
/// A stack of its own for the dashboard test, run after every parallel collection has stopped its stacks: the process
/// has one telemetry set-up (the first stack's), so a stack started beside another would export to that one's dashboard.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DashboardStackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "local stack with its own dashboard";
}
