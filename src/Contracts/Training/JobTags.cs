namespace AwsModelPlatform.Contracts;

/// <summary>
/// The tags the training handler puts on every job it submits. Read by the constructs, whose role for the handler
/// allows tagging with these keys only and stopping only jobs tagged <see cref="TrainingJobs"/>, and by the handler,
/// which sets them.
/// </summary>
internal static class JobTags
{
    /// <summary>The prefix of every platform tag key.</summary>
    public const string Prefix = "aws-model-platform:";

    /// <summary>The <c>TrainingJobs</c> construct the job was submitted to (its <c>JobTagValue</c>): what the role may stop.</summary>
    public const string TrainingJobs = Prefix + "training-jobs";

    /// <summary>The submission id (also <c>TRAINING_SUBMISSION_ID</c>): how an interrupted idempotent submission finds its job.</summary>
    public const string Submission = Prefix + "submission";

    /// <summary>The API's name of the job definition.</summary>
    public const string Definition = Prefix + "definition";

    /// <summary>The job's output location.</summary>
    public const string Output = Prefix + "output";

    /// <summary>The job's checkpoint location (only when a checkpoints bucket is configured).</summary>
    public const string Checkpoints = Prefix + "checkpoints";

    /// <summary>
    /// Who submitted the job, for people: the caller identity in Batch's tag charset (other characters become <c>_</c>), cut
    /// at 256 characters, so two identities can share it. Caller visibility compares it only on jobs without <see cref="CallerHash"/>.
    /// </summary>
    public const string Caller = Prefix + "caller";

    /// <summary>
    /// Who submitted the job, exactly: the lowercase hex SHA-256 of the caller identity's UTF-8 bytes (64 characters). What
    /// Caller visibility compares.
    /// </summary>
    public const string CallerHash = Prefix + "caller-hash";

    /// <summary>Every key the handler may set at submission; the role's <c>aws:TagKeys</c> condition allows these and no other.</summary>
    public static IReadOnlyList<string> Keys { get; } = new[] { TrainingJobs, Submission, Definition, Output, Checkpoints, Caller, CallerHash };
}
