using System.Collections.Concurrent;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using AwsModelPlatform.Handlers.Aws;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>
/// Wakes a model scaled to zero on SageMaker's no-capacity answer, and remembers how long its cold starts take.
/// <list type="bullet">
/// <item>One wake call per model: requests of this function instance join the wake in flight; across instances a
/// conditional put (<c>If-None-Match: *</c>) of a wake marker per model and <see cref="WakeSettings.MarkerSeconds"/>
/// window decides which one calls (S3 conditional writes: https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).</item>
/// <item>Never against autoscaling: the wake asks for copies only while <c>DescribeInferenceComponent</c> reports none
/// desired; when the alarm path, a warm window or another instance already asked, it does nothing. Application Auto
/// Scaling later moves the count within its own minimum and maximum, so scale-in still returns the model to zero.</item>
/// <item>Only inference components answer no-capacity: an async endpoint at zero queues the request (its backlog alarm
/// adds an instance) and a real-time variant never scales below one instance, so there is nothing else to wake.</item>
/// </list>
/// A wake that fails (throttled, denied) is logged and left to the alarm path, the backstop.
/// </summary>
internal sealed partial class ModelWaker(IOptions<InferenceSettings> options, SageMakerClient control, IAmazonS3 s3, TimeProvider time, ILogger<ModelWaker> log)
{
    private sealed class State
    {
        public readonly Lock Gate = new();
        public Task<bool>? Wake;
        public DateTimeOffset? ColdSince;
        public TimeSpan? Observed;
    }

    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);
    private readonly WakeSettings _o = options.Value.Wake;

    /// <summary>
    /// The model answered no-capacity: starts its cold start clock and, once per model, the wake. True when this call
    /// asked SageMaker for copies (the request counts in <c>Wakes</c>).
    /// </summary>
    public async Task<bool> OnNoCapacityAsync(ModelEntryConfig model, CancellationToken ct)
    {
        var state = _states.GetOrAdd(model.Name, _ => new State());
        Task<bool> wake;
        bool mine;
        lock (state.Gate)
        {
            state.ColdSince ??= time.GetUtcNow();
            mine = state.Wake is not { IsCompleted: false };
            if (mine) state.Wake = _o.Enabled && model.InferenceComponentName is not null ? WakeAsync(model) : Task.FromResult(false);
            wake = state.Wake!;
        }
        // The wake goes on when this client leaves: the next one benefits from it.
        var woke = await wake.WaitAsync(ct);
        return mine && woke;
    }

    /// <summary>The model answered: the cold start it ends, if one was running (kept as the model's observed cold start).</summary>
    public TimeSpan? OnSuccess(ModelEntryConfig model)
    {
        if (!_states.TryGetValue(model.Name, out var state)) return null;
        lock (state.Gate)
        {
            if (state.ColdSince is not { } since) return null;
            var took = time.GetUtcNow() - since;
            state.ColdSince = null;
            state.Observed = took;
            return took;
        }
    }

    /// <summary>
    /// How long a client should wait before sending again: what is left of the model's observed cold start, or
    /// <see cref="WakeSettings.RetryAfterSeconds"/> before one was observed here.
    /// </summary>
    public TimeSpan RetryAfter(ModelEntryConfig model)
    {
        var fallback = TimeSpan.FromSeconds(Math.Max(1, _o.RetryAfterSeconds));
        if (!_states.TryGetValue(model.Name, out var state)) return fallback;
        lock (state.Gate)
        {
            if (state.Observed is not { } observed) return fallback;
            var left = state.ColdSince is { } since ? observed - (time.GetUtcNow() - since) : observed;
            // Longer than observed this time: ask again after a quarter of a cold start rather than at once.
            if (left < TimeSpan.FromSeconds(1)) left = TimeSpan.FromSeconds(Math.Clamp(observed.TotalSeconds / 4, 1, 30));
            return TimeSpan.FromSeconds(Math.Ceiling(left.TotalSeconds));
        }
    }

    private async Task<bool> WakeAsync(ModelEntryConfig model)
    {
        var component = model.InferenceComponentName!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var described = await control.DescribeInferenceComponentAsync(component, cts.Token);
            if (described.DesiredCopies > 0) return false;
            if (!await TryMarkAsync(model, cts.Token)) return false;
            await control.UpdateInferenceComponentRuntimeConfigAsync(component, Math.Max(1, _o.Copies), cts.Token);
            LogWake(log, model.Name, component);
            return true;
        }
        catch (Exception e) when (e is SageMakerApiException or AmazonS3Exception or HttpRequestException or OperationCanceledException)
        {
            LogWakeFailed(log, model.Name, component, e.Message);
            return false;
        }
    }

    /// <summary>The conditional put of this window's wake marker: true for the one function instance that wrote it.</summary>
    private async Task<bool> TryMarkAsync(ModelEntryConfig model, CancellationToken ct)
    {
        if (_o.MarkerBucket is not { Length: > 0 } bucket) return true;
        var window = time.GetUtcNow().ToUnixTimeSeconds() / (long)Math.Max(1, _o.MarkerSeconds);
        var key = _o.MarkerKey(model.Name, window);
        try
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "", IfNoneMatch = "*" }, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "model {Model}: no capacity; asked SageMaker for copies of {Component}")]
    private static partial void LogWake(ILogger logger, string model, string component);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "model {Model}: waking {Component} failed ({Reason}); the alarm-driven scale-out remains")]
    private static partial void LogWakeFailed(ILogger logger, string model, string component, string reason);
}
