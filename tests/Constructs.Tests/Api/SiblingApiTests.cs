using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Tests.Training;
using AwsModelPlatform.Constructs.Training;
using AwsModelPlatform.Contracts;
using Constructs;

namespace AwsModelPlatform.Constructs.Tests.Api;

/// <summary>
/// The two handler APIs look alike, as aws-cdk-lib's siblings do: one props base (<see cref="HandlerApiProps"/>), the
/// same members (<c>RestApi</c>, <c>Functions</c>, <c>Alarms</c> as typed records), time spans as <see cref="Duration"/>
/// and sizes as <see cref="Size"/>.
/// </summary>
public class SiblingApiTests
{
    private static (Stack Stack, InferenceApi Inference, TrainingApi Training) BothApis(Func<InferenceApiProps, InferenceApiProps>? inference = null, Func<TrainingApiProps, TrainingApiProps>? training = null)
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var endpoint = GpuModelEndpoint.FromEndpointName(stack, "Llm", "llm");
        var inferenceProps = new InferenceApiProps { Platform = platform, Models = new[] { new InferenceModel { Endpoint = endpoint } }, HandlerDirectory = FakeHandlerCode.Directory };
        var jobs = new TrainingJobs(stack, "Training", TrainingJobsTests.Props(platform));
        var trainingProps = new TrainingApiProps { Training = jobs, HandlerDirectory = FakeHandlerCode.Directory };
        return (stack, new InferenceApi(stack, "Inference", inference?.Invoke(inferenceProps) ?? inferenceProps),
            new TrainingApi(stack, "TrainingApi", training?.Invoke(trainingProps) ?? trainingProps));
    }

    private static List<KeyValuePair<string, JsonNode>> Functions(Template t, string prefix) =>
        t.Resources("AWS::Lambda::Function").Where(f => f.Key.StartsWith(prefix)).ToList();

    [Fact]
    public void Both_APIs_name_their_REST_API_functions_and_alarms_alike()
    {
        var (_, inference, training) = BothApis();
        Assert.Equal(new[] { inference.BufferedHandler, inference.StreamingHandler }, inference.Functions);
        Assert.Equal(new[] { training.Handler }, training.Functions);
        Assert.Equal(inference.RestApi.Alarms.All.Concat(inference.BufferedHandler.Alarms.All).Concat(inference.StreamingHandler.Alarms.All), inference.Alarms.All);
        Assert.Same(training.RestApi.Alarms, training.Alarms.Api);
        Assert.Same(training.Handler.Alarms, training.Alarms.Function);
        // Every alarm of each API's subtree is in its typed record, once: nothing is reachable only by a magic string.
        foreach (var (api, alarms) in new (Construct, IReadOnlyList<Alarm>)[] { (inference, inference.Alarms.All), (training, training.Alarms.All) })
        {
            var created = api.Node.FindAll().OfType<Alarm>().Select(a => a.Node.Path).OrderBy(p => p, StringComparer.Ordinal);
            Assert.Equal(created, alarms.Select(a => a.Node.Path).OrderBy(p => p, StringComparer.Ordinal));
        }
    }

    [Fact]
    public void The_training_API_takes_the_shared_handler_and_stage_settings()
    {
        var (stack, _, training) = BothApis(training: p => p with
        {
            Name = "jobs",
            Memory = Size.Gibibytes(2),
            ReservedConcurrency = 7,
            Architecture = Amazon.CDK.AWS.Lambda.Architecture.X86_64,
            ThrottlingRateLimit = 3,
            ThrottlingBurstLimit = 4,
            Waf = false,
            RequestVolumeAlarmPer5Minutes = 42,
        });
        var t = Template.FromStack(stack);
        var function = Assert.Single(Functions(t, "TrainingApiHandler")).Value["Properties"]!;
        Assert.Equal((2048, 7), (function["MemorySize"]!.GetValue<int>(), function["ReservedConcurrentExecutions"]!.GetValue<int>()));
        var stage = t.Resources("AWS::ApiGateway::Stage").Single(s => s.Key.StartsWith("TrainingApi")).Value["Properties"]!;
        var methods = Assert.Single(stage["MethodSettings"]!.AsArray())!;
        Assert.Equal((4, 3.0), (methods["ThrottlingBurstLimit"]!.GetValue<int>(), methods["ThrottlingRateLimit"]!.GetValue<double>()));
        Assert.Contains(t.Resources("AWS::ApiGateway::RestApi"), a => a.Value["Properties"]!["Name"]!.GetValue<string>().EndsWith("-jobs"));
        // WAF off for the training API only: the inference API keeps its web ACL.
        Assert.Single(t.Resources("AWS::WAFv2::WebACLAssociation"));
        Assert.Equal(42, ((CfnAlarm)training.Alarms.Api.RequestVolume.Node.DefaultChild!).Threshold);
    }

    [Fact]
    public void The_inference_API_sizes_its_functions_with_Size_and_its_deadline_with_Duration()
    {
        var (stack, inference, _) = BothApis(inference: p => p with
        {
            Memory = Size.Mebibytes(1536),
            ReservedConcurrency = 11,
            StreamingReservedConcurrency = 12,
            BufferedTimeout = Duration.Seconds(15),
            Models = new[] { p.Models[0] with { MaxPayload = Size.Kibibytes(64) } },
        });
        var t = Template.FromStack(stack);
        var buffered = Assert.Single(Functions(t, "InferenceBuffered")).Value["Properties"]!;
        var streaming = Assert.Single(Functions(t, "InferenceStreaming")).Value["Properties"]!;
        Assert.Equal((1536, 11), (buffered["MemorySize"]!.GetValue<int>(), buffered["ReservedConcurrentExecutions"]!.GetValue<int>()));
        Assert.Equal((1536, 12), (streaming["MemorySize"]!.GetValue<int>(), streaming["ReservedConcurrentExecutions"]!.GetValue<int>()));
        // The buffered function's own deadline, in the seconds the handler binds.
        Assert.Equal("15", buffered["Environment"]!["Variables"]!["Inference__TimeoutSeconds"]!.GetValue<string>());
        Assert.Equal(65_536, Assert.Single(inference.Settings.Models).MaxPayloadBytes);
    }

    [Theory]
    [InlineData("memory", "Test/Inference: InferenceApiProps.Memory = 100 MiB is out of range: Lambda accepts whole MiB from 128 to 10240.")]
    [InlineData("timeout", "Test/Inference: InferenceApiProps.BufferedTimeout = 0.5 s is out of range: whole seconds from 1 to 60.")]
    public void Inference_sizes_and_spans_Lambda_or_API_Gateway_refuse_fail_synthesis(string what, string expected)
    {
        var message = Synth.ErrorOf(() => BothApis(inference: p => what == "memory" ? p with { Memory = Size.Mebibytes(100) } : p with { BufferedTimeout = Duration.Millis(500) }));
        Assert.Equal(expected, message);
    }

    [Theory]
    [InlineData("runtime", "Test/TrainingApi: TrainingApiProps.MaxRuntime = 30 s is out of range: whole seconds from 60 to 1209600.")]
    [InlineData("records", "Test/TrainingApi: TrainingApiProps.IdempotencyRecordRetention = 0.5 days is out of range: S3 expires objects after whole days, and records must expire (1 to 3650 days).")]
    public void Training_spans_AWS_Batch_or_S3_refuse_fail_synthesis(string what, string expected)
    {
        var message = Synth.ErrorOf(() => BothApis(training: p => what == "runtime" ? p with { MaxRuntime = Duration.Seconds(30) } : p with { IdempotencyRecordRetention = Duration.Hours(12) }));
        Assert.Equal(expected, message);
    }

    [Fact]
    public void The_training_API_writes_its_spans_in_the_units_the_handler_and_S3_take()
    {
        var (stack, _, training) = BothApis(training: p => p with { MaxRuntime = Duration.Hours(2), IdempotencyRecordRetention = Duration.Days(7) });
        Assert.Equal(7200, training.Settings.MaxRuntimeSeconds);
        var bucket = Template.FromStack(stack).Resources("AWS::S3::Bucket").Single(b => b.Key.StartsWith("TrainingApiState")).Value["Properties"]!;
        Assert.Contains("\"ExpirationInDays\":7", bucket["LifecycleConfiguration"].Text());
    }

    /// <summary>Job infrastructure built without <see cref="TrainingJobs"/>: a queue, a definition and buckets of a team's own.</summary>
    private static ITrainingJobs ImportedJobs(Construct scope, IModelPlatform platform, TrainingJobDefinitionAttributes? definition = null) =>
        TrainingJobs.FromTrainingJobsAttributes(scope, "TeamJobs", new TrainingJobsAttributes
        {
            Platform = platform,
            JobQueueArn = "arn:aws:batch:us-east-1:111122223333:job-queue/team-gpu",
            InstanceTypes = new[] { "g5.12xlarge" },
            JobDefinitions = new[]
            {
                definition ?? new TrainingJobDefinitionAttributes
                {
                    Name = "finetune", JobDefinitionName = "team-finetune", JobDefinitionArn = "arn:aws:batch:us-east-1:111122223333:job-definition/team-finetune:3", Gpus = 4,
                },
            },
            JobTagValue = "team-gpu",
            DatasetsBucket = Bucket.FromBucketName(scope, "Datasets", "team-datasets"),
            CheckpointsBucket = Bucket.FromBucketName(scope, "Checkpoints", "team-checkpoints"),
            OutputBucket = Bucket.FromBucketName(scope, "Output", "team-output"),
        });

    [Theory]
    [InlineData(0, 1, 60, "Test/TeamJobs: TrainingJobsAttributes.JobDefinitions 'finetune'.Gpus = 0 must be at least 1: a training job needs a GPU per node.")]
    [InlineData(1, 1, 59, "Test/TeamJobs: TrainingJobsAttributes.JobDefinitions 'finetune'.AttemptTimeout = 59 s: AWS Batch needs whole seconds, at least 60.")]
    [InlineData(1, 1001, 60, "Test/TeamJobs: TrainingJobsAttributes.JobDefinitions 'finetune'.Nodes = 1001 is out of range: nodes of a job (1 to 1000).")]
    public void Imported_training_jobs_are_checked_like_the_construct_with_the_imports_path(int gpus, int nodes, int timeoutSeconds, string expected)
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var definition = new TrainingJobDefinitionAttributes
        {
            Name = "finetune", JobDefinitionName = "team-finetune", JobDefinitionArn = "arn:aws:batch:us-east-1:111122223333:job-definition/team-finetune:3",
            Gpus = gpus, Nodes = nodes, AttemptTimeout = Duration.Seconds(timeoutSeconds),
        };
        Assert.Equal(expected, Synth.ErrorOf(() => ImportedJobs(stack, platform, definition)));
    }

    [Fact]
    public void The_training_API_fronts_job_infrastructure_it_did_not_build()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var api = new TrainingApi(stack, "TrainingApi", new TrainingApiProps { Training = ImportedJobs(stack, platform), HandlerDirectory = FakeHandlerCode.Directory });
        Assert.Equal("arn:aws:batch:us-east-1:111122223333:job-queue/team-gpu", api.Settings.JobQueue);
        Assert.Equal(("team-datasets", "team-finetune"), (api.Settings.DatasetsBucket, Assert.Single(api.Settings.JobDefinitions).BatchName));
        var policies = Template.FromStack(stack).Resources("AWS::IAM::Policy").Select(p => p.Value["Properties"]!["PolicyDocument"].Text()).ToList();
        Assert.Contains(policies, p => p.Contains("job-queue/team-gpu") && p.Contains("batch:SubmitJob"));
        Assert.Contains(policies, p => p.Contains("\"aws:ResourceTag/" + JobTags.TrainingJobs + "\":\"team-gpu\""));
    }
}
