using System.Diagnostics;
using LeadFlow.Steps;
using Temporalio.Activities;
using Temporalio.Api.Common.V1;
using Temporalio.Client;
using Temporalio.Client.Interceptors;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Worker.Interceptors;
using Temporalio.Workflows;

namespace LeadFlow.Temporal.Tracing;

/// <summary>
/// Carries W3C trace context (<c>traceparent</c>, <c>tracestate</c>) through Temporal, so a lead is one trace from the
/// intake to the backend's SQL: the client's start, the workflow run, each activity it schedules and each activity
/// attempt are spans (<see cref="System.Diagnostics.Activity"/> of <see cref="SourceName"/>), linked through the
/// Temporal headers of <c>StartWorkflowInput</c>, <c>ScheduleActivityInput</c> and <c>ScheduleLocalActivityInput</c>.
/// Set on the client (<see cref="TemporalConnectOptionsFactory"/>), it applies to the workers made from that client too.
/// </summary>
/// <remarks>
/// <para>
/// A stand-in for <c>Temporalio.Extensions.OpenTelemetry</c>'s <c>TracingInterceptor</c>, which the registry here does
/// not serve: the same header key (<see cref="HeaderKey"/>, a JSON object of the W3C fields) and span names
/// (<c>StartWorkflow:</c>, <c>RunWorkflow:</c>, <c>StartActivity:</c>, <c>RunActivity:</c>), so the package can replace
/// this class without breaking runs in flight.
/// </para>
/// <para>
/// Workflow code is replayed: a span is created there only when <see cref="Workflow.Unsafe"/> says the code is not
/// replaying, and it ends at once (a .NET activity cannot stay open across workflow tasks, which may run on other
/// workers). After a replay the run's span context is not known any more, and activities scheduled from then on are
/// parented by the client's start span instead.
/// </para>
/// <para>
/// Spans carry ids (<see cref="LeadIdTag"/>, <see cref="StepTag"/>, the run id, the attempt) and the failure's
/// <c>error.type</c>, never a payload or an error message: those may hold a lead's personal data.
/// </para>
/// </remarks>
public sealed class TemporalTracingInterceptor : IClientInterceptor, IWorkerInterceptor
{
    /// <summary>The <see cref="ActivitySource"/> name of every span this class makes; add it to a tracer provider.</summary>
    public const string SourceName = "LeadFlow.Temporal";

    /// <summary>The Temporal header holding the trace context, as the official interceptor names it.</summary>
    public const string HeaderKey = "_tracer-data";

    /// <summary>The lead's durable id (the workflow id, <c>lead-&lt;event id&gt;</c>).</summary>
    public const string LeadIdTag = "leadflow.lead.id";

    /// <summary>The step (the activity type, one of the lead onboarding steps).</summary>
    public const string StepTag = "leadflow.step";

    private static readonly ActivitySource Source = new(SourceName);

    /// <inheritdoc/>
    public ClientOutboundInterceptor InterceptClient(ClientOutboundInterceptor nextInterceptor) => new ClientOutbound(nextInterceptor);

    /// <inheritdoc/>
    public WorkflowInboundInterceptor InterceptWorkflow(WorkflowInboundInterceptor nextInterceptor) => new WorkflowInbound(nextInterceptor);

    /// <inheritdoc/>
    public ActivityInboundInterceptor InterceptActivity(ActivityInboundInterceptor nextInterceptor) => new ActivityInbound(nextInterceptor);

    /// <summary>
    /// The client span of a workflow start made without the SDK's <c>StartWorkflowAsync</c> (a raw
    /// <c>StartWorkflowExecution</c> call skips the interceptors); null when no one listens. Dispose it after the call.
    /// </summary>
    public static Activity? StartWorkflowSpan(string workflowType, string workflowId) =>
        Source.StartActivity($"StartWorkflow:{workflowType}", ActivityKind.Client, parentContext: default, tags: WorkflowTags(workflowId));

    /// <summary>
    /// The header to send with a raw start: the context of <paramref name="span"/>, else of <see cref="Activity.Current"/>;
    /// null when there is no trace to continue.
    /// </summary>
    public static Header? HeaderFor(Activity? span)
    {
        var fields = Inject(null, (span ?? Activity.Current)?.Context ?? default);
        if (fields is null)
        {
            return null;
        }

        var header = new Header();
        header.Fields.Add(fields);
        return header;
    }

    /// <summary>Marks <paramref name="span"/> failed with the failure's type (never its message: it may hold personal data).</summary>
    public static void RecordFailure(Activity? span, Exception failure)
    {
        if (span is null)
        {
            return;
        }

        var type = failure switch
        {
            ApplicationFailureException { ErrorType: { } errorType } => errorType,
            ActivityFailureException { InnerException: ApplicationFailureException { ErrorType: { } inner } } => inner,
            _ => failure.GetType().Name,
        };
        SpanFailure.Record(span, type);
    }

    private static KeyValuePair<string, object?>[] WorkflowTags(string workflowId) =>
        [new("temporal.workflow.id", workflowId), new(LeadIdTag, workflowId)];

    /// <summary>Adds the trace header to <paramref name="headers"/> (a copy); unchanged when <paramref name="context"/> is no trace.</summary>
    private static Dictionary<string, Payload>? Inject(IDictionary<string, Payload>? headers, ActivityContext context)
    {
        if (context == default)
        {
            return headers is null ? null : new Dictionary<string, Payload>(headers);
        }

        var carrier = new Dictionary<string, string>
        {
            ["traceparent"] = $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}",
        };
        if (!string.IsNullOrEmpty(context.TraceState))
        {
            carrier["tracestate"] = context.TraceState;
        }

        // Plain JSON, outside the payload codec: the header holds ids only, and any worker must read it.
        var result = headers is null ? [] : new Dictionary<string, Payload>(headers);
        result[HeaderKey] = DataConverter.Default.PayloadConverter.ToPayload(carrier);
        return result;
    }

    private static ActivityContext Extract(IReadOnlyDictionary<string, Payload>? headers)
    {
        if (headers is null || !headers.TryGetValue(HeaderKey, out var payload))
        {
            return default;
        }

        var carrier = DataConverter.Default.PayloadConverter.ToValue<Dictionary<string, string>>(payload);
        return carrier.TryGetValue("traceparent", out var parent)
            && ActivityContext.TryParse(parent, carrier.GetValueOrDefault("tracestate"), isRemote: true, out var context)
            ? context
            : default;
    }

    private sealed class ClientOutbound(ClientOutboundInterceptor next) : ClientOutboundInterceptor(next)
    {
        public override async Task<WorkflowHandle<TWorkflow, TResult>> StartWorkflowAsync<TWorkflow, TResult>(StartWorkflowInput input)
        {
            using var span = StartWorkflowSpan(input.Workflow, input.Options.Id ?? "");
            if (Inject(input.Headers, (span ?? Activity.Current)?.Context ?? default) is { } headers)
            {
                input = input with { Headers = headers };
            }

            try
            {
                return await base.StartWorkflowAsync<TWorkflow, TResult>(input).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                RecordFailure(span, e);
                throw;
            }
        }
    }

    private sealed class WorkflowInbound(WorkflowInboundInterceptor next) : WorkflowInboundInterceptor(next)
    {
        /// <summary>The parent of the activities this run schedules: its run span, or the start's span after a replay.</summary>
        internal ActivityContext RunContext { get; private set; }

        public override void Init(WorkflowOutboundInterceptor outbound) => base.Init(new WorkflowOutbound(this, outbound));

        public override async Task<object?> ExecuteWorkflowAsync(ExecuteWorkflowInput input)
        {
            var info = Workflow.Info;
            RunContext = Extract(info.Headers);
            if (!Workflow.Unsafe.IsReplaying)
            {
                using var span = Source.StartActivity($"RunWorkflow:{info.WorkflowType}", ActivityKind.Server, RunContext, RunTags(info));
                if (span is not null)
                {
                    RunContext = span.Context;
                }
            }

            try
            {
                return await base.ExecuteWorkflowAsync(input).ConfigureAwait(true);
            }
            catch (Exception e) when (e is not ContinueAsNewException && !Workflow.Unsafe.IsReplaying)
            {
                using var span = Source.StartActivity($"CompleteWorkflow:{info.WorkflowType}", ActivityKind.Internal, RunContext, RunTags(info));
                RecordFailure(span, e);
                throw;
            }
        }

        private static KeyValuePair<string, object?>[] RunTags(WorkflowInfo info) =>
            [new("temporal.workflow.id", info.WorkflowId), new("temporal.run.id", info.RunId), new(LeadIdTag, info.WorkflowId)];
    }

    private sealed class WorkflowOutbound(WorkflowInbound run, WorkflowOutboundInterceptor next) : WorkflowOutboundInterceptor(next)
    {
        public override Task<TResult> ScheduleActivityAsync<TResult>(ScheduleActivityInput input) =>
            base.ScheduleActivityAsync<TResult>(input with { Headers = Scheduled(input.Activity, input.Headers) });

        public override Task<TResult> ScheduleLocalActivityAsync<TResult>(ScheduleLocalActivityInput input) =>
            base.ScheduleLocalActivityAsync<TResult>(input with { Headers = Scheduled(input.Activity, input.Headers) });

        /// <summary>The activity's headers with its schedule span's context (the run's while replaying: those commands are not sent again).</summary>
        private IDictionary<string, Payload>? Scheduled(string activity, IDictionary<string, Payload>? headers)
        {
            var context = run.RunContext;
            if (!Workflow.Unsafe.IsReplaying)
            {
                var info = Workflow.Info;
                using var span = Source.StartActivity(
                    $"StartActivity:{activity}",
                    ActivityKind.Client,
                    context,
                    [new("temporal.workflow.id", info.WorkflowId), new(LeadIdTag, info.WorkflowId), new(StepTag, activity)]);
                context = span?.Context ?? context;
            }

            return Inject(headers, context) ?? headers;
        }
    }

    private sealed class ActivityInbound(ActivityInboundInterceptor next) : ActivityInboundInterceptor(next)
    {
        public override async Task<object?> ExecuteActivityAsync(ExecuteActivityInput input)
        {
            var info = ActivityExecutionContext.Current.Info;
            using var span = Source.StartActivity(
                $"RunActivity:{info.ActivityType}",
                ActivityKind.Server,
                Extract(input.Headers),
                [
                    new("temporal.workflow.id", info.WorkflowId),
                    new("temporal.run.id", info.WorkflowRunId),
                    new("temporal.activity.attempt", info.Attempt),
                    new(LeadIdTag, info.WorkflowId),
                    new(StepTag, info.ActivityType),
                ]);
            try
            {
                return await base.ExecuteActivityAsync(input).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                RecordFailure(span, e);
                throw;
            }
        }
    }
}
