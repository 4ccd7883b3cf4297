using System.Collections.Concurrent;
using System.Text.Json;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LeadFlow.Cli.Demo;

/// <summary>
/// The demo's deliberate backend faults, keyed by the lead's RUT, in the backend's pipeline before its endpoints.
/// Only the demo's in-process backend has them; they are announced in the demo's output.
/// </summary>
public sealed class DemoFaults
{
    private readonly ConcurrentDictionary<(string Path, string Rut), Remaining> faults = new();

    public void Add(string rut, DemoFault fault) =>
        faults[(fault.Path, Normalized(rut))] = new Remaining(fault);

    /// <summary>How many answers were faked for the lead with this RUT.</summary>
    public int InjectedFor(string rut) => faults.Where(f => f.Key.Rut == Normalized(rut)).Sum(f => f.Value.Injected);

    public void Install(WebApplication app) => app.Use(InvokeAsync);

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? "";
        if (!HttpMethods.IsPost(context.Request.Method) || !faults.Keys.Any(k => string.Equals(k.Path, path, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context);
            return;
        }

        context.Request.EnableBuffering();
        var rut = await ReadRutAsync(context.Request);
        context.Request.Body.Position = 0;
        if (rut is null || !faults.TryGetValue((path.ToLowerInvariant(), rut), out var fault) || !fault.TryTake())
        {
            await next(context);
            return;
        }

        await Results.Problem(
            detail: $"deliberate, for this lead only (not a bug): {fault.Fault.StatusCode} to {path}",
            statusCode: fault.Fault.StatusCode,
            title: "Demo fault",
            type: "https://leadflow.example/problems/demo-fault").ExecuteAsync(context);
    }

    private static async Task<string?> ReadRutAsync(HttpRequest request)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("rut", out var rut) && rut.ValueKind == JsonValueKind.String
                ? Normalized(rut.GetString())
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Normalized(string? rut) => Rut.TryNormalize(rut, out var normalized, out _) ? normalized : rut ?? "";

    private sealed class Remaining(DemoFault fault)
    {
        private int taken;

        public DemoFault Fault { get; } = fault;

        public int Injected => Fault.Times == int.MaxValue ? Volatile.Read(ref taken) : Math.Min(Volatile.Read(ref taken), Fault.Times);

        public bool TryTake() => Interlocked.Increment(ref taken) <= Fault.Times || Fault.Times == int.MaxValue;
    }
}
