using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// A configured job definition: <paramref name="Name"/> is what callers say, <paramref name="BatchName"/> what Batch knows
/// (name, name:revision or ARN). <paramref name="Nodes"/> above 1 marks a multi-node parallel definition; a job may ask for
/// 1..<paramref name="MaxNodes"/> nodes (Batch resizes a job only when the definition's node range is open-ended, e.g. <c>0:</c>).
/// <paramref name="Gpus"/> is the definition's own GPUs per node, when configured: what a job that does not ask for
/// <c>gpus</c> gets, for the <c>GpusRequested</c> metric. <paramref name="AttemptTimeoutSeconds"/> is the definition's own
/// attempt timeout, when configured: a job may ask for less, never for more.
/// </summary>
public sealed record TrainingDefinition(string Name, string BatchName, int Nodes, int MaxNodes, int? Gpus = null, int? AttemptTimeoutSeconds = null)
{
    public bool MultiNode => Nodes > 1 || MaxNodes > 1;
}

/// <summary>The validated <c>Training:*</c> configuration. Empty <c>Training</c> section: the routes answer 501.</summary>
public sealed partial class TrainingCatalog
{
    private readonly Dictionary<string, TrainingDefinition> _definitions = new(StringComparer.Ordinal);

    public TrainingCatalog(IOptions<TrainingOptions> options, IConfiguration configuration)
    {
        var o = options.Value;
        var section = configuration.GetSection("Training");
        IsConfigured = section.GetChildren().Any();
        if (!IsConfigured) return;

        static void Fail(string key, string what) => throw new OptionsValidationException("Training:" + key, typeof(TrainingOptions), [$"Training:{key}: {what}"]);
        string Required(string? value, string key) => string.IsNullOrWhiteSpace(value) ? throw new OptionsValidationException("Training:" + key, typeof(TrainingOptions), [$"Training:{key} is required when the training routes are configured."]) : value.Trim();

        JobQueue = Required(o.JobQueue, "JobQueue");
        if (!QueueOrArn().IsMatch(JobQueue)) Fail("JobQueue", $"'{JobQueue}' is not a Batch job queue name or ARN.");
        if (!string.IsNullOrWhiteSpace(o.MultiNodeJobQueue))
        {
            MultiNodeJobQueue = o.MultiNodeJobQueue.Trim();
            if (!QueueOrArn().IsMatch(MultiNodeJobQueue)) Fail("MultiNodeJobQueue", $"'{MultiNodeJobQueue}' is not a Batch job queue name or ARN.");
            if (SameQueue(MultiNodeJobQueue, JobQueue) || SameQueue(JobQueue, MultiNodeJobQueue)) Fail("MultiNodeJobQueue", $"'{MultiNodeJobQueue}' is Training:JobQueue; leave it unset when multi-node jobs share that queue.");
        }
        JobQueues = MultiNodeJobQueue is null ? [JobQueue] : [JobQueue, MultiNodeJobQueue];
        DatasetsBucket = Bucket(Required(o.DatasetsBucket, "DatasetsBucket"), "DatasetsBucket");
        OutputBucket = Bucket(Required(o.OutputBucket, "OutputBucket"), "OutputBucket");
        StateBucket = Bucket(Required(o.StateBucket, "StateBucket"), "StateBucket");
        CheckpointsBucket = string.IsNullOrWhiteSpace(o.CheckpointsBucket) ? null : Bucket(o.CheckpointsBucket.Trim(), "CheckpointsBucket");
        KeyId = Required(o.KeyId, "KeyId");
        JobTag = Required(o.JobTag, "JobTag");
        if (!TagValue().IsMatch(JobTag)) Fail("JobTag", $"'{JobTag}' is not a Batch tag value (1-256 letters, digits, spaces and _ . : / = + - @).");
        if (o.MaxRuntimeSeconds < 60) Fail("MaxRuntimeSeconds", $"{o.MaxRuntimeSeconds} is below Batch's minimum attempt duration of 60 seconds.");
        if (o.MaxBodyBytes is < 1024 or > 1_048_576) Fail("MaxBodyBytes", $"{o.MaxBodyBytes} is outside 1024..1048576.");

        var types = new List<GpuInstanceType>();
        foreach (var name in Required(o.AllowedInstanceTypes, "AllowedInstanceTypes").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var type = GpuInstanceTypes.Find(name);
            if (type is null) Fail("AllowedInstanceTypes", $"'{name}' is not a supported GPU instance type.");
            if (!types.Contains(type!)) types.Add(type!);
        }
        AllowedInstanceTypes = types;

        foreach (var child in section.GetSection("JobDefinitions").GetChildren())
        {
            var key = "JobDefinitions:" + child.Key;
            if (!DefinitionName().IsMatch(child.Key)) Fail(key, "a definition name is 1-64 letters, digits, '-' or '_'.");
            string batchName;
            int nodes = 1, maxNodes;
            int? gpus = null, timeout = null;
            if (child.Value is { } plain)
            {
                batchName = plain.Trim();
                maxNodes = 1;
            }
            else
            {
                batchName = (child["Name"] ?? "").Trim();
                if (child["Nodes"] is { } n && (!int.TryParse(n, out nodes) || nodes is < 1 or > 1000)) Fail(key + ":Nodes", $"'{n}' is not a node count of 1..1000.");
                maxNodes = nodes;
                if (child["MaxNodes"] is { } m && (!int.TryParse(m, out maxNodes) || maxNodes < nodes || maxNodes > 1000)) Fail(key + ":MaxNodes", $"'{m}' is not a node count of {nodes}..1000.");
                if (child["Gpus"] is { } g)
                {
                    var most = types.Max(t => t.Gpus);
                    if (!int.TryParse(g, out var perNode) || perNode < 1 || perNode > most) Fail(key + ":Gpus", $"'{g}' is not a GPU count of 1..{most} (the most an allowed instance type has).");
                    gpus = perNode;
                }
                if (child["AttemptTimeoutSeconds"] is { } t)
                {
                    if (!int.TryParse(t, out var seconds) || seconds < 60) Fail(key + ":AttemptTimeoutSeconds", $"'{t}' is not an attempt timeout of at least 60 seconds.");
                    timeout = seconds;
                }
            }
            if (!BatchDefinition().IsMatch(batchName)) Fail(key, $"'{batchName}' is not a Batch job definition name, name:revision or ARN.");
            _definitions[child.Key] = new TrainingDefinition(child.Key, batchName, nodes, maxNodes, gpus, timeout);
        }
        if (_definitions.Count == 0) Fail("JobDefinitions", "at least one job definition is required (Training__JobDefinitions__{name}).");
        JobVisibility = (o.JobVisibility ?? "").Trim() switch
        {
            "" => JobVisibility.Caller,
            var v when v.Equals(nameof(JobVisibility.Caller), StringComparison.OrdinalIgnoreCase) => JobVisibility.Caller,
            var v when v.Equals(nameof(JobVisibility.Shared), StringComparison.OrdinalIgnoreCase) => JobVisibility.Shared,
            var v => throw new OptionsValidationException("Training:JobVisibility", typeof(TrainingOptions), [$"Training:JobVisibility: '{v}' is not Caller or Shared."]),
        };
        MaxRuntimeSeconds = o.MaxRuntimeSeconds;
        MaxBodyBytes = o.MaxBodyBytes;
    }

    public bool IsConfigured { get; }
    public string JobQueue { get; } = "";

    /// <summary>The queue of multi-node jobs, or null when they go to <see cref="JobQueue"/>.</summary>
    public string? MultiNodeJobQueue { get; }

    /// <summary>The queues this API submits to and lists, in listing order: <see cref="JobQueue"/>, then <see cref="MultiNodeJobQueue"/>.</summary>
    public IReadOnlyList<string> JobQueues { get; } = [];
    public string DatasetsBucket { get; } = "";
    public string OutputBucket { get; } = "";
    public string? CheckpointsBucket { get; }
    public string StateBucket { get; } = "";
    public string KeyId { get; } = "";

    /// <summary>Value of the <c>aws-model-platform:training-jobs</c> tag every submitted job carries.</summary>
    public string JobTag { get; } = "";
    public int MaxRuntimeSeconds { get; }
    public int MaxBodyBytes { get; }

    /// <summary>Which jobs a caller may list, describe and stop.</summary>
    internal JobVisibility JobVisibility { get; }
    internal IReadOnlyList<GpuInstanceType> AllowedInstanceTypes { get; } = [];
    public IEnumerable<TrainingDefinition> Definitions => _definitions.Values.OrderBy(d => d.Name, StringComparer.Ordinal);

    /// <summary>501 problem unless the <c>Training</c> section is configured.</summary>
    public TrainingCatalog EnsureConfigured() =>
        IsConfigured ? this : throw Problems.NotConfigured("The training routes need the Training:* configuration (job queue, job definitions, buckets, key).");

    public TrainingDefinition? Find(string name) => _definitions.GetValueOrDefault(name);

    /// <summary>Maps a job's Batch definition ARN back to the configured name (null when it is none of ours).</summary>
    public string? NameOfBatchDefinition(string? arn)
    {
        if (arn is null) return null;
        var tail = arn[(arn.LastIndexOf('/') + 1)..];
        var bare = tail.Split(':')[0];
        foreach (var d in _definitions.Values)
        {
            var configured = d.BatchName[(d.BatchName.LastIndexOf('/') + 1)..];
            if (configured == tail || configured.Split(':')[0] == bare) return d.Name;
        }
        return null;
    }

    /// <summary>The queue a job of this definition is submitted to: multi-node jobs to their own queue when there is one.</summary>
    public string QueueFor(TrainingDefinition definition) => definition.MultiNode && MultiNodeJobQueue is { } multiNode ? multiNode : JobQueue;

    /// <summary>Whether a job's queue (as DescribeJobs reports it, an ARN) is one of the configured queues.</summary>
    public bool IsOurQueue(string? queueArn) => queueArn is not null && JobQueues.Any(q => SameQueue(queueArn, q));

    /// <summary>Whether an ARN (or name) names the configured queue, given as a name or an ARN.</summary>
    private static bool SameQueue(string queueArn, string configured) =>
        queueArn == configured || (!configured.StartsWith("arn:", StringComparison.Ordinal) && queueArn.EndsWith(":job-queue/" + configured, StringComparison.Ordinal));

    private static string Bucket(string name, string key) =>
        BucketName().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal)
            ? name
            : throw new OptionsValidationException("Training:" + key, typeof(TrainingOptions), [$"Training:{key}: '{name}' is not an S3 bucket name."]);

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex DefinitionName();

    [GeneratedRegex("^[A-Za-z0-9 _.:/=+@-]{1,256}\\z")]
    private static partial Regex TagValue();

    [GeneratedRegex("^([A-Za-z0-9][A-Za-z0-9_-]{0,127}(:[0-9]{1,9})?|arn:aws[a-z-]*:batch:[a-z0-9-]+:[0-9]{12}:job-definition/[A-Za-z0-9][A-Za-z0-9_-]{0,127}(:[0-9]{1,9})?)$")]
    private static partial Regex BatchDefinition();

    [GeneratedRegex("^([A-Za-z0-9][A-Za-z0-9_-]{0,127}|arn:aws[a-z-]*:batch:[a-z0-9-]+:[0-9]{12}:job-queue/[A-Za-z0-9][A-Za-z0-9_-]{0,127})$")]
    private static partial Regex QueueOrArn();
}
