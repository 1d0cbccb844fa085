using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>The alarms a <see cref="PlatformRestApi"/> creates on its stage, all on the platform's alarm topic.</summary>
public sealed record RestApiAlarms
{
    /// <summary>More than 5 % of requests answered 5xx over 5 minutes, with at least 20 requests.</summary>
    public required Alarm ServerErrorRate { get; init; }

    /// <summary>p99 latency above 20 s for 15 minutes (buffered routes time out at 29 s).</summary>
    public required Alarm LatencyP99 { get; init; }

    /// <summary>More than 500 4xx responses in 5 minutes: a client misconfigured, unauthorized or probing.</summary>
    public required Alarm ClientErrorSpike { get; init; }

    /// <summary>More requests in 5 minutes than <see cref="PlatformRestApiProps.RequestVolumeAlarmPer5Minutes"/>: a runaway client.</summary>
    public required Alarm RequestVolume { get; init; }

    /// <summary>Every alarm of the stage, in the order above.</summary>
    public IReadOnlyList<Alarm> All => new[] { ServerErrorRate, LatencyP99, ClientErrorSpike, RequestVolume };
}
