namespace AwsModelPlatform.Contracts;

/// <summary>
/// The environment of a training container: the job definition's own variables (set by the constructs) and those of
/// each submission (set by the training handler in the container overrides). docs/training-jobs.md, "The container
/// contract", documents them for image authors.
/// </summary>
internal static class JobEnvironment
{
    // Set by the job definition.

    /// <summary>Name of the datasets bucket.</summary>
    public const string DatasetsBucket = "DATASETS_BUCKET";

    /// <summary>Name of the checkpoints bucket.</summary>
    public const string CheckpointsBucket = "CHECKPOINTS_BUCKET";

    /// <summary>Name of the output bucket.</summary>
    public const string OutputBucket = "OUTPUT_BUCKET";

    /// <summary>The directory inside the container where the job writes checkpoints (<see cref="TrainingLayout.CheckpointDirectory"/>).</summary>
    public const string CheckpointDir = "CHECKPOINT_DIR";

    /// <summary>GPUs per node: the processes torchrun starts on each node.</summary>
    public const string ProcessesPerNode = "NPROC_PER_NODE";

    /// <summary>
    /// Nodes of the job: the definition's count, and the handler's for a multi-node submission (a job may run on fewer
    /// nodes than its definition's, and torchrun would wait forever for nodes the job does not have).
    /// </summary>
    public const string Nodes = "NNODES";

    /// <summary>The rendezvous port of a multi-node job's main node.</summary>
    public const string MasterPort = "MASTER_PORT";

    /// <summary>NCCL's log level.</summary>
    public const string NcclDebug = "NCCL_DEBUG";

    /// <summary>libfabric's provider: <c>efa</c> on EFA definitions.</summary>
    public const string FabricProvider = "FI_PROVIDER";

    // Set by the training handler for each submission.

    /// <summary>The job's name, as submitted.</summary>
    public const string JobName = "TRAINING_JOB_NAME";

    /// <summary>The submission id: part of the output and checkpoint locations and of each secret's encryption context.</summary>
    public const string SubmissionId = "TRAINING_SUBMISSION_ID";

    /// <summary>Where the job writes its output (<see cref="TrainingLayout.JobUri"/> in the output bucket).</summary>
    public const string OutputUri = "OUTPUT_S3_URI";

    /// <summary>Where the job keeps its checkpoints (<see cref="TrainingLayout.JobUri"/> in the checkpoints bucket), when there is one.</summary>
    public const string CheckpointUri = "CHECKPOINT_S3_URI";

    /// <summary>The submission's <c>datasetUri</c>, when it gave one.</summary>
    public const string DatasetUri = "DATASET_S3_URI";

    /// <summary>The submission's hyperparameters, one JSON object of strings.</summary>
    public const string Hyperparameters = "HYPERPARAMETERS";

    /// <summary>The names of the submission's secrets, comma-separated.</summary>
    public const string SecretNames = "TRAINING_SECRET_NAMES";

    /// <summary>Prefix of each secret's variable: <c>SECRET_NAME</c> holds the base64 KMS ciphertext of secret <c>NAME</c>.</summary>
    public const string SecretPrefix = "SECRET_";
}
