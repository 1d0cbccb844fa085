namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// Real-time hosting on dedicated instances: one model per instance fleet, target tracking on invocations per
/// instance, blue/green deployments with automatic rollback, data capture; with <see cref="Async"/> an
/// asynchronous endpoint that queues requests and scales to and from zero.
/// </summary>
public sealed record RealTimeHosting : InstanceHosting
{
    /// <summary>The fewest instances. 1 or more for real-time; 0 is allowed with <see cref="Async"/>.</summary>
    /// <remarks>Default: 1. A real-time variant cannot scale to zero; use <see cref="InferenceComponentHosting"/> or async for that.</remarks>
    public override int MinInstances { get; init; } = 1;

    /// <summary>Requests per second one instance sustains at acceptable latency (measure it with a load test).</summary>
    /// <remarks>Default: 1, a conservative figure for LLM generation. Target tracking holds
    /// <c>InvocationsPerInstance</c> at this × 60 × <see cref="InstanceHosting.TargetUtilizationPercent"/> %.</remarks>
    public double MaxRequestsPerSecondPerInstance { get; init; } = 1;

    /// <summary>Makes the endpoint asynchronous: requests are queued, results written to S3 and announced on SNS.</summary>
    /// <remarks>Default: none: a synchronous real-time endpoint.</remarks>
    public AsyncInference? Async { get; init; }

    /// <summary>Capture of requests and responses to the endpoint's encrypted bucket.</summary>
    /// <remarks>Default: on, 20 % sampling, for synchronous endpoints (model monitoring and incident review need real traffic);
    /// off with <see cref="Async"/>, whose requests and results are in S3 already. <see cref="DataCapture.Off"/> turns it off.</remarks>
    public DataCapture? DataCapture { get; init; }

    /// <summary>How a new endpoint config is rolled out.</summary>
    /// <remarks>Default: blue/green, canary 10 % for 10 minutes when at least 2 instances start (else all at once with a
    /// 10-minute bake), rolled back automatically on the endpoint's 5xx-rate and latency alarms; for async endpoints
    /// <see cref="DeploymentGuardrails.None"/>. Give <see cref="DeploymentGuardrails.None"/> to replace in one step.</remarks>
    public DeploymentGuardrails? Guardrails { get; init; }

    internal override string PropName => nameof(RealTimeHosting);

    // An asynchronous endpoint queues requests and serves only InvokeEndpointAsync.
    internal override EndpointInvocations Invocations => Async is null ? EndpointInvocations.Sync | EndpointInvocations.Stream : EndpointInvocations.Async;

    internal override EndpointVariant Variant(GpuModelEndpoint endpoint, GpuModelEndpointProps props) =>
        Async is null ? new RealTimeVariant(endpoint, this) : new AsyncVariant(endpoint, this, Async);

    private protected override void CheckMode(ConstructChecks check, SageMakerInstanceType type)
    {
        check.That(MaxRequestsPerSecondPerInstance > 0,
            $"RealTimeHosting.MaxRequestsPerSecondPerInstance = {MaxRequestsPerSecondPerInstance} must be above 0: the requests per second one instance sustains.");
        Async?.Check(check);
        if (DataCapture is { Enabled: true } capture) capture.Check(check);
        if (Guardrails is { Enabled: true } guardrails) guardrails.Check(check);
    }
}
