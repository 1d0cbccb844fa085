namespace AwsModelPlatform.Contracts;

/// <summary>
/// <c>Training:*</c>: the Batch queues, job definitions, buckets, key and limits of the training routes. The handler
/// binds it (its defaults are these initializers, and nowhere else); the constructs build one and write what differs
/// from the defaults into the function's environment (<see cref="SettingsEnvironment"/>). With no <c>Training</c> key
/// at all the training routes answer 501.
/// </summary>
/// <remarks>Properties have setters, not <c>init</c>: the configuration binder's source generator binds no init-only property.</remarks>
internal sealed record TrainingSettings
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Training";

    /// <summary>The Batch job queue (name or ARN) every job goes to, but multi-node ones when <see cref="MultiNodeJobQueue"/> is set. Required.</summary>
    public string? JobQueue { get; set; }

    /// <summary>
    /// The Batch job queue (name or ARN) of multi-node jobs, when they need one of their own (Batch runs no multi-node
    /// job on Spot). Listing, describing and stopping cover both queues.
    /// </summary>
    public string? MultiNodeJobQueue { get; set; }

    /// <summary>The job definitions callers may submit with, each with the name callers use. At least one.</summary>
    public IReadOnlyList<JobDefinitionSettings> JobDefinitions { get; set; } = [];

    /// <summary>The datasets bucket: a submission's <c>datasetUri</c> must point inside it. Required.</summary>
    public string? DatasetsBucket { get; set; }

    /// <summary>The checkpoints bucket: each job gets <see cref="JobEnvironment.CheckpointUri"/> in it (<see cref="TrainingLayout.JobUri"/>). None: no checkpoint location.</summary>
    public string? CheckpointsBucket { get; set; }

    /// <summary>The output bucket: each job gets <see cref="JobEnvironment.OutputUri"/> in it (<see cref="TrainingLayout.JobUri"/>). Required.</summary>
    public string? OutputBucket { get; set; }

    /// <summary>The bucket of the idempotency records. Required.</summary>
    public string? StateBucket { get; set; }

    /// <summary>The key prefix of the idempotency records in <see cref="StateBucket"/> (<see cref="TrainingLayout.IdempotencyPrefix"/>).</summary>
    public string StatePrefix { get; set; } = "training";

    /// <summary>KMS key (id, ARN or alias) that encrypts job secrets and the idempotency records. Required.</summary>
    public string? KeyId { get; set; }

    /// <summary>The GPU instance types jobs may ask for, comma-separated (<see cref="GpuInstanceTypes"/>). Required.</summary>
    public string? AllowedInstanceTypes { get; set; }

    /// <summary>
    /// The instance types the queues' compute environments launch, comma-separated: what AWS Batch chooses from when a job
    /// names none, and what its cost estimate is bounded by. Unset: <see cref="AllowedInstanceTypes"/>.
    /// </summary>
    public string? InstanceTypes { get; set; }

    /// <summary>
    /// What <see cref="JobQueue"/>'s compute environments buy (<see cref="Contracts.JobCapacity"/>), by which jobs are
    /// priced; multi-node jobs always at on-demand, since AWS Batch runs none on Spot. Text, checked at startup. The
    /// default prices a queue the handler is told nothing about at on-demand, the most a Batch Spot instance costs, so
    /// an estimate never falls short.
    /// </summary>
    public string JobQueueCapacity { get; set; } = nameof(Contracts.JobCapacity.OnDemand);

    /// <summary>
    /// Ceiling of a job's <c>maxRuntimeSeconds</c> (at least 60). A job that does not ask runs under its definition's
    /// attempt timeout: the handler then sends Batch no timeout.
    /// </summary>
    public int MaxRuntimeSeconds { get; set; } = 86_400;

    /// <summary>Largest submission body, in bytes (Batch itself takes at most 30 KiB per SubmitJob).</summary>
    public int MaxBodyBytes { get; set; } = 65_536;

    /// <summary>Deadline of one Batch call, in seconds, retries included.</summary>
    public double BatchTimeoutSeconds { get; set; } = 20;

    /// <summary>How long an idempotency record may stay without a job id, in seconds, before another request may finish it.</summary>
    public double PendingSubmissionSeconds { get; set; } = 120;

    /// <summary>
    /// Which jobs a caller lists, describes and stops (<see cref="Contracts.JobVisibility"/>). Text, checked at startup,
    /// so a typo fails naming the key.
    /// </summary>
    public string JobVisibility { get; set; } = nameof(Contracts.JobVisibility.Caller);

    /// <summary>
    /// The value of the <see cref="JobTags.TrainingJobs"/> tag on every job submitted (the construct's
    /// <c>TrainingJobs.JobTagValue</c>); the role may stop only jobs carrying it. Required.
    /// </summary>
    public string? JobTag { get; set; }
}

/// <summary><c>Training:JobDefinitions:{i}:*</c>: one job definition.</summary>
internal sealed record JobDefinitionSettings
{
    /// <summary>The name callers use in a submission's <c>definition</c> (<see cref="JobDefinitionNames"/>). Required.</summary>
    public string? Name { get; set; }

    /// <summary>The definition as Batch knows it: name, <c>name:revision</c> or ARN. Required.</summary>
    public string? BatchName { get; set; }

    /// <summary>Nodes of a job; above 1, a multi-node parallel definition.</summary>
    public int Nodes { get; set; } = 1;

    /// <summary>The most nodes a job may ask for; unset: <see cref="Nodes"/>. A count other than <see cref="Nodes"/> needs the definition's node range to be open-ended (<c>0:</c>).</summary>
    public int? MaxNodes { get; set; }

    /// <summary>The definition's own GPUs per node: what a job that does not ask for <c>gpus</c> gets, for the <c>GpusRequested</c> metric. Unset: such a job reports none.</summary>
    public int? Gpus { get; set; }

    /// <summary>The definition's own attempt timeout, in seconds: a job may ask for less, never for more. Unset: only <see cref="TrainingSettings.MaxRuntimeSeconds"/> caps a request.</summary>
    public int? AttemptTimeoutSeconds { get; set; }
}

/// <summary>The one rule for the name callers give a job definition (<c>Training:JobDefinitions:{i}:Name</c>).</summary>
internal static class JobDefinitionNames
{
    /// <summary>What <see cref="IsValid"/> accepts, for messages.</summary>
    public const string Rule = "1 to 64 letters, digits, '-' or '_', starting with a letter or digit";

    /// <summary>Whether <paramref name="name"/> may name a job definition.</summary>
    public static bool IsValid(string? name) => name is not null && Pattern.IsMatch(name);

    // Built once, not generated: the regex generator documents its method without a summary, which the package's
    // XML documentation would then carry.
    private static readonly System.Text.RegularExpressions.Regex Pattern = new("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
