using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.Temporal;
using LeadFlow.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Client;
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
        var delay = FirstRetryDelay;
        while (client is not null && !stoppingToken.IsCancellationRequested)
        {
            // Constructing the worker validates the workflow and activities: a failure there is a bug, so it is not caught.
            using var worker = new TemporalWorker(client, CreateWorkerOptions(temporal.TaskQueue));
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

    /// <summary>
    /// Says plainly, until it is fixed, that the CRM backend is unreachable, refuses the API key, or was given the read key
    /// where the write key belongs (critical: every lead waits for it). Never stops the worker.
    /// </summary>
    private async Task WaitForCrmAsync(CancellationToken stoppingToken)
    {
        var baseUrl = crmOptions.Value.BaseUrl;
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                // GET /auth/scope reads no row: the write key may call it, and it says which key this is.
                var held = await scope.ServiceProvider.GetRequiredService<ICrmApi>().GetKeyScopeAsync(stoppingToken);
                if (held.Scope == CrmKeyScope.Write)
                {
                    LogCrmReachable(baseUrl);
                    return;
                }

                LogCrmWrongKey(baseUrl, held.Scope, delay.TotalSeconds);
            }
            catch (CrmUnauthorizedException e)
            {
                LogCrmRefusesKey(baseUrl, e.StatusCode, delay.TotalSeconds);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker polling Temporal at {Address} failed; restarting it in {DelaySeconds:0.#} s")]
    private partial void LogWorkerFailed(Exception exception, string address, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "CRM backend reachable at {BaseUrl}, write key accepted")]
    private partial void LogCrmReachable(Uri? baseUrl);

    [LoggerMessage(Level = LogLevel.Critical, Message = "CRM refuses our credentials: the backend at {BaseUrl} answers {Status} to Crm__ApiKey. Set Crm__ApiKey to the backend's write key; leads wait until then. Checking again in {DelaySeconds:0.#} s.")]
    private partial void LogCrmRefusesKey(Uri? baseUrl, int status, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Crm__ApiKey is the CRM backend's {Scope} key at {BaseUrl}, not its write key: every create would be refused. Set Crm__ApiKey to the write key; checking again in {DelaySeconds:0.#} s.")]
    private partial void LogCrmWrongKey(Uri? baseUrl, string scope, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "CRM backend at {BaseUrl} not usable: {Reason}. Leads wait and retry; checking again in {DelaySeconds:0.#} s. Check Crm__BaseUrl and Crm__ApiKey.")]
    private partial void LogCrmUnreachable(Uri? baseUrl, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker for task queue {TaskQueue} stopped")]
    private partial void LogStopped(string taskQueue);
}
