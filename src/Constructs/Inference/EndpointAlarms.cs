using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// The alarms a <see cref="GpuModelEndpoint"/> creates, all on the platform's alarm topic; each is null where the
/// endpoint's hosting mode has no such alarm.
/// </summary>
public sealed record EndpointAlarms
{
    /// <summary>More than <see cref="GpuModelEndpointProps.ServerErrorRateAlarmPercent"/> % of requests answered with a 5xx for 15 minutes; synchronous endpoints.</summary>
    public Alarm? ServerErrors { get; init; }

    /// <summary>p99 model latency above <see cref="GpuModelEndpointProps.ModelLatencyP99AlarmThreshold"/> for 15 minutes; synchronous endpoints.</summary>
    public Alarm? ModelLatency { get; init; }

    /// <summary>GPU memory above <see cref="GpuModelEndpointProps.GpuMemoryAlarmPercent"/> % for 15 minutes; GPU instance types.</summary>
    public Alarm? GpuMemory { get; init; }

    /// <summary>The oldest queued request older than <see cref="AsyncInference.BacklogAgeAlarmThreshold"/> for 15 minutes; async endpoints.</summary>
    public Alarm? BacklogAge { get; init; }

    /// <summary>At least <see cref="AsyncInference.InvocationFailuresAlarmThreshold"/> failed async requests in 5 minutes; async endpoints.</summary>
    public Alarm? AsyncInvocationFailures { get; init; }

    /// <summary>Instances running without a single invocation for <see cref="GpuModelEndpointProps.IdleAlarmAfter"/>: the cost alarm of the instance modes.</summary>
    public Alarm? IdleGpu { get; init; }

    /// <summary>Every alarm the endpoint created, in the order above.</summary>
    public IReadOnlyList<Alarm> All => new[] { ServerErrors, ModelLatency, GpuMemory, BacklogAge, AsyncInvocationFailures, IdleGpu }.OfType<Alarm>().ToList();
}
