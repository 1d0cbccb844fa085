namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// How the endpoint is hosted, chosen with one prop: <see cref="RealTimeHosting"/> (instances, optionally async),
/// <see cref="InferenceComponentHosting"/> (instances shared by model copies; scales to zero) or
/// <see cref="ServerlessHosting"/>.
/// </summary>
public abstract record EndpointHosting
{
    private protected EndpointHosting() { }

    internal abstract string PropName { get; }

    /// <summary>The SageMaker Runtime calls an endpoint hosted this way serves.</summary>
    internal abstract EndpointInvocations Invocations { get; }
}

/// <summary>What the two instance-based modes share: the instance type, the fleet bounds, timeouts and scaling cooldowns.</summary>
public abstract record InstanceHosting : EndpointHosting
{
    private protected InstanceHosting() { }

    /// <summary>The instance type, one of <see cref="SageMakerInstanceTypes"/>, e.g. <c>ml.g5.2xlarge</c>.</summary>
    public required string InstanceType { get; init; }

    /// <summary>Instances the endpoint starts with.</summary>
    /// <remarks>Default: <see cref="MinInstances"/>, or 1 when that is 0 (SageMaker creates a variant with at least one instance).</remarks>
    public int? InitialInstances { get; init; }

    /// <summary>The fewest instances autoscaling keeps.</summary>
    public abstract int MinInstances { get; init; }

    /// <summary>The most instances autoscaling may run; this bounds the worst-case cost.</summary>
    /// <remarks>Default: <see cref="MinInstances"/> (at least 1): no scale-out unless asked, so the bill is what you see.</remarks>
    public int? MaxInstances { get; init; }

    /// <summary>EBS volume per instance, in GB (1 to 512). Only for types without local NVMe storage.</summary>
    /// <remarks>Default: SageMaker's default for the type. Types with local NVMe storage (g4dn, g5, g6, g6e, p4d, p5) refuse it.</remarks>
    public int? VolumeSizeGb { get; init; }

    /// <summary>How long the container may take to pass its first <c>/ping</c> (60 s to 1 h).</summary>
    /// <remarks>Default: 600 s: LLM containers load tens of GB of weights into GPU memory before they answer.</remarks>
    public Duration ContainerStartupTimeout { get; init; } = Duration.Seconds(600);

    /// <summary>How long SageMaker may take to download the model data (60 s to 1 h).</summary>
    /// <remarks>Default: 600 s, enough for ~100 GB of weights from S3 in the same region.</remarks>
    public Duration ModelDownloadTimeout { get; init; } = Duration.Seconds(600);

    /// <summary>Time after a scale-out before another scale-out.</summary>
    /// <remarks>Default: 300 s: a GPU instance takes minutes to start and load the model; scaling again before it serves overshoots.</remarks>
    public Duration ScaleOutCooldown { get; init; } = Duration.Seconds(300);

    /// <summary>Time after a scale-in before another scale-in.</summary>
    /// <remarks>Default: 600 s: removing GPU capacity slowly avoids flapping under bursty LLM traffic.</remarks>
    public Duration ScaleInCooldown { get; init; } = Duration.Seconds(600);

    /// <summary>Target utilization, in percent of the sustainable request rate, that target tracking holds (10 to 90).</summary>
    /// <remarks>Default: 70: headroom for a burst while a new instance starts.</remarks>
    public int TargetUtilizationPercent { get; init; } = 70;

    internal int EffectiveMax => MaxInstances ?? Math.Max(MinInstances, 1);
    internal int EffectiveInitial => InitialInstances ?? Math.Max(MinInstances, 1);
}
