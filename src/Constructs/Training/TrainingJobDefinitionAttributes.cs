namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// A job definition as a <see cref="TrainingApi"/> submits to it: the name callers use, the Batch job definition, and what
/// the API tells callers of it (nodes, GPUs, attempt timeout). <see cref="TrainingJobs.JobDefinitions"/> lists those a
/// <see cref="TrainingJobs"/> created; give your own to <see cref="TrainingJobs.FromTrainingJobsAttributes"/>.
/// </summary>
public sealed record TrainingJobDefinitionAttributes
{
    /// <summary>The name callers submit with (<c>definition</c>; letters, digits, '-' and '_', at most 64).</summary>
    public required string Name { get; init; }

    /// <summary>The Batch job definition's name, the form the API submits with.</summary>
    public required string JobDefinitionName { get; init; }

    /// <summary>The Batch job definition's ARN with its revision: the one <c>batch:SubmitJob</c> is granted on.</summary>
    public required string JobDefinitionArn { get; init; }

    /// <summary>GPUs per node: what a job that does not ask gets (the API reports them as <c>GpusRequested</c>).</summary>
    /// <remarks>Default: 1.</remarks>
    public int Gpus { get; init; } = 1;

    /// <summary>Nodes per job; more than 1 is a multi-node parallel definition.</summary>
    /// <remarks>Default: 1.</remarks>
    public int Nodes { get; init; } = 1;

    /// <summary>Most nodes a submission of a multi-node definition may ask for (its node range must be open-ended).</summary>
    /// <remarks>Default: <see cref="Nodes"/>.</remarks>
    public int? MaxNodes { get; init; }

    /// <summary>The definition's attempt timeout: a submission may lower it, never raise it (whole seconds, at least 60).</summary>
    /// <remarks>Default: <c>Duration.Hours(24)</c>, the default of <see cref="TrainingJobDefinitionOptions.AttemptTimeout"/>.</remarks>
    public Duration AttemptTimeout { get; init; } = Duration.Hours(24);
}
