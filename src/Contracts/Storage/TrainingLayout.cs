namespace AwsModelPlatform.Contracts;

/// <summary>
/// Where training data lives in S3: each submission's output and checkpoint prefix, and the training API's idempotency
/// records in its state bucket. The handler writes there and the constructs grant exactly there.
/// </summary>
internal static class TrainingLayout
{
    /// <summary>The directory inside the container where jobs write checkpoints; a retried attempt finds them again through <see cref="JobEnvironment.CheckpointUri"/>.</summary>
    public const string CheckpointDirectory = "/opt/ml/checkpoints";

    /// <summary>The prefix of every submission's output and checkpoints in their buckets.</summary>
    public const string JobsPrefix = "jobs/";

    /// <summary>The prefix of the idempotency records under <c>Training:StatePrefix</c>.</summary>
    public const string IdempotencyFolder = "idempotency/";

    /// <summary><c>s3://{bucket}/jobs/{name}/{submission}/</c>: one submission's output or checkpoints.</summary>
    public static string JobUri(string bucket, string jobName, string submissionId) => $"s3://{bucket}/{JobsPrefix}{jobName}/{submissionId}/";

    /// <summary>The key prefix of the idempotency records, <c>{statePrefix}/idempotency/</c> (<paramref name="statePrefix"/> is <c>Training:StatePrefix</c>).</summary>
    public static string IdempotencyPrefix(string statePrefix) => $"{statePrefix.Trim('/')}/{IdempotencyFolder}".TrimStart('/');

    /// <summary>The key of one idempotency record, named by the digest of its caller and key.</summary>
    public static string IdempotencyRecordKey(string statePrefix, string digest) => $"{IdempotencyPrefix(statePrefix)}{digest}.json";
}
