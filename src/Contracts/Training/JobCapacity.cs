namespace AwsModelPlatform.Contracts;

/// <summary>
/// What the main training job queue's compute environments buy: the values of <c>Training:JobQueueCapacity</c>, by
/// which the handler prices a job. The constructs' public <c>JobCapacity</c> names the same values.
/// </summary>
internal enum JobCapacity
{
    /// <summary>On-demand instances only: a job costs the on-demand price.</summary>
    OnDemand = 0,

    /// <summary>Spot instances only: a job is priced at the price table's Spot assumption.</summary>
    Spot = 1,

    /// <summary>Spot first, on-demand when Spot has no capacity: priced at the Spot assumption, bounded by the on-demand price.</summary>
    SpotThenOnDemand = 2,
}
