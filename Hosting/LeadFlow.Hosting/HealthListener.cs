using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeadFlow.Hosting;

/// <summary>
/// The health endpoint of a worker service, on <c>Health__Url</c>, served by <see cref="HttpListener"/> (in the base
/// runtime: the worker and the SQS poller stay plain worker services without ASP.NET Core):
/// <list type="bullet">
/// <item><c>GET /health/live</c>: 200 while the process answers at all.</item>
/// <item><c>GET /health/ready</c> (also <c>/health</c>): runs the host's registered health checks; 200 when every part
/// works, 503 when one cannot. Body: <c>{"status":"Healthy|Unhealthy","checks":{"temporal":{"status","description","since"},...}}</c>,
/// no personal data and no secrets.</item>
/// </list>
/// A port it cannot bind is logged and tried again with backoff: the host's real work goes on meanwhile.
/// </summary>
public sealed partial class HealthListener(HealthCheckService checks, IOptions<HealthOptions> options, ILogger<HealthListener> logger) : BackgroundService
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var prefix = options.Value.Prefix;
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        while (!stoppingToken.IsCancellationRequested)
        {
            using var listener = new HttpListener();
            listener.Prefixes.Add(prefix);
            try
            {
                listener.Start();
                LogListening(prefix);
                backoff.Reset();
                await using var stop = stoppingToken.Register(listener.Stop);
                await ServeAsync(listener, stoppingToken);
            }
            catch (Exception e) when (!FatalExceptions.IsFatal(e) && !stoppingToken.IsCancellationRequested)
            {
                LogListenerFailed(e, prefix, backoff.Next.TotalSeconds);
                await backoff.WaitAsync(stoppingToken);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: the listener was closed under a pending accept.
            }
        }
    }

    private async Task ServeAsync(HttpListener listener, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var context = await listener.GetContextAsync();
            _ = Task.Run(() => AnswerAsync(context, stoppingToken), CancellationToken.None);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken stoppingToken)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.Url?.AbsolutePath.TrimEnd('/') ?? "";
            if (context.Request.HttpMethod is not ("GET" or "HEAD"))
            {
                await WriteAsync(response, HttpStatusCode.MethodNotAllowed, new { status = "MethodNotAllowed" }, stoppingToken);
            }
            else if (path == LivePath)
            {
                await WriteAsync(response, HttpStatusCode.OK, new { status = nameof(HealthStatus.Healthy) }, stoppingToken);
            }
            else if (path is ReadyPath or "/health")
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                var report = await checks.CheckHealthAsync(timeout.Token);
                var body = new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.ToDictionary(
                        e => e.Key,
                        e => new { status = e.Value.Status.ToString(), description = e.Value.Description, since = e.Value.Data.GetValueOrDefault("since") }),
                };
                await WriteAsync(response, report.Status == HealthStatus.Unhealthy ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, body, stoppingToken);
            }
            else
            {
                await WriteAsync(response, HttpStatusCode.NotFound, new { status = "NotFound", paths = new[] { LivePath, ReadyPath } }, stoppingToken);
            }
        }
        catch (Exception e) when (!FatalExceptions.IsFatal(e))
        {
            // A client that hung up, or a check that threw: the next probe asks again.
            LogAnswerFailed(e);
        }
        finally
        {
            response.Close();
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, HttpStatusCode status, object body, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, Json);
        response.StatusCode = (int)status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        response.Headers["Cache-Control"] = "no-store";
        await response.OutputStream.WriteAsync(bytes, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health endpoint listening on {Prefix} (health/live, health/ready)")]
    private partial void LogListening(string prefix);

    [LoggerMessage(Level = LogLevel.Error, Message = "Health endpoint cannot listen on {Prefix}; trying again in {DelaySeconds:0.#} s. Check Health__Url (a free port).")]
    private partial void LogListenerFailed(Exception exception, string prefix, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A health request was not answered")]
    private partial void LogAnswerFailed(Exception exception);
}
