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

    /// <summary>Memory each copy reserves, in MB (at least 128).</summary>
    public required int MemoryPerCopyMb { get; init; }

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
}
