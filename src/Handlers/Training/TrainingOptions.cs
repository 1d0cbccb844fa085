namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// <c>Training:*</c>: the Batch queue, job definitions, buckets and limits of the training routes. Job definitions are
/// read by <see cref="TrainingCatalog"/> from <c>Training:JobDefinitions</c> (a string per name, or an object).
/// </summary>
public sealed class TrainingOptions
{
    /// <summary>The Batch job queue (name or ARN) every job goes to, but multi-node ones when <see cref="MultiNodeJobQueue"/> is set. Required.</summary>
    public string? JobQueue { get; set; }

    /// <summary>
    /// The Batch job queue (name or ARN) of multi-node jobs, when they need one of their own (the construct's on-demand
    /// queue: Batch runs no multi-node job on Spot). Optional; listing, describing and stopping cover both queues.
    /// </summary>
    public string? MultiNodeJobQueue { get; set; }

    /// <summary>Datasets bucket: <c>datasetUri</c> must point inside it. Required.</summary>
    public string? DatasetsBucket { get; set; }

    /// <summary>Checkpoints bucket: each job gets <c>CHECKPOINT_S3_URI</c> = <c>s3://{bucket}/jobs/{name}/{submission}/</c>. Optional.</summary>
    public string? CheckpointsBucket { get; set; }

    /// <summary>Output bucket: each job gets <c>OUTPUT_S3_URI</c> = <c>s3://{bucket}/jobs/{name}/{submission}/</c>. Required.</summary>
    public string? OutputBucket { get; set; }

    /// <summary>Bucket of the idempotency records. Required.</summary>
    public string? StateBucket { get; set; }

    /// <summary>Key prefix of the idempotency records. Default <c>training</c>.</summary>
    public string StatePrefix { get; set; } = "training";

    /// <summary>KMS key (id, ARN or alias) that encrypts job secrets and the idempotency records. Required.</summary>
    public string? KeyId { get; set; }

    /// <summary>Comma-separated GPU instance types jobs may ask for (the construct's <c>InstanceTypes</c>). Required.</summary>
    public string? AllowedInstanceTypes { get; set; }

    /// <summary>
    /// Ceiling of a job's <c>maxRuntimeSeconds</c>. Default 86400 (24 h). A job that does not ask runs under its job
    /// definition's attempt timeout: the handler then sends Batch no timeout.
    /// </summary>
    public int MaxRuntimeSeconds { get; set; } = 86_400;

    /// <summary>Largest submission body. Default 64 KiB (Batch itself takes at most 30 KiB per SubmitJob).</summary>
    public int MaxBodyBytes { get; set; } = 65_536;

    /// <summary>Deadline of one Batch call. Default 20 s.</summary>
    public double BatchTimeoutSeconds { get; set; } = 20;

    /// <summary>How long an idempotency record may stay without a job id before another request may finish it. Default 120 s.</summary>
    public double PendingSubmissionSeconds { get; set; } = 120;

    /// <summary>
    /// <c>Caller</c> (default): a caller lists, describes and stops only the jobs it submitted; <c>Shared</c>: every job
    /// of the queue. Read as text and checked by <see cref="TrainingCatalog"/>, so a typo fails startup naming the key.
    /// </summary>
    public string JobVisibility { get; set; } = "Caller";

    /// <summary>
    /// Value of the <c>aws-model-platform:training-jobs</c> tag on every job submitted (the construct's
    /// <c>TrainingJobs.JobTagValue</c>); the role may stop only jobs carrying it. Required.
    /// </summary>
    public string? JobTag { get; set; }
}
