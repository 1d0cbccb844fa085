using AwsModelPlatform.Handlers.Aws;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>
/// One Polly pipeline per SageMaker endpoint: a deadline (timeout) around jittered retries of retryable errors
/// (never past the remaining deadline) around a circuit breaker that trips on service faults.
/// </summary>
internal sealed class InvocationResilience(IOptions<InferenceSettings> options, TimeProvider time)
{
    private static readonly ResiliencePropertyKey<DateTimeOffset> DeadlineKey = new("deadline");
    private readonly ResiliencePipelineRegistry<string> _registry = new();
    private readonly InferenceSettings _o = options.Value;

    public async Task<T> ExecuteAsync<T>(string endpointName, TimeSpan deadline, Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        var pipeline = _registry.GetOrAddPipeline(endpointName, Build);
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(DeadlineKey, time.GetUtcNow() + deadline);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try { return Outcome.FromResult(await state(ctx.CancellationToken)); }
                    catch (Exception e) { return Outcome.FromException<T>(e); }
                }, context, call);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private void Build(ResiliencePipelineBuilder builder)
    {
        builder.TimeProvider = time;
        builder
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(
                    args.Context.Properties.TryGetValue(DeadlineKey, out var d) ? Max(d - time.GetUtcNow(), TimeSpan.FromMilliseconds(1)) : TimeSpan.FromSeconds(_o.TimeoutSeconds)),
            })
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(_o.MaxRetries, 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(_o.RetryBaseDelayMilliseconds),
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = args => ValueTask.FromResult(_o.MaxRetries > 0 && IsRetryable(args.Outcome.Exception) && FitsDeadline(args.Context, args.AttemptNumber, args.Outcome.Exception)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Exception is SageMakerException { RetryAfter: { } ra } && ra > TimeSpan.Zero ? Min(ra, TimeSpan.FromSeconds(5)) : null),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = _o.BreakerFailureRatio,
                MinimumThroughput = Math.Max(_o.BreakerMinimumThroughput, 2),
                SamplingDuration = TimeSpan.FromSeconds(Math.Max(_o.BreakerSamplingSeconds, 0.5)),
                BreakDuration = TimeSpan.FromSeconds(Math.Max(_o.BreakerBreakSeconds, 0.5)),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is SageMakerException { IsServiceFault: true } or HttpRequestException),
            });
    }

    private static bool IsRetryable(Exception? e) => e switch
    {
        SageMakerException s => s.IsRetryable,
        HttpRequestException => true,
        _ => false,
    };

    /// <summary>Retry only if the expected backoff still leaves time for an attempt before the deadline.</summary>
    private bool FitsDeadline(ResilienceContext context, int attempt, Exception? e)
    {
        if (!context.Properties.TryGetValue(DeadlineKey, out var deadline)) return true;
        var expected = TimeSpan.FromMilliseconds(_o.RetryBaseDelayMilliseconds * Math.Pow(2, attempt));
        if (e is SageMakerException { RetryAfter: { } ra } && ra > expected) expected = Min(ra, TimeSpan.FromSeconds(5));
        return deadline - time.GetUtcNow() > expected + expected;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
