namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// Hosting with inference components: instances managed by SageMaker (<c>ManagedInstanceScaling</c>, minimum 0
/// allowed) and model copies that each reserve accelerators and memory. This is how a real-time endpoint
/// scales to zero: copies scale in to 0 when idle, instances follow, and the first request that finds no
/// capacity scales a copy back out.
/// </summary>
public sealed record InferenceComponentHosting : InstanceHosting
{
    /// <summary>The fewest instances SageMaker keeps.</summary>
    /// <remarks>Default: 0: no GPU is paid for while nobody calls the model (the first call then waits for an instance).</remarks>
    public override int MinInstances { get; init; }

    /// <summary>Accelerators (GPUs, or Neuron devices on inf2) each copy reserves; 0 on CPU instance types.</summary>
    /// <remarks>Default: 1.</remarks>
    public int AcceleratorsPerCopy { get; init; } = 1;

    /// <summary>Memory each copy reserves: whole MiB, at least 128 (e.g. <c>Size.Gibibytes(16)</c>).</summary>
    public required Size MemoryPerCopy { get; init; }

    /// <summary>CPU cores each copy reserves (at least 0.25).</summary>
    /// <remarks>Default: not reserved.</remarks>
    public double? CpuCoresPerCopy { get; init; }

    /// <summary>Copies the component starts with.</summary>
    /// <remarks>Default: 1, so the endpoint answers right after deployment; it scales in to <see cref="MinCopies"/> when idle.</remarks>
    public int InitialCopies { get; init; } = 1;

    /// <summary>The fewest copies autoscaling keeps.</summary>
    /// <remarks>Default: 0: scale to zero.</remarks>
    public int MinCopies { get; init; }

    /// <summary>The most copies autoscaling may run.</summary>
    /// <remarks>Default: as many as <see cref="InstanceHosting.MaxInstances"/> instances hold given <see cref="AcceleratorsPerCopy"/>.</remarks>
    public int? MaxCopies { get; init; }

    /// <summary>Requests per second one copy sustains.</summary>
    /// <remarks>Default: 1. Target tracking holds <c>InvocationsPerCopy</c> at this × 60 × <see cref="InstanceHosting.TargetUtilizationPercent"/> %.</remarks>
    public double MaxRequestsPerSecondPerCopy { get; init; } = 1;

    internal override string PropName => nameof(InferenceComponentHosting);

    internal override EndpointInvocations Invocations => EndpointInvocations.Sync | EndpointInvocations.Stream;

    internal override EndpointVariant Variant(GpuModelEndpoint endpoint, GpuModelEndpointProps props) => new InferenceComponentVariant(endpoint, this, props.NetworkIsolation);

    /// <summary>Copies <see cref="InstanceHosting.MaxInstances"/> hold when <see cref="MaxCopies"/> is unset: whole copies per instance by accelerators (one per instance without).</summary>
    internal int MaxCopiesThatFit(SageMakerInstanceType type) =>
        AcceleratorsPerCopy > 0 ? Math.Max(1, EffectiveMax * (type.Accelerators / AcceleratorsPerCopy)) : EffectiveMax;

    private protected override void CheckMode(ConstructChecks check, SageMakerInstanceType type)
    {
        if (type.Accelerators == 0)
            check.That(AcceleratorsPerCopy == 0, $"InferenceComponentHosting.AcceleratorsPerCopy = {AcceleratorsPerCopy}: {type.Name} has no accelerator; set 0.");
        else
            check.That(AcceleratorsPerCopy >= 1 && AcceleratorsPerCopy <= type.Accelerators,
                $"InferenceComponentHosting.AcceleratorsPerCopy = {AcceleratorsPerCopy} is out of range: {type.Name} has {type.Accelerators} accelerator(s), so 1 to {type.Accelerators}.");
        check.That(MemoryPerCopy is not null, $"InferenceComponentHosting.MemoryPerCopy is required: the memory each copy reserves, e.g. Size.Gibibytes(16).");
        var mib = Sizes.Mebibytes(MemoryPerCopy!);
        check.That(mib >= 128 && mib == Math.Floor(mib),
            $"InferenceComponentHosting.MemoryPerCopy = {mib} MiB is not accepted: SageMaker reserves whole MiB per copy, at least 128.");
        if (CpuCoresPerCopy is { } cores)
            check.That(cores >= 0.25, $"InferenceComponentHosting.CpuCoresPerCopy = {cores} is too small: at least 0.25 cores.");
        check.That(MinCopies >= 0, $"InferenceComponentHosting.MinCopies = {MinCopies} is negative; use 0 (scale to zero) or more.");
        check.That(MaxCopies is null || MaxCopies >= Math.Max(1, MinCopies),
            $"InferenceComponentHosting.MinCopies = {MinCopies} and MaxCopies = {MaxCopies}: MaxCopies must be at least MinCopies and at least 1.");
        check.That(InitialCopies >= MinCopies && (MaxCopies is null || InitialCopies <= MaxCopies),
            $"InferenceComponentHosting.InitialCopies = {InitialCopies} is out of range: from MinCopies = {MinCopies} to MaxCopies = {(object?)MaxCopies ?? "what MaxInstances hold"}.");
        // Without MaxCopies the bound is what MaxInstances hold (AcceleratorsPerCopy was checked above); more
        // initial copies than fit leave the deployment waiting for instances managed scaling will never add.
        if (MaxCopies is null)
        {
            var fit = MaxCopiesThatFit(type);
            var perInstance = AcceleratorsPerCopy > 0
                ? $"{type.Accelerators / AcceleratorsPerCopy} per instance at {AcceleratorsPerCopy} accelerator(s) per copy"
                : "1 per instance without accelerators";
            check.That(InitialCopies <= fit,
                $"InferenceComponentHosting.InitialCopies = {InitialCopies} is more than the {fit} cop{(fit == 1 ? "y" : "ies")} MaxInstances = {EffectiveMax} × {type.Name} hold " +
                $"({perInstance}); lower InitialCopies, raise MaxInstances or use fewer accelerators per copy.");
        }
        check.That(MaxRequestsPerSecondPerCopy > 0,
            $"InferenceComponentHosting.MaxRequestsPerSecondPerCopy = {MaxRequestsPerSecondPerCopy} must be above 0: the requests per second one copy sustains.");
    }
}
