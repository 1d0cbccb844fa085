namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// SageMaker Serverless Inference: no instances, billed per GB-second of inference, scales to zero by itself.
/// CPU only (no GPU), at most 6 GB of memory: for small models beside the GPU ones.
/// </summary>
public sealed record ServerlessHosting : EndpointHosting
{
    /// <summary>Memory per concurrent invocation: 1, 2, 3, 4, 5 or 6 GiB (e.g. <c>Size.Gibibytes(4)</c>).</summary>
    /// <remarks>Default: 2 GiB.</remarks>
    public Size MemorySize { get; init; } = Size.Gibibytes(2);

    /// <summary>Most concurrent invocations (1 to 200); bounds the worst-case cost.</summary>
    /// <remarks>Default: 10.</remarks>
    public int MaxConcurrency { get; init; } = 10;

    /// <summary>Invocations kept warm (1 to 200, at most <see cref="MaxConcurrency"/>), billed while idle.</summary>
    /// <remarks>Default: none: pay only for inference, accept cold starts.</remarks>
    public int? ProvisionedConcurrency { get; init; }

    internal override string PropName => nameof(ServerlessHosting);

    // SageMaker documents response streaming for real-time endpoints; serverless endpoints are not among them
    // (docs/deploy.md, "Inference"): a streamed call is refused by the handler instead of failing at SageMaker.
    internal override EndpointInvocations Invocations => EndpointInvocations.Sync;

    /// <summary>The endpoint config's <c>MemorySizeInMB</c>.</summary>
    internal int MemorySizeInMb => (int)Sizes.Mebibytes(MemorySize);

    internal override EndpointVariant Variant(GpuModelEndpoint endpoint, GpuModelEndpointProps props) => new ServerlessVariant(endpoint, this);

    internal override void Check(ConstructChecks check)
    {
        var mib = MemorySize is null ? 0 : Sizes.Mebibytes(MemorySize);
        check.That(mib is >= 1024 and <= 6144 && mib % 1024 == 0,
            $"ServerlessHosting.MemorySize = {mib} MiB is not a size SageMaker Serverless offers: use 1, 2, 3, 4, 5 or 6 GiB (Size.Gibibytes(n)).");
        check.InRange(MaxConcurrency, 1, 200, "ServerlessHosting.MaxConcurrency", "SageMaker Serverless allows 1 to 200 concurrent invocations per endpoint");
        if (ProvisionedConcurrency is { } pc)
            check.That(pc >= 1 && pc <= MaxConcurrency, $"ServerlessHosting.ProvisionedConcurrency = {pc} is out of range: 1 to MaxConcurrency ({MaxConcurrency}).");
    }
}
