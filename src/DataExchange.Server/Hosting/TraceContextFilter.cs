using System.Diagnostics;
using DataExchange.Core.Common;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Carries the W3C trace context from where a Hangfire job is created to where it runs: the creating
/// request's (or job's) <c>traceparent</c> is kept as a job parameter, and the job runs in a span of the
/// <see cref="Telemetry.Source"/> under it, so its log lines carry the same <c>TraceId</c> as the request
/// that queued it. A job created outside any trace (recurring triggers) starts a trace of its own.
/// </summary>
public sealed class TraceContextFilter : JobFilterAttribute, IClientFilter, IServerFilter
{
    const string Parameter = "TraceParent";
    const string Span = "dx.trace.span";

    /// <summary>Adds the filter to Hangfire's global filters once per process (every host shares them).</summary>
    public static void Register()
    {
        lock (Hangfire.GlobalJobFilters.Filters)
            if (!Hangfire.GlobalJobFilters.Filters.Any(f => f.Instance is TraceContextFilter)) Hangfire.GlobalJobFilters.Filters.Add(new TraceContextFilter());
    }

    public void OnCreating(CreatingContext context)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current) context.SetJobParameter(Parameter, current.Id);
    }

    public void OnCreated(CreatedContext context) { }

    public void OnPerforming(PerformingContext context)
    {
        ActivityContext.TryParse(context.GetJobParameter<string>(Parameter), null, out var parent);
        var job = context.BackgroundJob.Job;
        var span = Telemetry.Source.StartActivity($"{job.Type.Name}.{job.Method.Name}", ActivityKind.Internal, parent);
        span?.SetTag("hangfire.job.id", context.BackgroundJob.Id);
        context.Items[Span] = span;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(Span, out var span) && span is Activity activity)
        {
            if (context.Exception is { } e && !context.ExceptionHandled) activity.SetStatus(ActivityStatusCode.Error, e.Message);
            activity.Dispose();
        }
    }
}
