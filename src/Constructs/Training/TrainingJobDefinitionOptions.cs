using Amazon.CDK.AWS.ECS;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>One job definition of <see cref="TrainingJobs"/>: the container and the resources each node gets.</summary>
public sealed record TrainingJobDefinitionOptions
{
    /// <summary>Name the API and <c>SubmitJob</c> refer to (letters, digits, '-' and '_', at most 64).</summary>
    public required string Name { get; init; }

    /// <summary>The training container.</summary>
    public required ContainerImage Image { get; init; }

    /// <summary>GPUs per node.</summary>
    /// <remarks>Default: 1.</remarks>
    public int Gpus { get; init; } = 1;

    /// <summary>vCPUs per node.</summary>
    /// <remarks>Default: 4 per GPU, enough for data loaders without starving a second job on the same host.</remarks>
    public int? VCpus { get; init; }

    /// <summary>Memory per node (whole MiB, at least 4: Batch's minimum).</summary>
    /// <remarks>Default: 15 GiB per GPU, which fits every supported type with one job per GPU.</remarks>
    public Size? Memory { get; init; }

    /// <summary>Size of <c>/dev/shm</c> (whole MiB, at least 1).</summary>
    /// <remarks>Default: a quarter of the memory: PyTorch data loaders pass batches between worker processes through it, and Docker's 64 MiB default fails them.</remarks>
    public Size? SharedMemorySize { get; init; }

    /// <summary>Nodes per job; more than 1 makes a multi-node parallel definition for distributed data-parallel training.</summary>
    /// <remarks>Default: 1.</remarks>
    public int Nodes { get; init; } = 1;

    /// <summary>Most nodes a submission of a multi-node definition may ask for (<c>nodeOverrides.numNodes</c>, 1 to this); from <see cref="Nodes"/> to 1000.</summary>
    /// <remarks>Default: <see cref="Nodes"/>: a job may run on fewer nodes than the definition's, never on more unless raised here.</remarks>
    public int? MaxNodes { get; init; }

    /// <summary>Instance type of every node of a multi-node job (Batch requires one type); ignored for single-node.</summary>
    /// <remarks>Default: the first of <see cref="TrainingJobsProps.InstanceTypes"/>.</remarks>
    public string? NodeInstanceType { get; init; }

    /// <summary>Whether a multi-node job's nodes use Elastic Fabric Adapter for NCCL traffic.</summary>
    /// <remarks>Default: false. Needs an EFA-capable node type and <see cref="TrainingJobsProps.ClusterPlacement"/>.</remarks>
    public bool Efa { get; init; }

    /// <summary>Longest time one attempt may run (whole seconds, at least 60: Batch's minimum).</summary>
    /// <remarks>Default: <c>Duration.Hours(24)</c>: a runaway job stops costing money after a day.</remarks>
    public Duration AttemptTimeout { get; init; } = Duration.Hours(24);

    /// <summary>Attempts per job (1 to 10). Only spot reclamation and host failure are retried; an application failure exits at once.</summary>
    /// <remarks>Default: 3.</remarks>
    public int Attempts { get; init; } = 3;

    /// <summary>Extra environment variables of the container.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
}
