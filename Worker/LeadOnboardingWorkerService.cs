using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.Temporal;
using LeadFlow.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Extensions.Hosting;
using Temporalio.Worker;

namespace LeadFlow.Worker;

/// <summary>
/// Runs the lead worker once Temporal can be reached. Unlike a plain hosted worker, an unreachable server is
/// not a crash: it logs a plain message naming the address and retries with backoff, and it checks the CRM
/// backend (address and API key) the same way. On stop, in-flight activities get the graceful shutdown timeout.
/// </summary>
public sealed partial class LeadOnboardingWorkerService(
    IServiceProvider services,
    IOptions<TemporalOptions> temporalOptions,
    IOptions<LeadWorkerOptions> workerOptions,
    IOptions<CrmOptions> crmOptions,
    ILoggerFactory loggerFactory,
    ILogger<LeadOnboardingWorkerService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var temporal = temporalOptions.Value;
        var crmCheck = WaitForCrmAsync(stoppingToken);
        var client = await ConnectAsync(temporal, stoppingToken);
        var ready = client is not null && await DeclareSearchAttributesAsync(client, temporal, stoppingToken);
        var delay = FirstRetryDelay;
        while (ready && !stoppingToken.IsCancellationRequested)
        {
            // Constructing the worker validates the workflow and activities: a failure there is a bug, so it is not caught.
            using var worker = new TemporalWorker(client!, CreateWorkerOptions(temporal.TaskQueue));
            LogPolling(temporal.Address, temporal.Namespace, temporal.TaskQueue, workerOptions.Value.MaxConcurrentActivities);
            try
            {
                await worker.ExecuteAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogWorkerFailed(e, temporal.Address, delay.TotalSeconds);
                delay = await BackOffAsync(delay, stoppingToken);
            }
        }

        LogStopped(temporal.TaskQueue);
        await crmCheck;
    }

    /// <summary>Connects to Temporal, retrying with backoff until it answers; null when the host stops first.</summary>
    private async Task<TemporalClient?> ConnectAsync(TemporalOptions temporal, CancellationToken stoppingToken)
    {
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                return await TemporalClient.ConnectAsync(await TemporalConnectOptionsFactory.CreateAsync(temporal, loggerFactory)).WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogTemporalUnreachable(temporal.Address, temporal.Namespace, e.Message, delay.TotalSeconds);
                delay = await BackOffAsync(delay, stoppingToken);
            }
        }

        return null;
    }

    /// <summary>
    /// Declares the lead search attributes before the first poll (a run that sets an undeclared one stops at its first
    /// step). A namespace that does not allow it is reported with what an operator must run, and checked again with
    /// backoff: leads wait in the task queue meanwhile. False when the host stops first.
    /// </summary>
    private async Task<bool> DeclareSearchAttributesAsync(TemporalClient client, TemporalOptions temporal, CancellationToken stoppingToken)
    {
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var added = await LeadSearchAttributeRegistration.EnsureAsync(client, stoppingToken);
                LogSearchAttributes(temporal.Namespace, added.Count == 0 ? "already declared" : $"declared now: {string.Join(", ", added)}");
                return true;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return false;
            }
            catch (LeadSearchAttributesException e)
            {
                LogSearchAttributesMissing(e.Message, delay.TotalSeconds);
            }
            catch (RpcException e)
            {
                LogTemporalUnreachable(temporal.Address, temporal.Namespace, e.Message, delay.TotalSeconds);
            }

            delay = await BackOffAsync(delay, stoppingToken);
        }

        return false;
    }

    private TemporalWorkerOptions CreateWorkerOptions(string taskQueue)
    {
        var worker = workerOptions.Value;
        var options = new TemporalWorkerOptions(taskQueue)
        {
            MaxConcurrentActivities = worker.MaxConcurrentActivities,
            MaxConcurrentWorkflowTasks = worker.MaxConcurrentWorkflowTasks,
            GracefulShutdownTimeout = worker.GracefulShutdownTimeout,
            LoggerFactory = loggerFactory,
        };
        options.AddWorkflow<LeadOnboardingWorkflow>();

        // A DI scope per activity attempt, as the hosting extension's AddScopedActivities does.
        foreach (var activity in services.CreateTemporalActivityDefinitions(typeof(LeadOnboardingActivities)))
        {
            options.AddActivity(activity);
        }

        return options;
    }

    /// <summary>Says plainly, until it is fixed, that the CRM backend is unreachable or refuses the API key. Never stops the worker.</summary>
    private async Task WaitForCrmAsync(CancellationToken stoppingToken)
    {
        var baseUrl = crmOptions.Value.BaseUrl;
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ICrmApi>().GetClientAsync(0, stoppingToken);
                LogCrmReachable(baseUrl);
                return;
            }
            catch (CrmPermanentException)
            {
                // Any 4xx (client 0 does not exist) proves the backend answers and accepts the key.
                LogCrmReachable(baseUrl);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogCrmUnreachable(baseUrl, e.Message, delay.TotalSeconds);
            }

            delay = await BackOffAsync(delay, stoppingToken);
        }
    }

    private async Task<TimeSpan> BackOffAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }

        var next = delay * 2;
        return next < workerOptions.Value.MaxReconnectDelay ? next : workerOptions.Value.MaxReconnectDelay;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker polling task queue {TaskQueue} on Temporal {Address} (namespace {Namespace}), up to {MaxConcurrentActivities} activities at once")]
    private partial void LogPolling(string address, string @namespace, string taskQueue, int maxConcurrentActivities);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot reach Temporal at {Address} (namespace {Namespace}): {Reason}. Retrying in {DelaySeconds:0.#} s. Check Temporal__Address and Temporal__Namespace.")]
    private partial void LogTemporalUnreachable(string address, string @namespace, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead search attributes LeadOutcome, LeadStep, LeadFailedStep in namespace {Namespace}: {What}")]
    private partial void LogSearchAttributes(string @namespace, string what);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason} The worker does not poll until they exist; checking again in {DelaySeconds:0.#} s.")]
    private partial void LogSearchAttributesMissing(string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker polling Temporal at {Address} failed; restarting it in {DelaySeconds:0.#} s")]
    private partial void LogWorkerFailed(Exception exception, string address, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "CRM backend reachable at {BaseUrl}, API key accepted")]
    private partial void LogCrmReachable(Uri? baseUrl);

    [LoggerMessage(Level = LogLevel.Error, Message = "CRM backend at {BaseUrl} not usable: {Reason}. Leads wait and retry; checking again in {DelaySeconds:0.#} s. Check Crm__BaseUrl and Crm__ApiKey.")]
    private partial void LogCrmUnreachable(Uri? baseUrl, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker for task queue {TaskQueue} stopped")]
    private partial void LogStopped(string taskQueue);
}
