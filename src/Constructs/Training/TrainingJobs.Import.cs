using System.Text.RegularExpressions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>What <see cref="TrainingJobs.FromTrainingJobsAttributes"/> needs to know of training jobs made elsewhere (another stack or app).</summary>
public sealed record TrainingJobsAttributes
{
    /// <summary>The platform whose key encrypts the buckets and the job secrets; the training API runs on it.</summary>
    public required IModelPlatform Platform { get; init; }

    /// <summary>ARN of the job queue.</summary>
    public required string JobQueueArn { get; init; }

    /// <summary>ARN of the queue of multi-node jobs, when they have one of their own.</summary>
    /// <remarks>Default: none: <see cref="JobQueueArn"/> takes them.</remarks>
    public string? MultiNodeJobQueueArn { get; init; }

    /// <summary>The instance types the compute environments launch.</summary>
    public required IReadOnlyList<string> InstanceTypes { get; init; }

    /// <summary>What the job queue's compute environments buy: the training API prices its jobs by it.</summary>
    /// <remarks>Default: <see cref="JobCapacity.OnDemand"/>, the most a Batch Spot instance costs, so an estimate never falls short.</remarks>
    public JobCapacity JobQueueCapacity { get; init; } = JobCapacity.OnDemand;

    /// <summary>The job definitions (at least one; names unique).</summary>
    public required IReadOnlyList<TrainingJobDefinitionAttributes> JobDefinitions { get; init; }

    /// <summary>The value of the <see cref="JobTags.TrainingJobs"/> tag the API puts on every job it submits, and the only value its role may stop jobs by (<see cref="TrainingJobs.JobTagValue"/>).</summary>
    public required string JobTagValue { get; init; }

    /// <summary>Bucket of training data.</summary>
    public required IBucket DatasetsBucket { get; init; }

    /// <summary>Bucket of checkpoints.</summary>
    public required IBucket CheckpointsBucket { get; init; }

    /// <summary>Bucket of trained models.</summary>
    public required IBucket OutputBucket { get; init; }
}

// Training jobs made elsewhere: the import and the submit grant it shares with the construct.
public sealed partial class TrainingJobs
{
    /// <summary>
    /// Uses training jobs created elsewhere (another stack or app), e.g. to put a <see cref="TrainingApi"/> in front of
    /// them: the API gets the same environment and the same grants as over a <see cref="TrainingJobs"/> of its own stack.
    /// </summary>
    /// <param name="scope">Scope of the import.</param>
    /// <param name="id">Id of the import.</param>
    /// <param name="attrs">The queues, job definitions, job tag, buckets and platform.</param>
    public static ITrainingJobs FromTrainingJobsAttributes(Construct scope, string id, TrainingJobsAttributes attrs)
    {
        ArgumentNullException.ThrowIfNull(attrs);
        var check = Validate.Of(scope, id);
        const string Prop = "TrainingJobsAttributes";
        check.That(attrs.InstanceTypes.Count > 0, $"{Prop}.InstanceTypes is empty; name the instance types the compute environments launch, e.g. g5.12xlarge.");
        check.That(Token.IsUnresolved(attrs.JobTagValue) || Regex.IsMatch(attrs.JobTagValue, @"^[\w.:/=+\-@ ]{1,256}$"),
            $"{Prop}.JobTagValue = '{attrs.JobTagValue}' is not a tag value: 1 to 256 letters, digits, spaces or _.:/=+-@.");
        check.That(attrs.JobDefinitions.Count > 0, $"{Prop}.JobDefinitions is empty; give at least one job definition.");
        var duplicate = attrs.JobDefinitions.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1);
        check.That(duplicate is null, $"{Prop}.JobDefinitions: the name '{duplicate?.Key}' is used twice; names select the definition and must be unique.");
        foreach (var d in attrs.JobDefinitions)
            CheckDefinition(check, d, $"{Prop}.JobDefinitions '{d.Name}'");
        return new ImportedTrainingJobs(scope, id, attrs);
    }

    private static void CheckDefinition(ConstructChecks check, TrainingJobDefinitionAttributes d, string prop)
    {
        check.That(Regex.IsMatch(d.Name, "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"), $"{prop}: Name must be 1 to 64 letters, digits, '-' or '_'.");
        check.That(d.Gpus >= 1, $"{prop}.Gpus = {d.Gpus} must be at least 1: a training job needs a GPU per node.");
        check.InRange(d.Nodes, 1, 1000, $"{prop}.Nodes", "nodes of a job");
        if (d.MaxNodes is { } maxNodes)
        {
            check.That(d.Nodes > 1 || maxNodes == 1, $"{prop}.MaxNodes = {maxNodes} needs Nodes > 1: only a multi-node definition can change its node count at submission.");
            check.InRange(maxNodes, d.Nodes, 1000, $"{prop}.MaxNodes", "at least Nodes, at most Batch's 1000 nodes of a job");
        }
        AttemptTimeoutSeconds(check, d.AttemptTimeout, $"{prop}.AttemptTimeout");
    }

    // Batch's attempt timeout: whole seconds, at least 60.
    internal static int AttemptTimeoutSeconds(ConstructChecks check, Duration timeout, string prop)
    {
        var seconds = timeout.ToMilliseconds() / 1000.0;
        check.That(seconds >= 60 && seconds <= int.MaxValue && seconds == Math.Floor(seconds), $"{prop} = {seconds} s: AWS Batch needs whole seconds, at least 60.");
        return (int)seconds;
    }

    // The exact queues and revisions: a stack update that changes a definition registers a new revision, and the grant follows it.
    internal static Grant GrantSubmitJobOn(IGrantable grantee, IEnumerable<string> queueArns, IEnumerable<TrainingJobDefinitionAttributes> definitions) =>
        Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = new[] { "batch:SubmitJob" },
            ResourceArns = queueArns.Concat(definitions.Select(d => d.JobDefinitionArn)).ToArray(),
        });

    private sealed class ImportedTrainingJobs(Construct scope, string id, TrainingJobsAttributes attrs) : Construct(scope, id), ITrainingJobs
    {
        public IModelPlatform Platform => attrs.Platform;
        public string JobQueueArn => attrs.JobQueueArn;
        public string? MultiNodeJobQueueArn => attrs.MultiNodeJobQueueArn;
        public IReadOnlyList<string> InstanceTypes => attrs.InstanceTypes;
        public JobCapacity JobQueueCapacity => attrs.JobQueueCapacity;
        public IReadOnlyList<TrainingJobDefinitionAttributes> JobDefinitions => attrs.JobDefinitions;
        public string JobTagValue => attrs.JobTagValue;
        public IBucket DatasetsBucket => attrs.DatasetsBucket;
        public IBucket CheckpointsBucket => attrs.CheckpointsBucket;
        public IBucket OutputBucket => attrs.OutputBucket;

        public Grant GrantSubmitJob(IGrantable grantee) =>
            GrantSubmitJobOn(grantee, new[] { attrs.JobQueueArn, attrs.MultiNodeJobQueueArn }.OfType<string>(), attrs.JobDefinitions);
    }
}
