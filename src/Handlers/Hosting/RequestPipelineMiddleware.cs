using System.Diagnostics;
using AwsModelPlatform.Handlers.Aws;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>
/// The one cross-cutting middleware: request ids, problem+json for every error, the access log line and the
/// EMF metrics line. Routes throw <see cref="ApiProblemException"/> or let client errors bubble up.
/// </summary>
public sealed partial class RequestPipelineMiddleware(RequestDelegate next, ILogger<RequestPipelineMiddleware> logger, EmfMetrics metrics)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var ctx = RequestContext.From(http);
        http.Features.Set(ctx);
        http.Response.Headers["x-request-id"] = ctx.RequestId;
        try
        {
            await next(http);
            if (http.Response.StatusCode >= 400 && !http.Response.HasStarted)
                await WriteProblemAsync(http, Problems.ForStatus(http.Response.StatusCode), null);
        }
        catch (Exception e) when (http.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The client went away; the upstream call was cancelled with it. Nothing to answer.
            http.Response.StatusCode = 499;
            LogClientGone(logger, ctx.RequestId);
        }
        catch (Exception e)
        {
            var (problem, retryAfter) = Map(e, ctx);
            if (problem.Status >= 500 && e is not SageMakerException and not ApiProblemException)
                LogFailure(logger, ctx.RequestId, e.GetType().Name, e);
            if (http.Response.HasStarted)
            {
                // Too late for a status code: cut the response so the client sees a broken stream, never a silent truncation.
                ctx.FailedAfterStart = true;
                LogCutAfterStart(logger, ctx.RequestId, problem.Type);
                http.Abort();
            }
            else
            {
                await WriteProblemAsync(http, problem, retryAfter);
            }
        }
        finally
        {
            var elapsedMs = Stopwatch.GetElapsedTime(ctx.StartTimestamp).TotalMilliseconds;
            var status = http.Response.StatusCode;
            LogRequest(logger, ctx.RequestId, ctx.Caller, http.Request.Method, http.GetEndpoint()?.DisplayName ?? http.Request.Path.Value ?? "", ctx.Model ?? "-", status, Math.Round(elapsedMs, 3), ctx.UpstreamRequestId);
            if (ctx.Model is not null)
            {
                metrics.Request(ctx.Model, status, ctx.FailedAfterStart, elapsedMs, ctx.RequestId);
                if (ctx.Usage is not null) metrics.Tokens(ctx.Model, ctx.Caller, ctx.Usage, ctx.RequestId);
            }
        }
    }

    private static (Problem, TimeSpan?) Map(Exception e, RequestContext ctx) => e switch
    {
        ApiProblemException p => (p.Problem, p.RetryAfter),
        SageMakerException s => Problems.FromSageMaker(s),
        TimeoutRejectedException => (Problems.Timeout("The model did not answer within the deadline."), null),
        BrokenCircuitException b => (Problems.CircuitOpen(ctx.Model ?? "?"), b.RetryAfter ?? TimeSpan.FromSeconds(5)),
        SageMakerStreamException s => (new Problem("https://awsmodelplatform.dev/problems/stream-error", "Stream error", 502, s.Message, UpstreamRequestId: ctx.UpstreamRequestId), null),
        HttpRequestException => (new Problem("https://awsmodelplatform.dev/problems/upstream-unreachable", "SageMaker unreachable", 502, "The SageMaker Runtime endpoint could not be reached."), null),
        BadHttpRequestException b => (Problems.ForStatus(b.StatusCode) with { Detail = b.Message }, null),
        _ => (Problems.Internal(), null),
    };

    internal static async Task WriteProblemAsync(HttpContext http, Problem problem, TimeSpan? retryAfter)
    {
        var ctx = http.Features.Get<RequestContext>();
        problem = problem with
        {
            Instance = problem.Instance ?? http.Request.Path.Value,
            RequestId = ctx?.RequestId,
            UpstreamRequestId = problem.UpstreamRequestId ?? ctx?.UpstreamRequestId,
        };
        http.Response.Clear();
        http.Response.StatusCode = problem.Status;
        if (ctx is not null) http.Response.Headers["x-request-id"] = ctx.RequestId;
        if (problem.UpstreamRequestId is not null) http.Response.Headers["x-upstream-request-id"] = problem.UpstreamRequestId;
        if (retryAfter is { } ra) http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(ra.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/problem+json";
        await System.Text.Json.JsonSerializer.SerializeAsync(http.Response.Body, problem, HandlerJsonContext.Default.Problem, http.RequestAborted);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "request {RequestId} caller={Caller} {Method} {Route} model={Model} status={Status} latencyMs={LatencyMs} upstreamRequestId={UpstreamRequestId}")]
    private static partial void LogRequest(ILogger logger, string requestId, string caller, string method, string route, string model, int status, double latencyMs, string? upstreamRequestId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "request {RequestId} failed with {ExceptionType}")]
    private static partial void LogFailure(ILogger logger, string requestId, string exceptionType, Exception e);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "request {RequestId}: client disconnected; upstream call cancelled")]
    private static partial void LogClientGone(ILogger logger, string requestId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "request {RequestId}: error {ProblemType} after the response started; connection aborted")]
    private static partial void LogCutAfterStart(ILogger logger, string requestId, string problemType);
}
