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

    /// <summary>Fails synthesis, naming the endpoint, the prop and the fix, when SageMaker would refuse this mode's settings.</summary>
    internal abstract void Check(ConstructChecks check);

    /// <summary>What this mode builds of <paramref name="endpoint"/>: its production variant and endpoint-config pieces, its scaling, and what only it needs.</summary>
    internal abstract EndpointVariant Variant(GpuModelEndpoint endpoint, GpuModelEndpointProps props);
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

    /// <summary>EBS volume per instance, whole GiB from 1 to 512 (e.g. <c>Size.Gibibytes(100)</c>). Only for types without local NVMe storage.</summary>
    /// <remarks>Default: SageMaker's default for the type. Types with local NVMe storage (g4dn, g5, g6, g6e, p4d, p5) refuse it.</remarks>
    public Size? VolumeSize { get; init; }

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

    /// <summary>The endpoint config's <c>VolumeSizeInGB</c>.</summary>
    internal int? VolumeSizeInGb => VolumeSize is { } size ? (int)Sizes.Gibibytes(size) : null;

    internal sealed override void Check(ConstructChecks check)
    {
        var p = PropName;
        check.That(SageMakerInstanceTypes.TryGet(InstanceType ?? "", out var type),
            $"{p}.InstanceType = '{InstanceType}' is not a SageMaker hosting instance type this library knows and prices; use one of {SageMakerInstanceTypes.Families} (see SageMakerInstanceTypes.All).");
        if (this is RealTimeHosting { Async: null })
            check.That(MinInstances >= 1,
                $"{p}.MinInstances = {MinInstances}: a synchronous real-time endpoint cannot scale to zero; use 1 or more, set Async for an async endpoint, or use InferenceComponentHosting to scale to zero.");
        else
            check.That(MinInstances >= 0, $"{p}.MinInstances = {MinInstances} is negative; use 0 or more.");
        check.That(MaxInstances is null || MaxInstances >= Math.Max(1, MinInstances),
            $"{p}.MinInstances = {MinInstances} and MaxInstances = {MaxInstances}: MaxInstances must be at least MinInstances and at least 1.");
        check.That(EffectiveInitial >= 1 && EffectiveInitial >= MinInstances && EffectiveInitial <= EffectiveMax,
            $"{p}.InitialInstances = {EffectiveInitial} is out of range: from max(1, MinInstances) = {Math.Max(1, MinInstances)} to MaxInstances = {EffectiveMax}.");
        check.That(!type.IsBurstable || EffectiveMax == MinInstances,
            $"{p}.InstanceType = '{InstanceType}' is burstable: its CPU credits make scaling metrics meaningless, so autoscaling (MinInstances {MinInstances} < MaxInstances {EffectiveMax}) is refused; set MaxInstances = MinInstances or use a non-burstable type such as ml.m5.large.");
        if (VolumeSize is { } volume)
        {
            var gib = Sizes.Gibibytes(volume);
            check.That(!type.HasLocalNvmeStorage,
                $"{p}.VolumeSize = {gib} GiB cannot be set for {type.Name}: it has local NVMe instance storage, which SageMaker uses instead of an EBS volume (and refuses VolumeSizeInGB for); leave VolumeSize unset.");
            check.That(gib is >= 1 and <= 512 && gib == Math.Floor(gib),
                $"{p}.VolumeSize = {gib} GiB is out of range: SageMaker attaches whole GiB from 1 to 512 of EBS per instance.");
        }
        check.WholeSeconds(ContainerStartupTimeout, 60, 3600, $"{p}.ContainerStartupTimeout");
        check.WholeSeconds(ModelDownloadTimeout, 60, 3600, $"{p}.ModelDownloadTimeout");
        check.WholeSeconds(ScaleOutCooldown, 0, 86400, $"{p}.ScaleOutCooldown");
        check.WholeSeconds(ScaleInCooldown, 0, 86400, $"{p}.ScaleInCooldown");
        check.InRange(TargetUtilizationPercent, 10, 90, $"{p}.TargetUtilizationPercent", "target tracking needs headroom but must not idle");
        CheckMode(check, type);
    }

    /// <summary>The checks of what only this mode has, on a known instance type.</summary>
    private protected abstract void CheckMode(ConstructChecks check, SageMakerInstanceType type);
}
