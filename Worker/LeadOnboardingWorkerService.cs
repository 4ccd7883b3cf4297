using LeadFlow.Hosting;
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
/// backend (address and API key) the same way, for as long as it runs. Both are reported on the health endpoint
/// (<see cref="WorkerHealth"/>): a worker stuck reconnecting, polling a server that no longer answers, or facing a
/// backend that refuses its key is unhealthy. On stop, in-flight activities get the graceful shutdown timeout.
/// </summary>
public sealed partial class LeadOnboardingWorkerService(
    IServiceProvider services,
    IOptions<TemporalOptions> temporalOptions,
    IOptions<LeadWorkerOptions> workerOptions,
    IOptions<CrmOptions> crmOptions,
    WorkerHealth health,
    ILoggerFactory loggerFactory,
    ILogger<LeadOnboardingWorkerService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var temporal = temporalOptions.Value;
        var crmCheck = MonitorCrmAsync(stoppingToken);
        var client = await ConnectAsync(temporal, stoppingToken);
        var ready = client is not null && await DeclareSearchAttributesAsync(client, temporal, stoppingToken);
        var backoff = NewBackoff();
        while (ready && !stoppingToken.IsCancellationRequested)
        {
            // Constructing the worker validates the workflow and activities: a failure there is a bug, so it is not caught.
            using var worker = new TemporalWorker(client!, CreateWorkerOptions(temporal.TaskQueue));
            LogPolling(temporal.Address, temporal.Namespace, temporal.TaskQueue, workerOptions.Value.MaxConcurrentActivities);
            health.Temporal.Healthy(PollingDescription(temporal));
            using var polling = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var probing = MonitorTemporalAsync(client!, temporal, polling.Token);
            try
            {
                await worker.ExecuteAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!FatalExceptions.IsFatal(e))
            {
                health.Temporal.Unhealthy($"the worker stopped polling Temporal at {temporal.Address}: {e.Message}; restarting it in {backoff.Next.TotalSeconds:0.#} s", e);
                LogWorkerFailed(e, temporal.Address, backoff.Next.TotalSeconds);
                await backoff.WaitAsync(stoppingToken);
            }
            finally
            {
                await polling.CancelAsync();
                await probing;
            }
        }

        health.Temporal.Unhealthy("stopped");
        LogStopped(temporal.TaskQueue);
        await crmCheck;
    }

    /// <summary>Connects to Temporal, retrying with backoff until it answers; null when the host stops first.</summary>
    private async Task<TemporalClient?> ConnectAsync(TemporalOptions temporal, CancellationToken stoppingToken)
    {
        var backoff = NewBackoff();
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
            catch (Exception e) when (!FatalExceptions.IsFatal(e))
            {
                health.Temporal.Unhealthy($"cannot reach Temporal at {temporal.Address} (namespace {temporal.Namespace}): {e.Message}; retrying in {backoff.Next.TotalSeconds:0.#} s", e);
                LogTemporalUnreachable(temporal.Address, temporal.Namespace, e.Message, backoff.Next.TotalSeconds);
                await backoff.WaitAsync(stoppingToken);
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
        var backoff = NewBackoff();
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
                health.Temporal.Unhealthy($"not polling: {e.Message}", e);
                LogSearchAttributesMissing(e.Message, backoff.Next.TotalSeconds);
            }
            catch (RpcException e)
            {
                health.Temporal.Unhealthy($"cannot reach Temporal at {temporal.Address} (namespace {temporal.Namespace}): {e.Message}; retrying in {backoff.Next.TotalSeconds:0.#} s", e);
                LogTemporalUnreachable(temporal.Address, temporal.Namespace, e.Message, backoff.Next.TotalSeconds);
            }

            await backoff.WaitAsync(stoppingToken);
        }

        return false;
    }

    /// <summary>
    /// While the worker polls, asks the server's gRPC health check every <c>Worker__HealthProbeInterval</c>: the SDK keeps
    /// retrying its polls against a server that went away without failing the worker, so this is what tells it.
    /// </summary>
    private async Task MonitorTemporalAsync(TemporalClient client, TemporalOptions temporal, CancellationToken pollingToken)
    {
        var interval = workerOptions.Value.HealthProbeInterval;
        var timeout = interval < TimeSpan.FromSeconds(5) ? interval : TimeSpan.FromSeconds(5);
        while (!pollingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, pollingToken);
                var serving = await client.Connection.CheckHealthAsync(options: new RpcOptions { Timeout = timeout, CancellationToken = pollingToken });
                var changed = serving
                    ? health.Temporal.Healthy(PollingDescription(temporal))
                    : health.Temporal.Unhealthy($"Temporal at {temporal.Address} says it is not serving");
                if (changed)
                {
                    LogTemporalHealth(temporal.Address, health.Temporal.Description);
                }
            }
            catch (OperationCanceledException) when (pollingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!FatalExceptions.IsFatal(e))
            {
                if (health.Temporal.Unhealthy($"Temporal at {temporal.Address} does not answer (the worker keeps polling and resumes when it does): {e.Message}", e))
                {
                    LogTemporalHealth(temporal.Address, health.Temporal.Description);
                }
            }
        }
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
        options.AddWorkflow(Temporalio.Workflows.WorkflowDefinition.Create(services.GetService<LeadWorkflowRegistration>()?.WorkflowType ?? typeof(LeadOnboardingWorkflow)));

        // A DI scope per activity attempt, as the hosting extension's AddScopedActivities does.
        foreach (var activity in services.CreateTemporalActivityDefinitions(typeof(LeadOnboardingActivities)))
        {
            options.AddActivity(activity);
        }

        return options;
    }

    /// <summary>
    /// Asks the CRM backend which key the worker holds (<c>GET /auth/scope</c>, which reads no row) every
    /// <c>Worker__HealthProbeInterval</c> (with backoff while it fails), for as long as the worker runs: says plainly when the
    /// backend is unreachable, refuses our credentials, or was given the read key where the write key belongs (critical: every
    /// lead waits for it), and when it is usable again. Never stops the worker.
    /// </summary>
    private async Task MonitorCrmAsync(CancellationToken stoppingToken)
    {
        var baseUrl = crmOptions.Value.BaseUrl;
        var backoff = NewBackoff();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var held = await scope.ServiceProvider.GetRequiredService<ICrmApi>().GetKeyScopeAsync(stoppingToken);
                if (held.Scope != CrmKeyScope.Write)
                {
                    health.Crm.Unhealthy($"CRM backend at {baseUrl} was given its {held.Scope} key in Crm__ApiKey, not its write key");
                    LogCrmWrongKey(baseUrl, held.Scope, backoff.Next.TotalSeconds);
                    await backoff.WaitAsync(stoppingToken);
                    continue;
                }

                CrmUsable(baseUrl);
            }
            catch (CrmUnauthorizedException e)
            {
                health.Crm.Unhealthy($"CRM backend at {baseUrl} not usable: it refuses the API key ({e.StatusCode})", e);
                LogCrmRefusesKey(baseUrl, e.StatusCode, backoff.Next.TotalSeconds);
                await backoff.WaitAsync(stoppingToken);
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!FatalExceptions.IsFatal(e))
            {
                var reason = e is CrmTransientException { StatusCode: 401 or 403 } refused
                    ? $"it refuses the API key ({refused.StatusCode})"
                    : e.Message;
                health.Crm.Unhealthy($"CRM backend at {baseUrl} not usable: {reason}", e);
                LogCrmUnreachable(baseUrl, reason, backoff.Next.TotalSeconds);
                await backoff.WaitAsync(stoppingToken);
                continue;
            }

            backoff.Reset();
            try
            {
                await Task.Delay(workerOptions.Value.HealthProbeInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void CrmUsable(Uri? baseUrl)
    {
        if (health.Crm.Healthy($"CRM backend at {baseUrl} answers and accepts the API key as its write key"))
        {
            LogCrmReachable(baseUrl);
        }
    }

    private static string PollingDescription(TemporalOptions temporal) =>
        $"polling task queue {temporal.TaskQueue} on Temporal {temporal.Address} (namespace {temporal.Namespace})";

    private Backoff NewBackoff() => new(FirstRetryDelay, workerOptions.Value.MaxReconnectDelay);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Temporal at {Address}: {Health}")]
    private partial void LogTemporalHealth(string address, string health);

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
