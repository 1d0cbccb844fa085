using System.Diagnostics;
using AwsModelPlatform.Handlers.Aws;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>
/// The one cross-cutting middleware: request ids, problem+json for every error, the access log line and the
/// EMF metrics line. Routes throw <see cref="ApiProblemException"/> or let client errors bubble up.
/// </summary>
public sealed partial class RequestPipelineMiddleware(RequestDelegate next, ILogger<RequestPipelineMiddleware> logger, RequestLog requestLog)
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
            // The client went away; the upstream call was cancelled with it. Nothing to answer (499 in the log
            // unless the response had already started, whose status is then the one sent).
            if (!http.Response.HasStarted) http.Response.StatusCode = 499;
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
                await WriteProblemAsync(http, problem, retryAfter, (e as ApiProblemException)?.Headers);
            }
        }
        finally
        {
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            requestLog.Write(new RequestRecord(ctx.RequestId, ctx.Caller, http.Request.Method, route, ctx.Model, http.Response.StatusCode,
                ctx.FailedAfterStart, Stopwatch.GetElapsedTime(ctx.StartTimestamp).TotalMilliseconds, ctx.UpstreamRequestId, ctx.Usage, ctx.Metrics,
                ctx.Woke, ctx.ServedByFallback, ctx.ColdStart, ctx.Team, ctx.BudgetUsedPercent));
        }
    }

    internal static (Problem, TimeSpan?) Map(Exception e, RequestContext ctx) => e switch
    {
        ApiProblemException p => (p.Problem, p.RetryAfter),
        SageMakerException s => Problems.FromSageMaker(s, ctx.Model),
        Amazon.S3.AmazonS3Exception s3 => Problems.FromS3(s3),
        TimeoutRejectedException => (Problems.Timeout("The model did not answer within the deadline."), null),
        BrokenCircuitException b => (Problems.CircuitOpen(ctx.Model ?? "?"), b.RetryAfter ?? TimeSpan.FromSeconds(5)),
        SageMakerStreamException s => (Problems.StreamError(s, ctx.UpstreamRequestId), null),
        HttpRequestException h => (Problems.Unreachable(h), null),
        Amazon.Runtime.AmazonServiceException a => (Problems.FromAws(a), null),
        Amazon.Runtime.AmazonClientException c => (Problems.Unreachable(c), null),
        BadHttpRequestException b => (Problems.ForStatus(b.StatusCode) with { Detail = b.Message }, null),
        _ => (Problems.Internal(), null),
    };

    internal static async Task WriteProblemAsync(HttpContext http, Problem problem, TimeSpan? retryAfter, IReadOnlyDictionary<string, string>? headers = null)
    {
        var ctx = http.Features.Get<RequestContext>();
        problem = problem with
        {
            Instance = problem.Instance ?? http.Request.Path.Value,
            RequestId = ctx?.RequestId,
            UpstreamRequestId = problem.UpstreamRequestId ?? ctx?.UpstreamRequestId,
        };
        var allow = http.Response.Headers.Allow; // a 405 keeps the methods the route does allow
        http.Response.Clear();
        http.Response.StatusCode = problem.Status;
        if (problem.Status == 405) http.Response.Headers.Allow = allow;
        if (ctx is not null) http.Response.Headers["x-request-id"] = ctx.RequestId;
        if (problem.UpstreamRequestId is not null) http.Response.Headers["x-upstream-request-id"] = problem.UpstreamRequestId;
        if (headers is not null)
            foreach (var (name, value) in headers) http.Response.Headers[name] = value;
        if (retryAfter is { } ra) http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(ra.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/problem+json";
        await System.Text.Json.JsonSerializer.SerializeAsync(http.Response.Body, problem, HandlerJsonContext.Default.Problem, http.RequestAborted);
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "request {RequestId} failed with {ExceptionType}")]
    private static partial void LogFailure(ILogger logger, string requestId, string exceptionType, Exception e);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "request {RequestId}: client disconnected; upstream call cancelled")]
    private static partial void LogClientGone(ILogger logger, string requestId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "request {RequestId}: error {ProblemType} after the response started; connection aborted")]
    private static partial void LogCutAfterStart(ILogger logger, string requestId, string problemType);
}
