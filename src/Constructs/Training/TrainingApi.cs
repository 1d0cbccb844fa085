using System.Text.RegularExpressions;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Api;
using InvokeMode = AwsModelPlatform.Constructs.Api.InvokeMode;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>Properties of <see cref="TrainingApi"/>.</summary>
public sealed record TrainingApiProps : HandlerApiProps
{
    /// <summary>The training queues, job definitions and buckets the API submits to (a <see cref="TrainingJobs"/>, one of another stack through <see cref="TrainingJobs.FromTrainingJobsAttributes"/>, or job infrastructure of your own); the API runs on its platform (leave <c>Platform</c> unset).</summary>
    public required ITrainingJobs Training { get; init; }

    /// <summary>Instance types a submission may ask for.</summary>
    /// <remarks>Default: every type of <see cref="ITrainingJobs.InstanceTypes"/>.</remarks>
    public IReadOnlyList<string>? AllowedInstanceTypes { get; init; }

    /// <summary>Longest attempt a submission may ask for (<c>maxRuntimeSeconds</c>), in whole seconds from 60 seconds to 14 days.</summary>
    /// <remarks>
    /// Default: 24 hours, the job definitions' default attempt timeout. A submission may also not ask for more than
    /// its definition's <see cref="TrainingJobDefinitionOptions.AttemptTimeout"/>; one that does not ask runs
    /// under that timeout, not under this cap.
    /// </remarks>
    public Duration MaxRuntime { get; init; } = Duration.Hours(24);

    /// <summary>How long an idempotency record is kept: a retry with the same key within this time returns the same job (whole days, 1 to 3650).</summary>
    /// <remarks>Default: 30 days.</remarks>
    public Duration IdempotencyRecordRetention { get; init; } = Duration.Days(30);

    /// <summary>Which jobs a caller may list, describe and stop.</summary>
    /// <remarks>
    /// Default: <see cref="JobVisibility.Caller"/>, only the jobs it submitted; another caller's job is 404, as an unknown
    /// id is. <see cref="JobVisibility.Shared"/> lets every caller of the API see and stop every job of the queue.
    /// </remarks>
    public JobVisibility JobVisibility { get; init; } = JobVisibility.Caller;
}

/// <summary>
/// The training job API (<c>POST/GET /v1/training-jobs</c>, <c>GET/DELETE /v1/training-jobs/{id}</c>) in front of a
/// <see cref="TrainingJobs"/>: the handler's <c>training</c> route group on a <see cref="HandlerFunction"/> behind a
/// <see cref="PlatformRestApi"/>, with a state bucket for idempotency records and a role that can submit to that queue
/// with those definitions, stop only jobs tagged as submitted to that <see cref="TrainingJobs"/> (<see cref="JobTags"/>),
/// read datasets' names only through the handler's checks, and encrypt job secrets only under the handler's encryption
/// context.
/// </summary>
public sealed class TrainingApi : PlatformConstruct
{
    /// <summary>The CloudWatch namespace of the metrics the handler writes for these routes (Embedded Metric Format).</summary>
    public const string MetricNamespace = HandlerMetrics.Training.Namespace;

    /// <summary>The <see cref="HandlerApiProps.Name"/> of the REST API unless the props name it.</summary>
    private const string ApiBaseName = "training";

    /// <summary>The handler settings of the function, of which its environment is made.</summary>
    internal TrainingSettings Settings { get; }

    /// <summary>Prefix of <see cref="StateBucket"/> holding the idempotency records (under the handler's <c>Training:StatePrefix</c>).</summary>
    public string IdempotencyPrefix => TrainingLayout.IdempotencyPrefix(Settings.StatePrefix);

    private readonly IReadOnlyList<string> _definitions;

    /// <summary>The function serving the routes.</summary>
    public HandlerFunction Handler { get; }

    /// <summary>The API's functions: <see cref="Handler"/>.</summary>
    public IReadOnlyList<HandlerFunction> Functions => new[] { Handler };

    /// <summary>The REST API.</summary>
    public PlatformRestApi RestApi { get; }

    /// <summary>The URL of the stage, ending in <c>/</c> (append <c>v1/training-jobs</c>).</summary>
    public string Url => RestApi.Url;

    /// <summary>Lets <paramref name="grantee"/> call every route (IAM authorization, the default).</summary>
    public Grant GrantInvoke(IGrantable grantee) => RestApi.GrantInvoke(grantee);

    /// <summary>The bucket of idempotency records.</summary>
    public Bucket StateBucket { get; }

    /// <summary>The API's alarms: the stage's, the function's and the job-submission alarm, all on the platform's alarm topic.</summary>
    public TrainingApiAlarms Alarms { get; }

    /// <summary>Creates the function, the state bucket, the grants and the API.</summary>
    public TrainingApi(Construct scope, string id, TrainingApiProps props) : base(scope, id, OnTrainingPlatform(scope, id, props), "training")
    {
        var training = props.Training;
        var platform = Platform;
        _definitions = training.JobDefinitions.Select(d => d.Name).ToList();
        var allowed = props.AllowedInstanceTypes ?? training.InstanceTypes;
        foreach (var type in allowed)
            Check.That(training.InstanceTypes.Contains(type),
                $"TrainingApiProps.AllowedInstanceTypes: '{type}' is not one of the training compute environments' types ({string.Join(", ", training.InstanceTypes)}); a job asking for it would never start.");
        // AWS Batch attempt timeouts run from 60 seconds to 14 days.
        Check.WholeSeconds(props.MaxRuntime, 60, 1_209_600, "TrainingApiProps.MaxRuntime");
        var recordDays = props.IdempotencyRecordRetention.ToMilliseconds() / 86_400_000.0;
        Check.That(recordDays is >= 1 and <= 3650 && recordDays == Math.Floor(recordDays),
            $"TrainingApiProps.IdempotencyRecordRetention = {recordDays} days is out of range: S3 expires objects after whole days, and records must expire (1 to 3650 days).");
        var memory = Size.Mebibytes(HandlerFunction.MemoryMiB(Check, props.Memory, "TrainingApiProps.Memory"));
        var concurrency = props.ReservedConcurrency ?? 20;
        Check.That(concurrency >= 1, $"TrainingApiProps.ReservedConcurrency = {concurrency} must be at least 1; 0 would turn the function off.");

        StateBucket = BucketDefaults.Create(this, "State", platform.Key, platform.AccessLogs, "training/state/", platform.RemovalPolicy,
            new ILifecycleRule[]
            {
                new LifecycleRule
                {
                    Id = "ExpireIdempotencyRecords",
                    Expiration = Duration.Days(recordDays),
                    NoncurrentVersionExpiration = Duration.Days(1),
                },
            }, PlatformNames.Bucket(platform, this, "state"));

        // The REST API's name, known before the API: the Api dimension of every metric the handler writes, so this
        // API's helpers, alarm and dashboard read its own metrics, not those of another platform's training API.
        var api = new ApiSettings { Name = PlatformRestApi.NameOf(platform, props.Name ?? ApiBaseName), RouteGroups = RouteGroup.Training };
        Settings = new TrainingSettings
        {
            JobQueue = training.JobQueueArn,
            // Multi-node jobs go to their on-demand queue when the main one starts with Spot (Batch runs them on no Spot).
            MultiNodeJobQueue = training.MultiNodeJobQueueArn,
            JobDefinitions = training.JobDefinitions.Select(d => new JobDefinitionSettings
            {
                Name = d.Name,
                BatchName = d.JobDefinitionName,
                Nodes = d.Nodes,
                MaxNodes = d.Nodes > 1 ? d.MaxNodes ?? d.Nodes : null,
                // The GPUs a job gets when it does not ask: the handler reports them as GpusRequested.
                Gpus = d.Gpus,
                // A submission may lower the definition's attempt timeout, never raise it.
                AttemptTimeoutSeconds = (int)d.AttemptTimeout.ToSeconds(),
            }).ToList(),
            DatasetsBucket = training.DatasetsBucket.BucketName,
            CheckpointsBucket = training.CheckpointsBucket.BucketName,
            OutputBucket = training.OutputBucket.BucketName,
            StateBucket = StateBucket.BucketName,
            KeyId = platform.Key.Key.KeyArn,
            AllowedInstanceTypes = string.Join(",", allowed),
            // What Batch chooses from and the job's price: the handler prices jobs from the price table in its own region.
            InstanceTypes = allowed.SequenceEqual(training.InstanceTypes) ? null : string.Join(",", training.InstanceTypes),
            JobQueueCapacity = training.JobQueueCapacity.ToString(),
            MaxRuntimeSeconds = (int)props.MaxRuntime.ToSeconds(),
            JobVisibility = props.JobVisibility.ToString(),
            // Every job is tagged with it; the role stops only jobs that carry it (Grant).
            JobTag = training.JobTagValue,
        };
        var configuration = HandlerEnvironment.Of(api, training: Settings);

        Handler = new HandlerFunction(this, "Handler", new HandlerFunctionProps
        {
            Platform = platform,
            Purpose = "training-api",
            Code = props.HandlerCodeOf(Check),
            Configuration = configuration,
            Architecture = props.Architecture,
            Memory = memory,
            ReservedConcurrency = concurrency,
            WebAdapterLayerArn = props.WebAdapterLayerArn,
            Timeout = Duration.Seconds(30),
        });
        Grant(training, Handler.Role, platform);

        RestApi = new PlatformRestApi(this, "Api", props.RestApiProps(platform, ApiBaseName, defaultRateLimit: 10));
        RestApi.RecordCustomMetrics(CustomMetricCount, CustomMetricsBasis);
        // The route table's training routes and the OpenAPI document: what the handler serves (and checks at startup).
        foreach (var route in Routes.Served([RouteGroup.Training], Handler.InvokeMode.Transfer()).Where(r => r.OnApiGateway))
            RestApi.AddRoute(route, Handler);

        // Submissions are few and each is a job someone is waiting for: one 5xx is worth a look. API Gateway's 5xx-rate
        // alarm (PlatformRestApi) needs 20 requests in 5 minutes, which a training API seldom sees.
        var submitErrors = MetricSubmitErrors(new MetricOptions { Period = Duration.Minutes(5) }).CreateAlarm(this, "SubmitErrorsAlarm", new CreateAlarmOptions
        {
            AlarmDescription = "Training API: a job submission answered 5xx within 5 minutes (AWS Batch, S3 or KMS failing or refusing the function's role, or a handler fault); the function's log has the request.",
            Threshold = 1,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        platform.AlarmTopic.Notify(submitErrors);
        Alarms = new TrainingApiAlarms { Api = RestApi.Alarms, Function = Handler.Alarms, SubmitErrors = submitErrors };
        AddDashboardSection(platform);
    }

    /// <summary>One of the handler's per-operation metrics (<c>Requests</c>, <c>Errors</c>, <c>ClientErrors</c>, <c>Throttles</c>, <c>Latency</c>) of this API: dimensions <c>Api</c> and <c>Operation</c>.</summary>
    public Metric MetricOfOperation(TrainingApiOperation operation, string metricName, IMetricOptions? props = null)
    {
        Check.That(ByOperation.Metrics.Any(m => m.Name == metricName),
            $"TrainingApi.MetricOfOperation: '{metricName}' is not a metric the handler writes per operation ({string.Join(", ", ByOperation.Metrics.Select(m => m.Name))}); an alarm on it would never see data.");
        return RestApi.HandlerMetric(ByOperation, metricName, OperationName(operation), props);
    }

    /// <summary>Requests of one operation.</summary>
    public Metric MetricRequests(TrainingApiOperation operation, IMetricOptions? props = null) => MetricOfOperation(operation, HandlerMetrics.Training.Requests.Name, props);

    /// <summary>Requests of one operation answered 5xx.</summary>
    public Metric MetricErrors(TrainingApiOperation operation, IMetricOptions? props = null) => MetricOfOperation(operation, HandlerMetrics.Training.Errors.Name, props);

    /// <summary>Requests of one operation answered 4xx (throttles included).</summary>
    public Metric MetricClientErrors(TrainingApiOperation operation, IMetricOptions? props = null) => MetricOfOperation(operation, HandlerMetrics.Training.ClientErrors.Name, props);

    /// <summary>Requests of one operation answered 429 (AWS Batch throttling).</summary>
    public Metric MetricThrottles(TrainingApiOperation operation, IMetricOptions? props = null) => MetricOfOperation(operation, HandlerMetrics.Training.Throttles.Name, props);

    /// <summary>Handler latency of one operation in milliseconds (p99 unless the options say otherwise).</summary>
    public Metric MetricLatency(TrainingApiOperation operation, IMetricOptions? props = null) => MetricOfOperation(operation, HandlerMetrics.Training.Latency.Name, props);

    /// <summary>Job submissions answered 5xx: what <see cref="TrainingApiAlarms.SubmitErrors"/> watches.</summary>
    public Metric MetricSubmitErrors(IMetricOptions? props = null) => MetricErrors(TrainingApiOperation.Submit, props);

    /// <summary>Jobs of one job definition (dimensions <c>Api</c>, <c>Definition</c>) that reached AWS Batch through this API (replays of idempotent submissions are not counted again).</summary>
    public Metric MetricJobsSubmitted(string definition, IMetricOptions? props = null) => DefinitionMetric(HandlerMetrics.Training.JobsSubmitted, definition, props);

    /// <summary>GPUs those jobs asked for: GPUs per node × nodes.</summary>
    public Metric MetricGpusRequested(string definition, IMetricOptions? props = null) => DefinitionMetric(HandlerMetrics.Training.GpusRequested, definition, props);

    /// <summary>
    /// The hourly cost those jobs were estimated at when submitted (USD, instance price × nodes; Sum unless the options say
    /// otherwise: the hourly spend the period's submissions added). Per definition, not per caller: a caller's job costs
    /// are in the API's answers (docs/training-api.md).
    /// </summary>
    public Metric MetricEstimatedHourlyCost(string definition, IMetricOptions? props = null) =>
        DefinitionMetric(HandlerMetrics.Training.EstimatedHourlyCostUsd, definition, props, CostByDefinition);

    private Metric DefinitionMetric(HandlerMetric metric, string definition, IMetricOptions? props, HandlerMetricSet? set = null)
    {
        Check.That(_definitions.Contains(definition), $"TrainingApi.Metric{metric.Name}: '{definition}' is not a job definition of the training jobs ({string.Join(", ", _definitions)}).");
        return RestApi.HandlerMetric(set ?? ByDefinition, metric.Name, definition, props);
    }

    private static HandlerMetricSet ByOperation => HandlerMetrics.Training.ByOperation;
    private static HandlerMetricSet ByDefinition => HandlerMetrics.Training.ByDefinition;
    private static HandlerMetricSet CostByDefinition => HandlerMetrics.Training.CostByDefinition;

    /// <summary>The value of the handler's <c>Operation</c> dimension for <paramref name="operation"/>.</summary>
    internal static string OperationName(TrainingApiOperation operation) => operation switch
    {
        TrainingApiOperation.Submit => HandlerMetrics.Training.Submit,
        TrainingApiOperation.List => HandlerMetrics.Training.List,
        TrainingApiOperation.Describe => HandlerMetrics.Training.Describe,
        TrainingApiOperation.Stop => HandlerMetrics.Training.Stop,
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "not an operation of the training API"),
    };

    private void AddDashboardSection(IModelPlatform platform)
    {
        // Each line is labelled with its operation or definition: the widget title names the metric.
        var operations = Enum.GetValues<TrainingApiOperation>();
        IMetric[] PerOperation(Func<TrainingApiOperation, MetricOptions, Metric> metric, string suffix = "") =>
            operations.Select(o => (IMetric)metric(o, new MetricOptions { Label = OperationName(o) + suffix })).ToArray();
        IMetric[] PerDefinition(Func<string, MetricOptions, Metric> metric, string suffix = "") =>
            _definitions.Select(d => (IMetric)metric(d, new MetricOptions { Label = d + suffix })).ToArray();
        platform.Dashboard.AddSection(this, $"Training API: {Node.Path}",
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Requests (left) and 429 throttles (right) by operation",
                Left = PerOperation(MetricRequests),
                Right = PerOperation(MetricThrottles, " 429"),
                Width = 12,
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "5xx (left) and 4xx (right) by operation",
                Left = PerOperation(MetricErrors, " 5xx"),
                Right = PerOperation(MetricClientErrors, " 4xx"),
                Width = 12,
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Latency p99 by operation (ms)",
                Left = PerOperation(MetricLatency),
                Width = 12,
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Jobs submitted (left) and GPUs requested (right) by definition",
                Left = PerDefinition(MetricJobsSubmitted),
                Right = PerDefinition(MetricGpusRequested, " GPUs"),
                Width = 12,
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Estimated hourly cost of the jobs submitted, by definition (USD/h)",
                Left = PerDefinition(MetricEstimatedHourlyCost),
                Width = 12,
            }));
    }

    /// <summary>
    /// The handler's EMF metrics, all of them reporting: <see cref="HandlerMetrics.Training.ByOperation"/> per operation, and
    /// <see cref="HandlerMetrics.Training.ByDefinition"/> and <see cref="HandlerMetrics.Training.CostByDefinition"/> per job definition.
    /// </summary>
    protected override IEnumerable<Cost.CostLine> CapacityCostLines(string region)
    {
        yield return Cost.CostEstimator.CustomMetrics(this, region, CustomMetricCount, CustomMetricsBasis);
    }

    private static int Operations => HandlerMetrics.Training.Operations.Count;
    private static IReadOnlyList<HandlerMetric> DefinitionMetrics => [.. ByDefinition.Metrics, .. CostByDefinition.Metrics];
    private int CustomMetricCount => Operations * ByOperation.Metrics.Count + _definitions.Count * DefinitionMetrics.Count;
    private string CustomMetricsBasis =>
        $"{Operations} operations × {ByOperation.Metrics.Count} metrics + {_definitions.Count} job definitions × {DefinitionMetrics.Count} "
        + $"({string.Join(", ", DefinitionMetrics.Select(m => m.Name))})";

    private static TrainingApiProps OnTrainingPlatform(Construct scope, string id, TrainingApiProps props)
    {
        Validate.Of(scope, id).That(props.StandaloneOptions is null && (props.Platform is null || props.Platform == props.Training.Platform),
            "TrainingApiProps: the API runs on the platform of its TrainingJobs; leave Platform and StandaloneOptions unset.");
        return props with { Platform = props.Training.Platform };
    }

    private void Grant(ITrainingJobs training, Role role, IModelPlatform platform)
    {
        var stack = Stack.Of(this);
        var jobs = new[] { $"arn:{stack.Partition}:batch:{stack.Region}:{stack.Account}:job/*" };
        training.GrantSubmitJob(role);
        var policy = new Policy(this, "HandlerPolicy", new PolicyProps
        {
            Roles = new IRole[] { role },
            Statements = new[]
            {
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadJobs",
                    Actions = new[] { "batch:ListJobs", "batch:DescribeJobs" },
                    Resources = new[] { "*" },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "StopTaggedJobs",
                    // TerminateJob also cancels a job that has not started: the handler needs no CancelJob. Job ARNs are
                    // per submission, so the tag the handler puts on every job scopes it: no other team's job.
                    Actions = new[] { "batch:TerminateJob" },
                    Resources = jobs,
                    Conditions = new Dictionary<string, object>
                    {
                        ["StringEquals"] = new Dictionary<string, object> { ["aws:ResourceTag/" + JobTags.TrainingJobs] = training.JobTagValue },
                    },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "TagJobsOnSubmit",
                    // Batch authorizes SubmitJob's tags as TagResource on the new job: the scope tag always, and no key
                    // the handler does not set, so the role cannot write other tags on any job.
                    Actions = new[] { "batch:TagResource" },
                    Resources = jobs,
                    Conditions = new Dictionary<string, object>
                    {
                        ["StringEquals"] = new Dictionary<string, object> { ["aws:RequestTag/" + JobTags.TrainingJobs] = training.JobTagValue },
                        ["ForAllValues:StringEquals"] = new Dictionary<string, object> { ["aws:TagKeys"] = JobTags.Keys.ToArray() },
                    },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "IdempotencyRecords",
                    Actions = new[] { "s3:GetObject", "s3:PutObject" },
                    Resources = new[] { StateBucket.ArnForObjects(IdempotencyPrefix + "*") },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "TellMissingRecordsFromDenials",
                    // The first submission of a key reads a record that does not exist yet: S3 answers 404 only to a
                    // caller that may list the prefix, 403 to any other (S3Conditions.ListOnly).
                    Actions = new[] { "s3:ListBucket" },
                    Resources = new[] { StateBucket.BucketArn },
                    Conditions = S3Conditions.ListOnly(new[] { IdempotencyPrefix }),
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "StateBucketKey",
                    Actions = new[] { "kms:Decrypt", "kms:GenerateDataKey" },
                    Resources = new[] { platform.Key.Key.KeyArn },
                    Conditions = KmsConditions.ThroughS3(stack),
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "JobSecretsUnderTheirContext",
                    Actions = new[] { "kms:Encrypt", "kms:Decrypt" },
                    Resources = new[] { platform.Key.Key.KeyArn },
                    Conditions = KmsConditions.JobSecrets(),
                }),
            },
        });
        Suppressions.Add(policy, "AwsSolutions-IAM5",
            "ListJobs and DescribeJobs have no resource-level permissions (the handler only lists and describes its own queues' jobs); job ARNs are created per submission, " +
            $"so TerminateJob and TagResource are scoped by the {JobTags.TrainingJobs} tag instead; idempotency records are keyed by a hash of caller and key under one prefix.",
            "Resource::*",
            $"Resource::arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job/*",
            Suppressions.Matching($@"^Resource::<.*State[0-9A-F]{{8}}\.Arn>/{Regex.Escape(IdempotencyPrefix)}\*$"));
    }
}
