using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// The AWS Batch calls of the training API, through one Polly pipeline: a deadline (<see cref="TrainingSettings.BatchTimeoutSeconds"/>),
/// and jittered retries of throttling (every call: a throttled request was not executed) and of 5xx / connection failures (read
/// and stop calls only; SubmitJob is not idempotent at Batch). Failures leave as <see cref="ApiProblemException"/>s from
/// <see cref="Problems"/>.
/// </summary>
internal sealed class BatchGateway(BatchClient batch, TrainingSettings settings, TimeProvider time)
{
    private static readonly ResiliencePropertyKey<bool> Idempotent = new("idempotent");
    private readonly ResiliencePipeline _pipeline = Pipeline(settings, time);

    /// <summary>
    /// Submits <paramref name="request"/> once (no retry of a 5xx or a lost connection). When Batch definitely refused it (a 4xx
    /// other than throttling: no job exists), <paramref name="refused"/> runs with the problem before it is thrown.
    /// </summary>
    public async Task<SubmitJobResponse> SubmitJobAsync(SubmitJobRequest request, Func<Problem, Task>? refused, CancellationToken ct)
    {
        var outcome = await OutcomeAsync(c => batch.SubmitJobAsync(request, c), idempotent: false, ct);
        if (outcome.Exception is not { } e) return outcome.Result!;
        var mapped = Map(e, ct);
        // Throttling, 5xx, timeouts and lost connections are not definite: the job may exist.
        if (refused is not null && e is BatchException { IsThrottling: false, StatusCode: >= 400 and < 500 } && mapped is ApiProblemException p
            && !ct.IsCancellationRequested)
            await refused(p.Problem);
        throw mapped;
    }

    public Task<ListJobsResponse> ListJobsAsync(ListJobsRequest request, CancellationToken ct) =>
        CallAsync(c => batch.ListJobsAsync(request, c), ct);

    public Task<DescribeJobsResponse> DescribeJobsAsync(IReadOnlyList<string> ids, CancellationToken ct) =>
        CallAsync(c => batch.DescribeJobsAsync(new DescribeJobsRequest(ids), c), ct);

    public Task TerminateJobAsync(string id, string reason, CancellationToken ct) =>
        CallAsync(async c => { await batch.TerminateJobAsync(new StopJobRequest(id, reason), c); return true; }, ct);

    /// <summary>An idempotent call (retried on 5xx and lost connections too).</summary>
    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        var outcome = await OutcomeAsync(call, idempotent: true, ct);
        if (outcome.Exception is { } e) throw Map(e, ct);
        return outcome.Result!;
    }

    /// <summary>The call through the pipeline; its exception as Batch (or the deadline) raised it, not yet mapped to a problem.</summary>
    private async Task<Outcome<T>> OutcomeAsync<T>(Func<CancellationToken, Task<T>> call, bool idempotent, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(Idempotent, idempotent);
        try
        {
            return await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try { return Outcome.FromResult(await state(ctx.CancellationToken)); }
                    catch (Exception e) { return Outcome.FromException<T>(e); }
                }, context, call);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static Exception Map(Exception e, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return e;
        switch (e)
        {
            case BatchException b:
                var (problem, retryAfter) = Problems.FromBatch(b);
                return new ApiProblemException(problem, retryAfter);
            case TimeoutRejectedException:
                return new ApiProblemException(Problems.Timeout("AWS Batch did not answer within the deadline."));
            case HttpRequestException:
                return new ApiProblemException(Problems.Unreachable("AWS Batch"));
            default:
                return e;
        }
    }

    private static ResiliencePipeline Pipeline(TrainingSettings o, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        return builder
            .AddTimeout(TimeSpan.FromSeconds(Math.Max(o.BatchTimeoutSeconds, 1)))
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception switch
                {
                    BatchException { IsThrottling: true } => true,
                    BatchException { StatusCode: >= 500 } or HttpRequestException => args.Context.Properties.GetValue(Idempotent, false),
                    _ => false,
                }),
            })
            .Build();
    }
}
