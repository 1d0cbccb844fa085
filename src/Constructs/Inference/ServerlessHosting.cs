namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// SageMaker Serverless Inference: no instances, billed per GB-second of inference, scales to zero by itself.
/// CPU only (no GPU), at most 6 GB of memory: for small models beside the GPU ones.
/// </summary>
public sealed record ServerlessHosting : EndpointHosting
{
    /// <summary>Memory per concurrent invocation, in MB: 1024, 2048, 3072, 4096, 5120 or 6144.</summary>
    /// <remarks>Default: 2048.</remarks>
    public int MemorySizeMb { get; init; } = 2048;

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
}
