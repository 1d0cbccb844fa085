using System.Text.Json.Nodes;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Tests.Api;
using AwsModelPlatform.Constructs.Training;
using AwsModelPlatform.Contracts;
using JobCapacity = AwsModelPlatform.Constructs.Training.JobCapacity;
using JobVisibility = AwsModelPlatform.Constructs.Training.JobVisibility;

namespace AwsModelPlatform.Constructs.Tests.Training;

public sealed class TrainingApiFixture
{
    public Template Template { get; }

    public TrainingApi Api { get; }

    public TrainingJobs Training { get; }

    public TrainingApiFixture()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        Training = new TrainingJobs(stack, "Training", TrainingJobsTests.Props(platform));
        Api = new TrainingApi(stack, "Api", new TrainingApiProps { Training = Training, HandlerDirectory = FakeHandlerCode.Directory });
        Template = Template.FromStack(stack);
    }
}

public class TrainingApiTests(TrainingApiFixture fixture) : IClassFixture<TrainingApiFixture>
{
    private Template T => fixture.Template;

    private string ApiName => T.Single("AWS::ApiGateway::RestApi")["Properties"]!["Name"]!.GetValue<string>();

    private JsonNode Env => T.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiHandlerFunction")).Value["Properties"]!["Environment"]!["Variables"]!;

    private List<JsonNode> Statements =>
        T.Resources("AWS::IAM::Policy").Where(p => p.Key.StartsWith("ApiHandler")).SelectMany(p => p.Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!).ToList();

    [Fact]
    public void The_handlers_EMF_metrics_are_in_the_worst_case_at_a_metric_month_each()
    {
        // 4 operations × 5 metrics + 2 definitions × 3 (JobsSubmitted, GpusRequested, EstimatedHourlyCostUsd) = 26 custom metrics × $0.30.
        var metrics = Assert.Single(fixture.Api.WorstCaseMonthlyCost, l => l.Type == "AWS::CloudWatch custom metrics (EMF)");
        Assert.Equal(26, metrics.Quantity);
        Assert.Equal(7.80, metrics.MonthlyUsd, 6);
        var record = T.Resources("AWS::ApiGateway::RestApi").Single().Value["Metadata"]![CostMetadata.CustomMetricsKey]!;
        Assert.Equal(26, record["metrics"]!.GetValue<int>());
        Assert.Equal(0, record["metricsPerTeam"]!.GetValue<int>());
    }

    [Fact]
    public void The_function_gets_the_training_configuration_of_the_handler()
    {
        var env = Env;
        Assert.Equal(RouteGroup.Training, env[SettingsEnvironment.Key(ApiSettings.Section, nameof(ApiSettings.RouteGroups))]!.GetValue<string>());
        // The REST API's name: the Api dimension of every metric the handler writes.
        Assert.Equal(ApiName, env[SettingsEnvironment.Key(ApiSettings.Section, nameof(ApiSettings.Name))]!.GetValue<string>());
        Assert.Equal(ApiName, fixture.Api.RestApi.ApiName);
        Assert.Contains("TrainingQueue", env[Key(nameof(TrainingSettings.JobQueue))].Text());
        Assert.Contains("TrainingMultiNodeQueue", env[Key(nameof(TrainingSettings.MultiNodeJobQueue))].Text()); // Spot first in the main queue, and a multi-node definition
        Assert.Equal("finetune", env[Definition(0, nameof(JobDefinitionSettings.Name))]!.GetValue<string>());
        Assert.EndsWith("-finetune\"", env[Definition(0, nameof(JobDefinitionSettings.BatchName))].Text());
        Assert.Equal("4", env[Definition(0, nameof(JobDefinitionSettings.Gpus))]!.GetValue<string>());
        Assert.Null(env[Definition(0, nameof(JobDefinitionSettings.Nodes))]);
        Assert.Equal("ddp", env[Definition(1, nameof(JobDefinitionSettings.Name))]!.GetValue<string>());
        Assert.Contains("-ddp", env[Definition(1, nameof(JobDefinitionSettings.BatchName))].Text());
        Assert.Equal("2", env[Definition(1, nameof(JobDefinitionSettings.Nodes))]!.GetValue<string>());
        Assert.Equal("2", env[Definition(1, nameof(JobDefinitionSettings.MaxNodes))]!.GetValue<string>()); // default: the definition's Nodes
        Assert.Null(env[Definition(0, nameof(JobDefinitionSettings.MaxNodes))]);
        Assert.Equal("4", env[Definition(1, nameof(JobDefinitionSettings.Gpus))]!.GetValue<string>());
        Assert.Equal("g5.12xlarge,g6.12xlarge", env[Key(nameof(TrainingSettings.AllowedInstanceTypes))]!.GetValue<string>());
        Assert.Equal(fixture.Training.JobTagValue, env[Key(nameof(TrainingSettings.JobTag))]!.GetValue<string>());
        // The handler's defaults are not written again: Caller visibility, a 24 h ceiling.
        Assert.Null(env[Key(nameof(TrainingSettings.JobVisibility))]);
        Assert.Null(env[Key(nameof(TrainingSettings.MaxRuntimeSeconds))]);
        Assert.Equal((nameof(JobVisibility.Caller), 86_400), (fixture.Api.Settings.JobVisibility, fixture.Api.Settings.MaxRuntimeSeconds));
        // Each definition's own attempt timeout: a submission may lower it, never raise it.
        Assert.Equal("86400", env[Definition(0, nameof(JobDefinitionSettings.AttemptTimeoutSeconds))]!.GetValue<string>());
        Assert.Equal("86400", env[Definition(1, nameof(JobDefinitionSettings.AttemptTimeoutSeconds))]!.GetValue<string>());
        foreach (var (bucket, key) in new[] { ("Datasets", nameof(TrainingSettings.DatasetsBucket)), ("Checkpoints", nameof(TrainingSettings.CheckpointsBucket)), ("Output", nameof(TrainingSettings.OutputBucket)) })
            Assert.Contains("Training" + bucket, env[Key(key)].Text());
        Assert.Contains("ApiState", env[Key(nameof(TrainingSettings.StateBucket))].Text());
        Assert.Contains("PlatformKey", env[Key(nameof(TrainingSettings.KeyId))].Text());
    }

    private static string Key(params object[] path) => SettingsEnvironment.Key([TrainingSettings.Section, .. path]);

    private static string Definition(int index, string property) => Key(nameof(TrainingSettings.JobDefinitions), index, property);

    [Fact]
    public void A_raised_MaxNodes_reaches_the_handler()
    {
        var stack = Synth.NewStack();
        var props = TrainingJobsTests.Props(new ModelPlatform(stack, "Platform"));
        var training = new TrainingJobs(stack, "Training", props with { MaxVCpus = 192, JobDefinitions = new[] { props.JobDefinitions[1] with { MaxNodes = 4 } } });
        new TrainingApi(stack, "Api", new TrainingApiProps { Training = training, HandlerDirectory = FakeHandlerCode.Directory });
        var env = Template.FromStack(stack).Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiHandlerFunction")).Value["Properties"]!["Environment"]!["Variables"]!;
        Assert.Equal("ddp", env[Definition(0, nameof(JobDefinitionSettings.Name))]!.GetValue<string>());
        Assert.Equal("2", env[Definition(0, nameof(JobDefinitionSettings.Nodes))]!.GetValue<string>());
        Assert.Equal("4", env[Definition(0, nameof(JobDefinitionSettings.MaxNodes))]!.GetValue<string>());
    }

    [Fact]
    public void Every_method_of_the_training_API_is_IAM_authorized()
    {
        // Which methods: the route table's (the contract test compares them with the handler's endpoints).
        var methods = T.Resources("AWS::ApiGateway::Method").Select(m => m.Value["Properties"]!).ToList();
        Assert.Equal(Routes.All.Count(r => r.Group is RouteGroup.Training or RouteGroup.Hosting && r.OnApiGateway), methods.Count);
        Assert.All(methods, m => Assert.Equal("AWS_IAM", m["AuthorizationType"]!.GetValue<string>()));
    }

    [Fact]
    public void The_role_submits_only_to_this_queue_and_encrypts_secrets_only_under_the_job_context()
    {
        var statements = Statements;
        var submit = statements.Single(s => s["Action"].Text() == "\"batch:SubmitJob\"");
        Assert.Equal(4, submit["Resource"]!.AsArray().Count); // the two queues and the two definitions' revisions
        Assert.Contains("TrainingMultiNodeQueue", submit["Resource"].Text());
        var secrets = statements.Single(s => s["Sid"]?.GetValue<string>() == "JobSecretsUnderTheirContext");
        Assert.Equal(
            """{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"aws-model-platform:job-name"},"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["aws-model-platform:job-name","aws-model-platform:submission","aws-model-platform:secret"]}}""",
            secrets["Condition"].Text());
        var viaS3 = statements.Single(s => s["Sid"]?.GetValue<string>() == "StateBucketKey");
        Assert.Contains("kms:ViaService", viaS3["Condition"].Text());
        Assert.DoesNotContain(statements, s => s["Action"].Text().Contains("batch:CancelJob")); // TerminateJob also cancels
        var records = statements.Single(s => s["Sid"]?.GetValue<string>() == "IdempotencyRecords");
        Assert.Contains("/training/idempotency/*", records["Resource"].Text());
        Assert.DoesNotContain(statements, s => s["Action"].Text().Contains("s3:*") || s["Action"].Text().Contains("batch:*") || s["Action"].Text().Contains("kms:*"));
    }

    [Fact]
    public void The_role_may_list_only_the_idempotency_prefix_so_a_first_submission_reads_404_not_403()
    {
        // A first submission with an Idempotency-Key reads a record that does not exist yet; S3 answers 404 only to a
        // caller that may list the bucket, 403 (a 502 for the client) to any other.
        var list = Statements.Single(s => s["Action"].Text().Contains("s3:ListBucket"));
        Assert.Equal("TellMissingRecordsFromDenials", list["Sid"]!.GetValue<string>());
        Assert.Equal("\"s3:ListBucket\"", list["Action"].Text());
        Assert.Contains("State", list["Resource"].Text());
        Assert.DoesNotContain("/", list["Resource"].Text()); // the bucket itself, not its objects
        Assert.Equal("""{"StringLike":{"s3:prefix":["training/idempotency/*"]}}""", list["Condition"].Text());
    }

    [Fact]
    public void The_role_stops_only_jobs_tagged_for_these_training_jobs_and_tags_only_with_the_handlers_keys()
    {
        var tag = fixture.Training.JobTagValue;
        Assert.False(Amazon.CDK.Token.IsUnresolved(tag)); // a literal, from the stack and construct path, as the definitions' names
        Assert.Matches("^[A-Za-z0-9-]{1,60}$", tag); // a valid Batch tag value
        Assert.StartsWith(tag + "-", fixture.Training.JobDefinitionName("finetune"));
        var statements = Statements;
        var stop = statements.Single(s => s["Sid"]?.GetValue<string>() == "StopTaggedJobs");
        Assert.Equal("\"batch:TerminateJob\"", stop["Action"].Text());
        Assert.Contains(":job/*", stop["Resource"].Text());
        Assert.Equal($$$"""{"StringEquals":{"aws:ResourceTag/aws-model-platform:training-jobs":"{{{tag}}}"}}""", stop["Condition"].Text());

        var tagging = statements.Single(s => s["Sid"]?.GetValue<string>() == "TagJobsOnSubmit");
        Assert.Equal("\"batch:TagResource\"", tagging["Action"].Text());
        Assert.Contains(":job/*", tagging["Resource"].Text());
        Assert.Equal(
            $$$"""{"StringEquals":{"aws:RequestTag/aws-model-platform:training-jobs":"{{{tag}}}"},"ForAllValues:StringEquals":{"aws:TagKeys":["aws-model-platform:training-jobs","aws-model-platform:submission","aws-model-platform:definition","aws-model-platform:output","aws-model-platform:checkpoints","aws-model-platform:caller","aws-model-platform:caller-hash"]}}""",
            tagging["Condition"].Text());
        // No other statement grants a Batch action on jobs.
        Assert.Equal(2, statements.Count(s => s["Resource"].Text().Contains(":job/*")));
    }

    [Fact]
    public void A_definitions_own_attempt_timeout_reaches_the_handler()
    {
        var stack = Synth.NewStack();
        var props = TrainingJobsTests.Props(new ModelPlatform(stack, "Platform"));
        var training = new TrainingJobs(stack, "Training", props with { JobDefinitions = new[] { props.JobDefinitions[0] with { AttemptTimeout = Amazon.CDK.Duration.Hours(2) } } });
        new TrainingApi(stack, "Api", new TrainingApiProps { Training = training, HandlerDirectory = FakeHandlerCode.Directory });
        var env = Template.FromStack(stack).Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiHandlerFunction")).Value["Properties"]!["Environment"]!["Variables"]!;
        Assert.Equal("7200", env[Definition(0, nameof(JobDefinitionSettings.AttemptTimeoutSeconds))]!.GetValue<string>());
        Assert.Null(env[Key(nameof(TrainingSettings.MaxRuntimeSeconds))]); // the cap stays the handler's default; the handler takes the lower
    }

    [Fact]
    public void Idempotency_records_live_in_an_encrypted_expiring_state_bucket_named_for_the_trail()
    {
        var state = T.Resources("AWS::S3::Bucket").Single(b => b.Key.StartsWith("ApiState")).Value["Properties"]!;
        Assert.Contains("aws:kms", state["BucketEncryption"].Text());
        Assert.Equal(30, state["LifecycleConfiguration"]!["Rules"]![0]!["ExpirationInDays"]!.GetValue<int>());
        Assert.Contains("-state-", state["BucketName"].Text());
    }

    [Theory]
    [InlineData(false, true)] // on-demand only: the one queue runs multi-node jobs too
    [InlineData(true, false)] // no multi-node definition
    public void Without_a_multi_node_queue_the_handler_gets_no_key_for_one(bool useSpot, bool multiNode)
    {
        var stack = Synth.NewStack();
        var props = TrainingJobsTests.Props(new ModelPlatform(stack, "Platform"));
        var training = new TrainingJobs(stack, "Training", props with
        {
            UseSpot = useSpot,
            OnDemandFallback = useSpot,
            JobDefinitions = multiNode ? props.JobDefinitions : new[] { props.JobDefinitions[0] },
        });
        new TrainingApi(stack, "Api", new TrainingApiProps { Training = training, HandlerDirectory = FakeHandlerCode.Directory });
        var template = Template.FromStack(stack);
        var env = template.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiHandlerFunction")).Value["Properties"]!["Environment"]!["Variables"]!;
        Assert.Null(env[Key(nameof(TrainingSettings.MultiNodeJobQueue))]);
        Assert.Contains("TrainingQueue", env[Key(nameof(TrainingSettings.JobQueue))].Text());
        template.ResourceCountIs("AWS::Batch::JobQueue", 1);
    }

    [Fact]
    public void The_main_queues_purchase_option_reaches_the_handler_which_prices_jobs_by_it()
    {
        // The fixture's queue: Spot, then on-demand when Spot has no capacity.
        Assert.Equal(nameof(JobCapacity.SpotThenOnDemand), Env[Key(nameof(TrainingSettings.JobQueueCapacity))]!.GetValue<string>());
        Assert.Equal(JobCapacity.SpotThenOnDemand, fixture.Training.JobQueueCapacity);
        // The compute environments launch what submissions may ask for: no second list.
        Assert.Null(Env[Key(nameof(TrainingSettings.InstanceTypes))]);
    }

    [Theory]
    [InlineData(true, false, JobCapacity.Spot)]
    [InlineData(false, false, JobCapacity.OnDemand)]
    public void A_spot_only_or_on_demand_queue_is_priced_as_such(bool useSpot, bool fallback, JobCapacity expected)
    {
        var stack = Synth.NewStack();
        var training = new TrainingJobs(stack, "Training", TrainingJobsTests.SpotOnlyProps(new ModelPlatform(stack, "Platform")) with
        {
            UseSpot = useSpot,
            OnDemandFallback = fallback,
        });
        new TrainingApi(stack, "Api", new TrainingApiProps { Training = training, HandlerDirectory = FakeHandlerCode.Directory });
        var env = FunctionEnvironment(Template.FromStack(stack));
        Assert.Equal(expected, training.JobQueueCapacity);
        // The handler's default is on-demand: only what differs is written.
        var written = env[Key(nameof(TrainingSettings.JobQueueCapacity))]?.GetValue<string>() ?? new TrainingSettings().JobQueueCapacity;
        Assert.Equal(expected.ToString(), written);
    }

    [Fact]
    public void When_submissions_may_ask_for_fewer_types_the_handler_still_prices_every_type_batch_may_choose()
    {
        var stack = Synth.NewStack();
        var training = new TrainingJobs(stack, "Training", TrainingJobsTests.Props(new ModelPlatform(stack, "Platform")));
        new TrainingApi(stack, "Api", new TrainingApiProps
        {
            Training = training, HandlerDirectory = FakeHandlerCode.Directory, AllowedInstanceTypes = new[] { "g5.12xlarge" },
        });
        var env = FunctionEnvironment(Template.FromStack(stack));
        Assert.Equal("g5.12xlarge", env[Key(nameof(TrainingSettings.AllowedInstanceTypes))]!.GetValue<string>());
        Assert.Equal(string.Join(",", training.InstanceTypes), env[Key(nameof(TrainingSettings.InstanceTypes))]!.GetValue<string>());
    }

    private static JsonNode FunctionEnvironment(Template template) =>
        template.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiHandlerFunction"))
            .Value["Properties"]!["Environment"]!["Variables"]!;

    [Fact]
    public void Job_infrastructure_of_your_own_that_names_no_purchase_option_is_priced_on_demand()
    {
        ITrainingJobs imported = new ImportedTrainingJobs(fixture.Training);
        Assert.Equal(JobCapacity.OnDemand, imported.JobQueueCapacity);
    }

    /// <summary>An <see cref="ITrainingJobs"/> of a user's own, written before <see cref="ITrainingJobs.JobQueueCapacity"/> existed.</summary>
    private sealed class ImportedTrainingJobs(TrainingJobs jobs) : ITrainingJobs
    {
        public IModelPlatform Platform => jobs.Platform;
        public string JobQueueArn => jobs.JobQueueArn;
        public string? MultiNodeJobQueueArn => jobs.MultiNodeJobQueueArn;
        public IReadOnlyList<string> InstanceTypes => jobs.InstanceTypes;
        public IReadOnlyList<TrainingJobDefinitionAttributes> JobDefinitions => jobs.JobDefinitions;
        public string JobTagValue => jobs.JobTagValue;
        public Amazon.CDK.AWS.S3.IBucket DatasetsBucket => jobs.DatasetsBucket;
        public Amazon.CDK.AWS.S3.IBucket CheckpointsBucket => jobs.CheckpointsBucket;
        public Amazon.CDK.AWS.S3.IBucket OutputBucket => jobs.OutputBucket;
        public Amazon.CDK.AWS.IAM.Grant GrantSubmitJob(Amazon.CDK.AWS.IAM.IGrantable grantee) => jobs.GrantSubmitJob(grantee);
    }

    [Fact]
    public void Shared_job_visibility_reaches_the_handler()
    {
        var stack = Synth.NewStack();
        var training = new TrainingJobs(stack, "Training", TrainingJobsTests.Props());
        new TrainingApi(stack, "Api", new TrainingApiProps { Training = training, HandlerDirectory = FakeHandlerCode.Directory, JobVisibility = JobVisibility.Shared });
        var env = Template.FromStack(stack).Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiHandlerFunction")).Value["Properties"]!["Environment"]!["Variables"]!;
        Assert.Equal(nameof(JobVisibility.Shared), env[Key(nameof(TrainingSettings.JobVisibility))]!.GetValue<string>());
        Assert.Equal(JobVisibility.Caller, new TrainingApiProps { Training = training }.JobVisibility);
    }

    [Fact]
    public void Metric_helpers_read_the_handlers_emf_metrics_by_operation_and_definition()
    {
        var api = fixture.Api;
        var errors = api.MetricSubmitErrors();
        Assert.Equal(("AwsModelPlatform/Training", "Errors", "Sum"), (errors.Namespace, errors.MetricName, errors.Statistic));
        Assert.Equal(new Dictionary<string, object> { ["Api"] = ApiName, ["Operation"] = "Submit" }, errors.Dimensions!);
        Assert.Equal(300, errors.Period.ToSeconds());
        var latency = api.MetricLatency(TrainingApiOperation.Describe);
        Assert.Equal(("Latency", "p99", "Describe"), (latency.MetricName, latency.Statistic, latency.Dimensions!["Operation"]));
        Assert.Equal("ClientErrors", api.MetricClientErrors(TrainingApiOperation.List).MetricName);
        Assert.Equal("Throttles", api.MetricThrottles(TrainingApiOperation.Stop).MetricName);
        Assert.Equal("Average", api.MetricRequests(TrainingApiOperation.Submit, new MetricOptions { Statistic = "Average" }).Statistic);
        var jobs = api.MetricJobsSubmitted("ddp");
        Assert.Equal(("JobsSubmitted", "Sum", "ddp"), (jobs.MetricName, jobs.Statistic, jobs.Dimensions!["Definition"]));
        Assert.Equal(new Dictionary<string, object> { ["Api"] = ApiName, ["Definition"] = "ddp" }, jobs.Dimensions!);
        Assert.Equal(ApiName, latency.Dimensions!["Api"]);
        Assert.Equal("GpusRequested", api.MetricGpusRequested("finetune").MetricName);
        var cost = api.MetricEstimatedHourlyCost("finetune");
        Assert.Equal(("EstimatedHourlyCostUsd", "Sum"), (cost.MetricName, cost.Statistic));
        Assert.Equal(new Dictionary<string, object> { ["Api"] = ApiName, ["Definition"] = "finetune" }, cost.Dimensions!);
        Assert.Contains(": TrainingApi.MetricJobsSubmitted: 'pretrain' is not a job definition", Assert.Throws<ArgumentException>(() => api.MetricJobsSubmitted("pretrain")).Message);
    }

    [Fact]
    public void A_submission_answered_5xx_raises_an_alarm_on_the_platform_topic()
    {
        var alarm = T.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("ApiSubmitErrorsAlarm")).Value["Properties"]!;
        Assert.Equal("AwsModelPlatform/Training", alarm["Namespace"]!.GetValue<string>());
        Assert.Equal("Errors", alarm["MetricName"]!.GetValue<string>());
        Assert.Equal($$"""[{"Name":"Api","Value":"{{ApiName}}"},{"Name":"Operation","Value":"Submit"}]""", alarm["Dimensions"].Text());
        Assert.Equal("Sum", alarm["Statistic"]!.GetValue<string>());
        Assert.Equal(300, alarm["Period"]!.GetValue<int>());
        Assert.Equal(1, alarm["Threshold"]!.GetValue<double>());
        Assert.Equal("GreaterThanOrEqualToThreshold", alarm["ComparisonOperator"]!.GetValue<string>());
        Assert.Equal("notBreaching", alarm["TreatMissingData"]!.GetValue<string>());
        Assert.Contains("PlatformAlarmsTopic", alarm["AlarmActions"].Text());
        Assert.Contains("PlatformAlarmsTopic", alarm["OKActions"].Text());
    }

    [Fact]
    public void Dashboard_gets_a_training_api_section_by_operation_and_definition()
    {
        var body = DashboardBody();
        Assert.Contains("## Training API: Test/Api", body);
        Assert.Contains("Jobs submitted (left) and GPUs requested (right) by definition", body);
        foreach (var operation in new[] { "Submit", "List", "Describe", "Stop" })
            Assert.Contains($"[\"AwsModelPlatform/Training\",\"Requests\",\"Api\",\"{ApiName}\",\"Operation\",\"{operation}\"", body);
        foreach (var definition in new[] { "finetune", "ddp" })
        {
            Assert.Contains($"[\"AwsModelPlatform/Training\",\"GpusRequested\",\"Api\",\"{ApiName}\",\"Definition\",\"{definition}\"", body);
            Assert.Contains($"[\"AwsModelPlatform/Training\",\"EstimatedHourlyCostUsd\",\"Api\",\"{ApiName}\",\"Definition\",\"{definition}\"", body);
        }
    }

    /// <summary>The dashboard's body with its Fn::Join parts put together (tokens stay as JSON).</summary>
    private string DashboardBody() =>
        string.Concat(T.Single("AWS::CloudWatch::Dashboard")["Properties"]!["DashboardBody"]!["Fn::Join"]![1]!.AsArray()
            .Select(p => p is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Text()));

    [Fact]
    public void An_allowed_instance_type_the_compute_cannot_launch_fails_synthesis()
    {
        var stack = Synth.NewStack();
        var training = new TrainingJobs(stack, "Training", TrainingJobsTests.Props());
        var message = Synth.ErrorOf(() => new TrainingApi(stack, "Api", new TrainingApiProps
        {
            Training = training, HandlerDirectory = FakeHandlerCode.Directory, AllowedInstanceTypes = new[] { "p5.48xlarge" },
        }));
        Assert.StartsWith("Test/Api: TrainingApiProps.AllowedInstanceTypes: 'p5.48xlarge' is not one of the training compute environments' types", message);
    }
}
