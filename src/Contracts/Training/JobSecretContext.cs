namespace AwsModelPlatform.Contracts;

/// <summary>
/// The KMS encryption context of a job secret: the training handler encrypts every secret under these three keys, a
/// job decrypts it under the same three, and the constructs' key grants for secrets allow exactly this shape.
/// </summary>
internal static class JobSecretContext
{
    /// <summary>The job's name; present in every secret's context.</summary>
    public const string JobNameKey = JobTags.Prefix + "job-name";

    /// <summary>The submission id (<see cref="JobEnvironment.SubmissionId"/>).</summary>
    public const string SubmissionKey = JobTags.Prefix + "submission";

    /// <summary>The secret's name (the <c>NAME</c> of <see cref="JobEnvironment.SecretPrefix"/><c>NAME</c>).</summary>
    public const string SecretKey = JobTags.Prefix + "secret";

    /// <summary>Every key of a secret's context.</summary>
    public static IReadOnlyList<string> Keys { get; } = new[] { JobNameKey, SubmissionKey, SecretKey };

    /// <summary>The context of one secret of one submission.</summary>
    public static Dictionary<string, string> For(string jobName, string submissionId, string secretName) => new(StringComparer.Ordinal)
    {
        [JobNameKey] = jobName,
        [SubmissionKey] = submissionId,
        [SecretKey] = secretName,
    };
}
