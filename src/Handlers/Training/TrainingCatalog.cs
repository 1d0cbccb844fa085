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

/// <summary>The validated <c>Training:*</c> configuration (<see cref="TrainingSettings"/>). Empty <c>Training</c> section: the routes answer 501.</summary>
internal sealed partial class TrainingCatalog
{
    private readonly Dictionary<string, TrainingDefinition> _definitions = new(StringComparer.Ordinal);

    public TrainingCatalog(IOptions<TrainingSettings> options, IConfiguration configuration)
    {
        var o = options.Value;
        IsConfigured = configuration.GetSection(TrainingSettings.Section).GetChildren().Any();
        if (!IsConfigured) return;

        static string Key(params object[] path) => SettingsEnvironment.Path([TrainingSettings.Section, .. path]);
        static void Fail(string key, string what) => throw new OptionsValidationException(key, typeof(TrainingSettings), [$"{key}: {what}"]);
        static string Required(string? value, string property) => string.IsNullOrWhiteSpace(value)
            ? throw new OptionsValidationException(Key(property), typeof(TrainingSettings), [$"{Key(property)} is required when the training routes are configured."])
            : value.Trim();

        JobQueue = Required(o.JobQueue, nameof(o.JobQueue));
        if (!QueueOrArn().IsMatch(JobQueue)) Fail(Key(nameof(o.JobQueue)), $"'{JobQueue}' is not a Batch job queue name or ARN.");
        if (!string.IsNullOrWhiteSpace(o.MultiNodeJobQueue))
        {
            MultiNodeJobQueue = o.MultiNodeJobQueue.Trim();
            var key = Key(nameof(o.MultiNodeJobQueue));
            if (!QueueOrArn().IsMatch(MultiNodeJobQueue)) Fail(key, $"'{MultiNodeJobQueue}' is not a Batch job queue name or ARN.");
            if (SameQueue(MultiNodeJobQueue, JobQueue) || SameQueue(JobQueue, MultiNodeJobQueue)) Fail(key, $"'{MultiNodeJobQueue}' is {Key(nameof(o.JobQueue))}; leave it unset when multi-node jobs share that queue.");
        }
        JobQueues = MultiNodeJobQueue is null ? [JobQueue] : [JobQueue, MultiNodeJobQueue];
        DatasetsBucket = Bucket(Required(o.DatasetsBucket, nameof(o.DatasetsBucket)), Key(nameof(o.DatasetsBucket)));
        OutputBucket = Bucket(Required(o.OutputBucket, nameof(o.OutputBucket)), Key(nameof(o.OutputBucket)));
        StateBucket = Bucket(Required(o.StateBucket, nameof(o.StateBucket)), Key(nameof(o.StateBucket)));
        CheckpointsBucket = string.IsNullOrWhiteSpace(o.CheckpointsBucket) ? null : Bucket(o.CheckpointsBucket.Trim(), Key(nameof(o.CheckpointsBucket)));
        KeyId = Required(o.KeyId, nameof(o.KeyId));
        JobTag = Required(o.JobTag, nameof(o.JobTag));
        if (!TagValue().IsMatch(JobTag)) Fail(Key(nameof(o.JobTag)), $"'{JobTag}' is not a Batch tag value (1-256 letters, digits, spaces and _ . : / = + - @).");
        if (o.MaxRuntimeSeconds < 60) Fail(Key(nameof(o.MaxRuntimeSeconds)), $"{o.MaxRuntimeSeconds} is below Batch's minimum attempt duration of 60 seconds.");
        if (o.MaxBodyBytes is < 1024 or > 1_048_576) Fail(Key(nameof(o.MaxBodyBytes)), $"{o.MaxBodyBytes} is outside 1024..1048576.");

        var types = new List<GpuInstanceType>();
        foreach (var name in Required(o.AllowedInstanceTypes, nameof(o.AllowedInstanceTypes)).Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var type = GpuInstanceTypes.Find(name);
            if (type is null) Fail(Key(nameof(o.AllowedInstanceTypes)), $"'{name}' is not a supported GPU instance type.");
            if (!types.Contains(type!)) types.Add(type!);
        }
        AllowedInstanceTypes = types;
        if (string.IsNullOrWhiteSpace(o.InstanceTypes)) InstanceTypes = types.Select(t => t.Name).ToList();
        else
        {
            // Any EC2 type an imported queue may launch, GPU or not: it is only priced, never asked for.
            var queueTypes = o.InstanceTypes.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct().ToList();
            foreach (var name in queueTypes.Where(n => !InstanceTypeName().IsMatch(n)))
                Fail(Key(nameof(o.InstanceTypes)), $"'{name}' is not an EC2 instance type (family.size, e.g. g5.12xlarge).");
            InstanceTypes = queueTypes;
        }
        JobQueueCapacity = (o.JobQueueCapacity ?? "").Trim() switch
        {
            "" => JobCapacity.OnDemand,
            var v when Enum.GetNames<JobCapacity>().FirstOrDefault(n => n.Equals(v, StringComparison.OrdinalIgnoreCase)) is { } name =>
                Enum.Parse<JobCapacity>(name),
            var v => throw new OptionsValidationException(Key(nameof(o.JobQueueCapacity)), typeof(TrainingSettings),
                [$"{Key(nameof(o.JobQueueCapacity))}: '{v}' is not {string.Join(", ", Enum.GetNames<JobCapacity>())}."]),
        };

        for (var i = 0; i < o.JobDefinitions.Count; i++)
        {
            var d = o.JobDefinitions[i];
            string At(string property) => Key(nameof(o.JobDefinitions), i, property) + (JobDefinitionNames.IsValid(d.Name) ? $" (definition '{d.Name}')" : "");
            if (!JobDefinitionNames.IsValid(d.Name)) Fail(At(nameof(d.Name)), $"'{d.Name}' is not a definition name ({JobDefinitionNames.Rule}).");
            if (_definitions.ContainsKey(d.Name!)) Fail(At(nameof(d.Name)), $"'{d.Name}' names another definition already; names are unique.");
            var batchName = (d.BatchName ?? "").Trim();
            if (!BatchDefinition().IsMatch(batchName)) Fail(At(nameof(d.BatchName)), $"'{batchName}' is not a Batch job definition name, name:revision or ARN.");
            if (d.Nodes is < 1 or > 1000) Fail(At(nameof(d.Nodes)), $"'{d.Nodes}' is not a node count of 1..1000.");
            var maxNodes = d.MaxNodes ?? d.Nodes;
            if (maxNodes < d.Nodes || maxNodes > 1000) Fail(At(nameof(d.MaxNodes)), $"'{maxNodes}' is not a node count of {d.Nodes}..1000.");
            var most = types.Max(t => t.Gpus);
            if (d.Gpus is { } gpus && (gpus < 1 || gpus > most)) Fail(At(nameof(d.Gpus)), $"'{gpus}' is not a GPU count of 1..{most} (the most an allowed instance type has).");
            if (d.AttemptTimeoutSeconds is < 60) Fail(At(nameof(d.AttemptTimeoutSeconds)), $"'{d.AttemptTimeoutSeconds}' is not an attempt timeout of at least 60 seconds.");
            _definitions[d.Name!] = new TrainingDefinition(d.Name!, batchName, d.Nodes, maxNodes, d.Gpus, d.AttemptTimeoutSeconds);
        }
        if (_definitions.Count == 0)
            Fail(Key(nameof(o.JobDefinitions)), $"at least one job definition is required ({SettingsEnvironment.Key(TrainingSettings.Section, nameof(o.JobDefinitions), 0, nameof(JobDefinitionSettings.Name))} and its {nameof(JobDefinitionSettings.BatchName)}).");
        JobVisibility = (o.JobVisibility ?? "").Trim() switch
        {
            "" => JobVisibility.Caller,
            var v when Enum.GetNames<JobVisibility>().FirstOrDefault(n => n.Equals(v, StringComparison.OrdinalIgnoreCase)) is { } name => Enum.Parse<JobVisibility>(name),
            var v => throw new OptionsValidationException(Key(nameof(o.JobVisibility)), typeof(TrainingSettings),
                [$"{Key(nameof(o.JobVisibility))}: '{v}' is not {string.Join(" or ", Enum.GetNames<JobVisibility>())}."]),
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
    public JobVisibility JobVisibility { get; }
    public IReadOnlyList<GpuInstanceType> AllowedInstanceTypes { get; } = [];

    /// <summary>The instance types the queues' compute environments launch (<see cref="TrainingSettings.InstanceTypes"/>).</summary>
    public IReadOnlyList<string> InstanceTypes { get; } = [];

    /// <summary>What <see cref="JobQueue"/>'s compute environments buy; multi-node jobs run on demand whatever it is.</summary>
    public JobCapacity JobQueueCapacity { get; }
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
            : throw new OptionsValidationException(key, typeof(TrainingSettings), [$"{key}: '{name}' is not an S3 bucket name."]);

    [GeneratedRegex("^[a-z][a-z0-9-]*\\.[a-z0-9-]+\\z")]
    private static partial Regex InstanceTypeName();

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    [GeneratedRegex("^[A-Za-z0-9 _.:/=+@-]{1,256}\\z")]
    private static partial Regex TagValue();

    [GeneratedRegex("^([A-Za-z0-9][A-Za-z0-9_-]{0,127}(:[0-9]{1,9})?|arn:aws[a-z-]*:batch:[a-z0-9-]+:[0-9]{12}:job-definition/[A-Za-z0-9][A-Za-z0-9_-]{0,127}(:[0-9]{1,9})?)$")]
    private static partial Regex BatchDefinition();

    [GeneratedRegex("^([A-Za-z0-9][A-Za-z0-9_-]{0,127}|arn:aws[a-z-]*:batch:[a-z0-9-]+:[0-9]{12}:job-queue/[A-Za-z0-9][A-Za-z0-9_-]{0,127})$")]
    private static partial Regex QueueOrArn();
}
