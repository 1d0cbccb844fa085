using Amazon.CDK;
using Amazon.CDK.AWS.ECS;
using AwsModelPlatform.Constructs.Foundation;
using Constructs;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Tests.Api;
using AwsModelPlatform.Constructs.Tests.Inference;
using AwsModelPlatform.Constructs.Tests.Training;
using AwsModelPlatform.Constructs.Training;

namespace AwsModelPlatform.Constructs.Tests.Defaults;

/// <summary>
/// Every validation message starts with the path of the construct it is about, as aws-cdk's <c>ValidationError</c> carries
/// it: in an app with several APIs, platforms or training setups the message says which one is wrong.
/// </summary>
public class ValidationPathTests
{
    /// <summary>A bad prop of each construct, built under <c>Test/Team</c>: the path the message must start with, and the build.</summary>
    private static readonly Dictionary<string, (string Path, Action<Construct> Build)> BadProps = new()
    {
        ["ModelPlatform"] = ("Test/Team/Platform", s => new ModelPlatform(s, "Platform", new ModelPlatformProps { ProjectName = "" })),
        ["ModelPlatform's key"] = ("Test/Team/Platform/Key", s => new ModelPlatform(s, "Platform", new ModelPlatformProps { KeyOptions = new PlatformKeyProps { PendingWindow = Duration.Days(3) } })),
        ["ModelPlatform's network"] = ("Test/Team/Platform/Network", s => new ModelPlatform(s, "Platform", new ModelPlatformProps { NetworkOptions = new PlatformNetworkProps { MaxAzs = 1 } })),
        ["ModelPlatform's trail"] = ("Test/Team/Platform/Trail", s => new ModelPlatform(s, "Platform", new ModelPlatformProps { TrailOptions = new AuditTrailProps { ArchiveAfter = Duration.Days(0) } })),
        ["ModelPlatform's alarm topic"] = ("Test/Team/Platform/Alarms", s => new ModelPlatform(s, "Platform", new ModelPlatformProps { AlarmEmail = "ops at example.com" })),
        ["ModelPlatform's cost guard"] = ("Test/Team/Platform/CostGuard", s => new ModelPlatform(s, "Platform", new ModelPlatformProps { MonthlyBudgetUsd = 0 })),
        ["ModelPlatform's cost ceiling"] = ("Test/Team/Platform", s => new ModelPlatform(s, "Platform", new ModelPlatformProps { MaxMonthlyCostUsd = -1 })),
        ["AccessLogsBucket"] = ("Test/Team/Logs", s => new AccessLogsBucket(s, "Logs", new AccessLogsBucketProps { ExpireAfter = Duration.Days(0) })),
        ["PlatformRestApi"] = ("Test/Team/Api", s => new PlatformRestApi(s, "Api", new PlatformRestApiProps { Platform = new ModelPlatform(s, "Platform"), Name = "api", ThrottlingRateLimit = 0 })),
        ["HandlerFunction"] = ("Test/Team/Function", s => new HandlerFunction(s, "Function", new HandlerFunctionProps
        {
            Platform = new ModelPlatform(s, "Platform"), Purpose = "api", Code = HandlerCode.FromDirectory(FakeHandlerCode.Directory),
            Configuration = new Dictionary<string, string>(), ReservedConcurrency = 0,
        })),
        ["InferenceApi"] = ("Test/Team/Api", s => new InferenceApi(s, "Api", new InferenceApiProps { Models = Array.Empty<InferenceModel>(), HandlerDirectory = FakeHandlerCode.Directory })),
        ["InferenceApi's platform and standalone options"] = ("Test/Team/Api", s => new InferenceApi(s, "Api", new InferenceApiProps
        {
            Platform = new ModelPlatform(s, "Platform"), StandaloneOptions = new ModelPlatformProps(),
            Models = new[] { new InferenceModel { Endpoint = GpuModelEndpoint.FromEndpointName(s, "E", "llm") } }, HandlerDirectory = FakeHandlerCode.Directory,
        })),
        ["GpuModelEndpoint"] = ("Test/Team/Llm", s => new GpuModelEndpoint(s, "Llm", new GpuModelEndpointProps
        {
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage), Hosting = new RealTimeHosting { InstanceType = "ml.g5.2xlarge", MinInstances = 0 },
        })),
        ["TrainingJobs"] = ("Test/Team/Training", s => new TrainingJobs(s, "Training", TrainingJobsTests.Props() with { InstanceTypes = Array.Empty<string>() })),
        ["TrainingJobs' instance types"] = ("Test/Team/Training", s => new TrainingJobs(s, "Training", TrainingJobsTests.Props() with { InstanceTypes = new[] { "m5.large" } })),
        ["TrainingJobs' node instance type"] = ("Test/Team/Training", s => new TrainingJobs(s, "Training", TrainingJobsTests.Props() with
        {
            JobDefinitions = new[] { TrainingJobsTests.Props().JobDefinitions[1] with { NodeInstanceType = "p5.48xlarge" } },
        })),
        ["TrainingJobs' definitions"] = ("Test/Team/Training", s => new TrainingJobs(s, "Training", TrainingJobsTests.Props() with
        {
            JobDefinitions = new[] { new TrainingJobDefinitionOptions { Name = "a b", Image = ContainerImage.FromRegistry("example.com/train:1"), Gpus = 4 } },
        })),
        ["TrainingApi"] = ("Test/Team/Api", s => new TrainingApi(s, "Api", new TrainingApiProps
        {
            Training = new TrainingJobs(s, "Training", TrainingJobsTests.Props()), AllowedInstanceTypes = new[] { "p5.48xlarge" }, HandlerDirectory = FakeHandlerCode.Directory,
        })),
        ["TrainingApi's platform"] = ("Test/Team/Api", s => new TrainingApi(s, "Api", new TrainingApiProps
        {
            Training = new TrainingJobs(s, "Training", TrainingJobsTests.Props()), StandaloneOptions = new ModelPlatformProps(), HandlerDirectory = FakeHandlerCode.Directory,
        })),
    };

    public static IEnumerable<object[]> Constructs() => BadProps.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Constructs))]
    public void Every_validation_message_starts_with_the_construct_path(string construct)
    {
        var (path, build) = BadProps[construct];
        var team = new Construct(Synth.NewStack(), "Team");
        var message = Synth.ErrorOf(() => build(team));
        Assert.StartsWith(path + ": ", message);
        // The path is said once: the text after it names the prop, not the construct again.
        Assert.DoesNotContain(path + ": " + path, message);
    }

    [Fact]
    public void Cost_guard_names_itself_when_built_alone()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var message = Synth.ErrorOf(() => new CostGuard(stack, "Guard", platform, new CostGuardProps { AnomalyThresholdUsd = 0 }));
        Assert.Equal("Test/Guard: CostGuardProps.AnomalyThresholdUsd = 0 must be more than 0.", message);
    }

    [Fact]
    public void A_factory_has_no_construct_so_its_messages_start_with_the_factory_and_name_the_argument()
    {
        var message = Synth.ErrorOf(() => HandlerCode.FromDirectory("/nonexistent-handler-dir"));
        Assert.StartsWith("HandlerCode.FromDirectory: directory = '/nonexistent-handler-dir' has no 'bootstrap'", message);
    }
}
