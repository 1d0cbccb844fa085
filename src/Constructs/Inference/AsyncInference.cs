namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// Asynchronous inference on a <see cref="RealTimeHosting"/> endpoint: requests queue, results and failures go to
/// the endpoint's encrypted bucket, and KMS-encrypted SNS topics announce them. Scales on backlog per instance and
/// out from zero on <c>HasBacklogWithoutCapacity</c>.
/// </summary>
public sealed record AsyncInference
{
    /// <summary>Invocations SageMaker sends one instance at a time (1 to 1000).</summary>
    /// <remarks>Default: SageMaker chooses.</remarks>
    public int? MaxConcurrentInvocationsPerInstance { get; init; }

    /// <summary>Queued requests per instance that backlog target tracking holds.</summary>
    /// <remarks>Default: 5.</remarks>
    public double TargetBacklogPerInstance { get; init; } = 5;

    /// <summary>Age of the oldest queued request at which the backlog-age alarm fires.</summary>
    /// <remarks>Default: 15 minutes.</remarks>
    public Duration BacklogAgeAlarmThreshold { get; init; } = Duration.Minutes(15);

    /// <summary>Failed async invocations (<c>InvocationFailures</c>, summed over 5 minutes) at which the failed-invocations alarm fires.</summary>
    /// <remarks>Default: 1: an async request that fails has no caller waiting on an error response, so the first failure is worth a look.</remarks>
    public int InvocationFailuresAlarmThreshold { get; init; } = 1;

    /// <summary>Whether success and error notifications go to SNS topics the construct creates (KMS-encrypted, TLS-only).</summary>
    /// <remarks>Default: true: the API can answer "done?" without polling S3.</remarks>
    public bool Notifications { get; init; } = true;

    internal void Check(ConstructChecks check)
    {
        if (MaxConcurrentInvocationsPerInstance is { } c)
            check.InRange(c, 1, 1000, "AsyncInference.MaxConcurrentInvocationsPerInstance", "SageMaker accepts 1 to 1000");
        check.That(TargetBacklogPerInstance > 0,
            $"AsyncInference.TargetBacklogPerInstance = {TargetBacklogPerInstance} must be above 0: the queued requests per instance backlog scaling holds.");
        check.That(BacklogAgeAlarmThreshold.ToSeconds() >= 60,
            $"AsyncInference.BacklogAgeAlarmThreshold = {BacklogAgeAlarmThreshold.ToSeconds()} s is too short: at least 60 s.");
        check.That(InvocationFailuresAlarmThreshold >= 1,
            $"AsyncInference.InvocationFailuresAlarmThreshold = {InvocationFailuresAlarmThreshold} must be at least 1: the failed async requests in 5 minutes that raise the alarm.");
    }
}
