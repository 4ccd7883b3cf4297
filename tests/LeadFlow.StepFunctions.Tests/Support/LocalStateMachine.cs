using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Steps;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Lambda;
using Microsoft.Extensions.Configuration;

namespace LeadFlow.StepFunctions.Tests.Support;

/// <summary>
/// The committed definition run by aws-local-stepfunctions (tests/node/run-state-machine.mjs), its Task
/// states invoking the real step handlers through a local Lambda Invoke endpoint, against a real backend.
/// Retry pauses are shortened (the interpreter's retry interval override); everything else is as deployed.
/// </summary>
public sealed class LocalStateMachine : IAsyncDisposable
{
    private const int RetryPauseMilliseconds = 20;

    private readonly LeadOnboardingStepHandlers handlers;
    private readonly LambdaInvokeHost lambda;
    private readonly string definitionFile;

    private LocalStateMachine(LeadOnboardingStepHandlers handlers, LambdaInvokeHost lambda, string definitionFile)
    {
        this.handlers = handlers;
        this.lambda = lambda;
        this.definitionFile = definitionFile;
    }

    /// <param name="editDefinition">A test's change to the definition before it runs (e.g. a shorter TimeoutSeconds); null runs it as committed.</param>
    /// <param name="notifyBranch">The step Lambdas' <c>NotifyBranch__Enabled</c>.</param>
    public static async Task<LocalStateMachine> StartAsync(CrmBackendHost backend, Action<JsonObject>? editDefinition = null, bool notifyBranch = false)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Crm:BaseUrl"] = backend.BaseAddress.ToString(),
                ["Crm:ApiKey"] = backend.ApiKey,
                ["Logging:LogLevel:Default"] = "Warning",
                ["NotifyBranch:Enabled"] = notifyBranch ? "true" : "false",
            })
            .Build();
        var handlers = new LeadOnboardingStepHandlers(configuration);
        var functions = new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>>
        {
            [LeadOnboardingSteps.ReceiveLead] = (input, _) => handlers.ReceiveLeadAsync(input),
            [LeadOnboardingSteps.CreateClient] = (input, _) => handlers.CreateClientAsync(input),
            [LeadOnboardingSteps.CreatePartner] = (input, _) => handlers.CreatePartnerAsync(input),
            [LeadOnboardingSteps.CreateBenefit] = (input, _) => handlers.CreateBenefitAsync(input),
            [LeadOnboardingSteps.NotifyBranch] = (input, _) => handlers.NotifyBranchAsync(input),
            [LeadOnboardingSteps.RecordFailure] = (input, _) => handlers.RecordFailureAsync(input),
        };
        var lambda = await LambdaInvokeHost.StartAsync(functions);
        var definitionFile = Path.Combine(Path.GetTempPath(), $"leadflow-sfn-{Guid.NewGuid():N}.json");
        var definition = AslDocument.LoadWithLocalArns();
        editDefinition?.Invoke(definition);
        await File.WriteAllTextAsync(definitionFile, definition.ToJsonString());
        return new LocalStateMachine(handlers, lambda, definitionFile);
    }

    /// <param name="executionName">As the ingress would name it: <c>lead-&lt;event id&gt;</c>.</param>
    public async Task<ExecutionReport> RunAsync(JsonObject input, string executionName)
    {
        var inputFile = Path.Combine(Path.GetTempPath(), $"leadflow-sfn-input-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(inputFile, input.ToJsonString());
        try
        {
            var result = await NodeTool.RunAsync(
                ["run-state-machine.mjs", "--definition", definitionFile, "--input", inputFile, "--name", executionName, "--retry-interval-ms", $"{RetryPauseMilliseconds}"],
                new Dictionary<string, string>
                {
                    ["AWS_ENDPOINT_URL_LAMBDA"] = lambda.Endpoint.ToString().TrimEnd('/'),
                    ["AWS_REGION"] = AslDocument.Region,
                    ["AWS_ACCESS_KEY_ID"] = "local",
                    ["AWS_SECRET_ACCESS_KEY"] = "local",
                });
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"run-state-machine.mjs exited {result.ExitCode}: {result.StandardError}");
            }

            return ExecutionReport.Parse(result.StandardOutput);
        }
        finally
        {
            File.Delete(inputFile);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await lambda.DisposeAsync();
        handlers.Dispose();
        File.Delete(definitionFile);
    }
}

/// <summary>What run-state-machine.mjs reports: the final status, output or error, and the states entered in order.</summary>
public sealed record ExecutionReport(string Status, JsonNode? Output, string? Error, string? Cause, IReadOnlyList<string> States, IReadOnlyList<JsonObject> Events, JsonNode? LastStateInput)
{
    public static ExecutionReport Parse(string json)
    {
        var report = JsonNode.Parse(json)!.AsObject();
        return new ExecutionReport(
            report["status"]!.GetValue<string>(),
            report["output"],
            report["error"]?.GetValue<string>(),
            report["cause"]?.GetValue<string>(),
            [.. report["states"]!.AsArray().Select(s => s!.GetValue<string>())],
            [.. report["events"]!.AsArray().Select(e => e!.AsObject())],
            report["lastStateInput"]);
    }

    public int RetriesOf(string state) => Events.Count(e => e["type"]?.GetValue<string>() == "StateRetried" && e["state"]?.GetValue<string>() == state);

    /// <summary>The ErrorEquals of the retrier behind each retry of <paramref name="state"/>, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> RetriersOf(string state) =>
        [.. Events
            .Where(e => e["type"]?.GetValue<string>() == "StateRetried" && e["state"]?.GetValue<string>() == state)
            .Select(e => (IReadOnlyList<string>)[.. (e["retrier"]?.AsArray() ?? []).Select(n => n!.GetValue<string>())])];

    public override string ToString() => JsonSerializer.Serialize(new { Status, Error, Cause, States });
}
