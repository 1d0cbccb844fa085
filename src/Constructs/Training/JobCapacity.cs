namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// What a training job queue's compute environments buy (<c>Training__JobQueueCapacity</c> of the handler), by which the
/// training API prices jobs. Shared by the construct and the handler (plain enum, no CDK types).
/// </summary>
public enum JobCapacity
{
    /// <summary>On-demand instances only.</summary>
    OnDemand = 0,

    /// <summary>Spot instances only.</summary>
    Spot = 1,

    /// <summary>Spot first, on-demand when Spot has no capacity.</summary>
    SpotThenOnDemand = 2,
}
