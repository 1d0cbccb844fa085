using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>The alarms a <see cref="HandlerFunction"/> creates, all on the platform's alarm topic.</summary>
public sealed record HandlerFunctionAlarms
{
    /// <summary>5 or more failed invocations in 5 minutes: crashes, timeouts and adapter failures (handler errors are HTTP answers, not Lambda errors).</summary>
    public required Alarm Errors { get; init; }

    /// <summary>An invocation throttled in 5 minutes: the reserved concurrency is full.</summary>
    public required Alarm Throttles { get; init; }

    /// <summary>Concurrent executions at <see cref="HandlerFunctionProps.ConcurrencyAlarmPercent"/> % of the reserved concurrency for 10 minutes.</summary>
    public required Alarm Concurrency { get; init; }

    /// <summary>Every alarm of the function, in the order above.</summary>
    public IReadOnlyList<Alarm> All => new[] { Errors, Throttles, Concurrency };
}
