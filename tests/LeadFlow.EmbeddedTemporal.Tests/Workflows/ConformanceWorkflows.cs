using Temporalio.Common;
using Temporalio.Workflows;

namespace LeadFlow.EmbeddedTemporal.Tests.Workflows;

/// <summary>One activity then one timer: the reference shape whose history is compared with a real server's.</summary>
[Workflow]
public sealed class ActivityThenTimerWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string input)
    {
        var echoed = await Workflow.ExecuteActivityAsync((ConformanceActivities a) => a.Echo(input), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(100));
        return echoed;
    }
}

/// <summary>Runs FailUntil with the retry policy given, and returns its result.</summary>
[Workflow]
public sealed class RetryingActivityWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(RetryScenario scenario) =>
        await Workflow.ExecuteActivityAsync(
            (ConformanceActivities a) => a.FailUntil(scenario.Key, scenario.SucceedOnAttempt, scenario.ErrorType),
            new()
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(10),
                RetryPolicy = new RetryPolicy
                {
                    InitialInterval = TimeSpan.FromMilliseconds(scenario.InitialIntervalMs),
                    BackoffCoefficient = scenario.BackoffCoefficient,
                    MaximumInterval = TimeSpan.FromSeconds(5),
                    MaximumAttempts = scenario.MaximumAttempts,
                    NonRetryableErrorTypes = scenario.NonRetryableErrorTypes,
                },
            });
}

/// <summary>Runs FailWithRetryDelay with a short initial interval and the maximum interval given.</summary>
[Workflow]
public sealed class RetryDelayWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string key, int succeedOnAttempt, int nextRetryDelayMs, int maximumIntervalMs) =>
        await Workflow.ExecuteActivityAsync(
            (ConformanceActivities a) => a.FailWithRetryDelay(key, succeedOnAttempt, nextRetryDelayMs),
            new()
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(10),
                RetryPolicy = new RetryPolicy
                {
                    InitialInterval = TimeSpan.FromMilliseconds(50),
                    BackoffCoefficient = 1,
                    MaximumInterval = TimeSpan.FromMilliseconds(maximumIntervalMs),
                },
            });
}

public sealed record RetryScenario(string Key, int SucceedOnAttempt, string ErrorType, int InitialIntervalMs, float BackoffCoefficient, int MaximumAttempts, string[] NonRetryableErrorTypes);

/// <summary>Runs HangUntil with a short start-to-close and (optionally) heartbeat timeout.</summary>
[Workflow]
public sealed class TimingOutActivityWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string key, int succeedOnAttempt, bool useHeartbeatTimeout) =>
        await Workflow.ExecuteActivityAsync(
            (ConformanceActivities a) => a.HangUntil(key, succeedOnAttempt),
            new()
            {
                StartToCloseTimeout = useHeartbeatTimeout ? TimeSpan.FromSeconds(20) : TimeSpan.FromMilliseconds(300),
                HeartbeatTimeout = useHeartbeatTimeout ? TimeSpan.FromMilliseconds(300) : null,
                RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(10), MaximumAttempts = 5 },
            });
}

/// <summary>Starts timers of different lengths at once and records the order they fire in.</summary>
[Workflow]
public sealed class TimerOrderWorkflow
{
    [WorkflowRun]
    public async Task<List<int>> RunAsync(List<int> delaysMs)
    {
        var fired = new List<int>();
        await Workflow.WhenAllAsync(delaysMs.Select(async delay =>
        {
            await Workflow.DelayAsync(TimeSpan.FromMilliseconds(delay));
            fired.Add(delay);
        }));
        return fired;
    }
}

/// <summary>Collects signals until it gets "done"; a query reads them and the current step at any time.</summary>
[Workflow]
public sealed class SignalCollectorWorkflow
{
    private readonly List<string> _received = [];

    [WorkflowRun]
    public async Task<List<string>> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => _received.Contains("done"));
        return _received;
    }

    [WorkflowSignal]
    public Task AddAsync(string value)
    {
        _received.Add(value);
        return Task.CompletedTask;
    }

    [WorkflowQuery]
    public List<string> Received() => _received;
}

/// <summary>Runs a long heartbeating activity; the query reports the step while it runs. Cancellable.</summary>
[Workflow]
public sealed class LongActivityWorkflow
{
    [WorkflowQuery]
    public string Step { get; private set; } = "starting";

    [WorkflowRun]
    public async Task<string> RunAsync(TimeSpan activityDuration)
    {
        Step = "running activity";
        var result = await Workflow.ExecuteActivityAsync(
            (ConformanceActivities a) => a.HeartbeatFor(activityDuration),
            new() { StartToCloseTimeout = TimeSpan.FromSeconds(60), HeartbeatTimeout = TimeSpan.FromSeconds(5), CancellationType = ActivityCancellationType.WaitCancellationCompleted });
        Step = "done";
        return result;
    }
}

/// <summary>Fails or completes as asked: used for the id reuse policies.</summary>
[Workflow]
public sealed class OutcomeWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(bool fail) =>
        fail ? throw new Temporalio.Exceptions.ApplicationFailureException("asked to fail", nonRetryable: true) : Task.FromResult("completed");
}

/// <summary>Continues as new until the counter reaches the target.</summary>
[Workflow]
public sealed class CountdownWorkflow
{
    [WorkflowRun]
    public async Task<int> RunAsync(int remaining, int runs)
    {
        await Workflow.ExecuteActivityAsync((ConformanceActivities a) => a.NoOp(), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        if (remaining > 0)
        {
            throw Workflow.CreateContinueAsNewException((CountdownWorkflow wf) => wf.RunAsync(remaining - 1, runs + 1));
        }

        return runs + 1;
    }
}

/// <summary>Four no-op activities in a row (the benchmark's shape), with a timer between two of them.</summary>
[Workflow]
public sealed class StepsWorkflow
{
    [WorkflowRun]
    public async Task<int> RunAsync(int steps, int timerMs)
    {
        for (var i = 0; i < steps; i++)
        {
            await Workflow.ExecuteActivityAsync((ConformanceActivities a) => a.NoOp(), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
            if (i == 0 && timerMs > 0)
            {
                await Workflow.DelayAsync(TimeSpan.FromMilliseconds(timerMs));
            }
        }

        return steps;
    }
}
