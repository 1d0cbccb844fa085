// The configuration matrix: what users write in their own CDK apps with the packed NuGet package, one App per
// configuration, all synthesized in this one process (jsii starts once). Usage: dotnet run -- OUTPUT_DIRECTORY
// Writes OUTPUT_DIRECTORY/<configuration>/ (a cloud assembly each) and OUTPUT_DIRECTORY/matrix.json:
// [ { "name", "region" (the region cfn-lint checks it for), "templates": { "<stack>": "<path>" } } ].
// Built only from the package's public API, as a user's app would be: nothing here may suppress a cdk-nag finding.
using System.Diagnostics;
using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.AWS.Cognito;
using Constructs;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Access;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Training;
using EcsImage = Amazon.CDK.AWS.ECS.ContainerImage;

var root = Path.GetFullPath(args.Length > 0 ? args[0] : "matrix.out");
Directory.CreateDirectory(root);
var manifest = new List<object>();

// The account and region of every environment-specific configuration: a concrete account, a region other than us-east-1.
var euWest1 = new Amazon.CDK.Environment { Account = "111122223333", Region = "eu-west-1" };
// What the CDK CLI would have looked up for that environment and kept in the app's cdk.context.json: without it a
// stack with an explicit environment synthesizes with placeholder Availability Zones (dummy1a, dummy1b).
var LookedUp = new Dictionary<string, object>
{
    ["availability-zones:account=111122223333:region=eu-west-1"] = new[] { "eu-west-1a", "eu-west-1b", "eu-west-1c" },
};

// 1. Environment-agnostic, one stack: real-time with autoscaling (an NVMe and an EBS-backed type), IAM auth, Spot-only training.
Synth("agnostic-one-stack", null, app =>
{
    var stack = new Stack(app, "App");
    var platform = new ModelPlatform(stack, "Platform", new ModelPlatformProps { ProjectName = "matrix", AlarmEmail = "ops@example.com" });
    var gpu = new GpuModelEndpoint(stack, "Llm", new GpuModelEndpointProps
    {
        Platform = platform,
        Image = OwnImage(stack, "LlmImage"),
        ModelData = ModelData.FromPrefix(Models(stack), "llm/"),
        Hosting = new RealTimeHosting { InstanceType = "ml.g5.2xlarge", MinInstances = 1, MaxInstances = 3, MaxRequestsPerSecondPerInstance = 2 },
    });
    var inf2 = new GpuModelEndpoint(stack, "Neuron", new GpuModelEndpointProps
    {
        Platform = platform,
        Image = OwnImage(stack, "NeuronImage"),
        ModelData = ModelData.FromArchive(Models(stack, "NeuronModels"), "neuron/model.tar.gz"),
        Hosting = new RealTimeHosting { InstanceType = "ml.inf2.xlarge", MinInstances = 2, MaxInstances = 4 },
    });
    new InferenceApi(stack, "Api", new InferenceApiProps
    {
        Platform = platform,
        Models = new InferenceModel[] { new() { Endpoint = gpu, Name = "llm", Protocol = ModelProtocol.OpenAi }, new() { Endpoint = inf2, Name = "neuron" } },
    });
    var training = new TrainingJobs(stack, "Training", new TrainingJobsProps
    {
        Platform = platform,
        InstanceTypes = new[] { "g5.12xlarge" },
        MaxVCpus = 96,
        UseSpot = true,
        JobDefinitions = new[] { new TrainingJobDefinitionOptions { Name = "finetune", Image = TrainingImage(stack), Gpus = 4 } },
    });
    new TrainingApi(stack, "TrainingApi", new TrainingApiProps { Training = training });
});

// 2. Explicit account and region, one stack (the configuration of issue 12's report): inference components scaled to
//    zero and a serverless model behind API keys, on-demand training with shared job visibility; a budget, a cost
//    ceiling and RemovalPolicy.DESTROY.
Synth("eu-west-1-one-stack", "eu-west-1", app =>
{
    var stack = new Stack(app, "App", new StackProps { Env = euWest1 });
    var platform = new ModelPlatform(stack, "Platform", new ModelPlatformProps
    {
        ProjectName = "matrix",
        MonthlyBudgetUsd = 2000,
        MaxMonthlyCostUsd = 500_000,
        RemovalPolicy = RemovalPolicy.DESTROY,
    });
    var llm = new GpuModelEndpoint(stack, "Llm", new GpuModelEndpointProps
    {
        Platform = platform,
        Image = ModelImage.FromImageUri("763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04"),
        ModelData = ModelData.FromPrefix(Models(stack), "llama/"),
        Hosting = new InferenceComponentHosting
        {
            InstanceType = "ml.g5.12xlarge", MinInstances = 0, MaxInstances = 2, MemoryPerCopy = Size.Gibibytes(16), MinCopies = 0,
            WarmSchedule = new WarmSchedule { Start = "cron(30 7 ? * MON-FRI *)", End = "cron(0 19 ? * MON-FRI *)", TimeZone = "Europe/Dublin" },
        },
    });
    var embeddings = new GpuModelEndpoint(stack, "Embeddings", new GpuModelEndpointProps
    {
        Platform = platform,
        Image = OwnImage(stack, "EmbeddingsImage"),
        ModelData = ModelData.FromArchive(Models(stack), "embeddings/model.tar.gz"),
        Hosting = new ServerlessHosting { MemorySize = Size.Gibibytes(4), MaxConcurrency = 20 },
    });
    var access = new TeamAccess(stack, "Access", new TeamAccessProps { Platform = platform });
    new InferenceApi(stack, "Api", new InferenceApiProps
    {
        Platform = platform,
        Models = new InferenceModel[] { new() { Endpoint = llm, Name = "llm", Protocol = ModelProtocol.OpenAi }, new() { Endpoint = embeddings, Name = "embeddings", Protocol = ModelProtocol.OpenAi } },
        Authorization = ApiAuthorization.ApiKeys(access, new ApiKeyOptions { AcceptXApiKey = true }),
    });
    var training = new TrainingJobs(stack, "Training", new TrainingJobsProps
    {
        Platform = platform,
        InstanceTypes = new[] { "g6.12xlarge" },
        MaxVCpus = 96,
        UseSpot = false,
        JobDefinitions = new[]
        {
            new TrainingJobDefinitionOptions { Name = "finetune", Image = TrainingImage(stack), Gpus = 4 },
            new TrainingJobDefinitionOptions { Name = "ddp", Image = TrainingImage(stack), Gpus = 4, Nodes = 2 },
        },
    });
    new TrainingApi(stack, "TrainingApi", new TrainingApiProps
    {
        Training = training,
        Authorization = ApiAuthorization.ApiKeys(access),
        JobVisibility = JobVisibility.Shared,
    });
});

// 3. Environment-agnostic, the platform in a stack of its own (with an existing organization trail), the workloads in
//    two others: async from zero and serverless with provisioned concurrency behind a private Cognito API without WAF;
//    Spot with an on-demand fallback and a multi-node EFA definition in a cluster placement group.
Synth("agnostic-platform-stack", null, app =>
{
    var foundation = new Stack(app, "Foundation");
    var platform = new ModelPlatform(foundation, "Platform", new ModelPlatformProps
    {
        ProjectName = "matrix",
        ExistingOrganizationTrailArn = "arn:aws:cloudtrail:us-east-1:999988887777:trail/organization",
    });
    var inference = new Stack(app, "Inference");
    var batch = new GpuModelEndpoint(inference, "Batch", new GpuModelEndpointProps
    {
        Platform = platform,
        Image = OwnImage(inference, "BatchImage"),
        ModelData = ModelData.FromPrefix(Models(inference), "llm/"),
        Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 0, MaxInstances = 2, Async = new AsyncInference { MaxConcurrentInvocationsPerInstance = 4 } },
    });
    var small = new GpuModelEndpoint(inference, "Small", new GpuModelEndpointProps
    {
        Platform = platform,
        Image = OwnImage(inference, "SmallImage"),
        ModelData = ModelData.FromArchive(Models(inference), "small/model.tar.gz"),
        Hosting = new ServerlessHosting { MemorySize = Size.Gibibytes(2), MaxConcurrency = 10, ProvisionedConcurrency = 2 },
    });
    new InferenceApi(inference, "Api", new InferenceApiProps
    {
        Platform = platform,
        Models = new InferenceModel[] { new() { Endpoint = batch, Name = "batch" }, new() { Endpoint = small, Name = "small" } },
        Authorization = ApiAuthorization.Cognito(new[] { UserPool.FromUserPoolArn(inference, "Users", "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_Example1") }, "inference/invoke"),
        Private = true,
        Waf = false,
    });
    var trainingStack = new Stack(app, "Training");
    var training = new TrainingJobs(trainingStack, "Training", new TrainingJobsProps
    {
        Platform = platform,
        InstanceTypes = new[] { "p4d.24xlarge" },
        MaxVCpus = 384,
        UseSpot = true,
        OnDemandFallback = true,
        ClusterPlacement = true,
        JobDefinitions = new[]
        {
            new TrainingJobDefinitionOptions { Name = "finetune", Image = TrainingImage(trainingStack), Gpus = 8 },
            new TrainingJobDefinitionOptions { Name = "ddp", Image = TrainingImage(trainingStack), Gpus = 8, Nodes = 2, MaxNodes = 4, Efa = true },
        },
    });
    new TrainingApi(trainingStack, "Api", new TrainingApiProps { Training = training, Authorization = ApiAuthorization.Cognito(new[] { UserPool.FromUserPoolArn(trainingStack, "Users", "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_Example1") }) });
});

// 4. Explicit account and region, the platform in another stack than one workload stack holding everything else:
//    real-time and inference components behind IAM without WAF, Spot with fallback and EFA multi-node training.
Synth("eu-west-1-platform-stack", "eu-west-1", app =>
{
    var foundation = new Stack(app, "Foundation", new StackProps { Env = euWest1 });
    var platform = new ModelPlatform(foundation, "Platform", new ModelPlatformProps { ProjectName = "matrix", CostCenter = "ml-research", AlarmEmail = "ops@example.com" });
    var workloads = new Stack(app, "Workloads", new StackProps { Env = euWest1 });
    var realTime = new GpuModelEndpoint(workloads, "RealTime", new GpuModelEndpointProps
    {
        Platform = platform,
        Image = OwnImage(workloads, "RealTimeImage"),
        ModelData = ModelData.FromPrefix(Models(workloads), "llm/"),
        Hosting = new RealTimeHosting { InstanceType = "ml.p3.2xlarge", MinInstances = 1, MaxInstances = 2 },
    });
    var components = new GpuModelEndpoint(workloads, "Components", new GpuModelEndpointProps
    {
        Platform = platform,
        Image = OwnImage(workloads, "ComponentsImage"),
        ModelData = ModelData.FromPrefix(Models(workloads), "llm/"),
        Hosting = new InferenceComponentHosting { InstanceType = "ml.g6.12xlarge", MaxInstances = 1, MemoryPerCopy = Size.Mebibytes(20000), AcceleratorsPerCopy = 2 },
    });
    new InferenceApi(workloads, "Api", new InferenceApiProps
    {
        Platform = platform,
        Models = new InferenceModel[] { new() { Endpoint = realTime, Name = "realtime" }, new() { Endpoint = components, Name = "components", Protocol = ModelProtocol.OpenAi } },
        Waf = false,
    });
    var training = new TrainingJobs(workloads, "Training", new TrainingJobsProps
    {
        Platform = platform,
        InstanceTypes = new[] { "g5.48xlarge" },
        MaxVCpus = 384,
        UseSpot = true,
        OnDemandFallback = true,
        ClusterPlacement = true,
        PlacementAvailabilityZone = "eu-west-1b",
        JobDefinitions = new[] { new TrainingJobDefinitionOptions { Name = "ddp", Image = TrainingImage(workloads), Gpus = 8, Nodes = 2, Efa = true } },
    });
    new TrainingApi(workloads, "TrainingApi", new TrainingApiProps { Training = training });
});

// 5. Explicit account and region, each workload construct standalone (no Platform: each creates its own) in a stack
//    of its own.
Synth("eu-west-1-standalone", "eu-west-1", app =>
{
    var endpointStack = new Stack(app, "Endpoint", new StackProps { Env = euWest1 });
    new GpuModelEndpoint(endpointStack, "Llm", new GpuModelEndpointProps
    {
        Image = OwnImage(endpointStack, "Image"),
        ModelData = ModelData.FromPrefix(Models(endpointStack), "llm/"),
        Hosting = new InferenceComponentHosting { InstanceType = "ml.g5.2xlarge", MaxInstances = 1, MemoryPerCopy = Size.Gibibytes(16) },
        StandaloneOptions = new ModelPlatformProps { ProjectName = "standalone-endpoint" },
    });
    var apiStack = new Stack(app, "Api", new StackProps { Env = euWest1 });
    new InferenceApi(apiStack, "Api", new InferenceApiProps
    {
        Models = new InferenceModel[] { new() { Endpoint = GpuModelEndpoint.FromEndpointName(apiStack, "Shared", "team-llm", new[] { "chat" }), Name = "team", Protocol = ModelProtocol.OpenAi } },
    });
    var trainingStack = new Stack(app, "Training", new StackProps { Env = euWest1 });
    var training = new TrainingJobs(trainingStack, "Training", new TrainingJobsProps
    {
        InstanceTypes = new[] { "g5.2xlarge" },
        MaxVCpus = 32,
        JobDefinitions = new[] { new TrainingJobDefinitionOptions { Name = "finetune", Image = TrainingImage(trainingStack) } },
        StandaloneOptions = new ModelPlatformProps { ProjectName = "standalone-training", MonthlyBudgetUsd = 300 },
    });
    new TrainingApi(trainingStack, "Api", new TrainingApiProps { Training = training });
});

File.WriteAllText(Path.Combine(root, "matrix.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
return;

void Synth(string name, string? region, Action<App> build)
{
    var watch = Stopwatch.StartNew();
    var app = new App(new AppProps { Outdir = Path.Combine(root, name), Context = LookedUp });
    build(app);
    var assembly = app.Synth();
    manifest.Add(new
    {
        name,
        region = region ?? "us-east-1",
        templates = assembly.Stacks.ToDictionary(s => s.StackName, s => Path.Combine(assembly.Directory, s.TemplateFile)),
        seconds = Math.Round(watch.Elapsed.TotalSeconds, 1),
    });
    Console.WriteLine($"{name}: {assembly.Stacks.Length} stack(s) in {watch.Elapsed.TotalSeconds:0.0} s");
}

static IBucket Models(Construct scope, string id = "Models") =>
    scope.Node.TryFindChild(id) as IBucket ?? Bucket.FromBucketName(scope, id, "matrix-model-artifacts");

static ModelImage OwnImage(Construct scope, string id) => ModelImage.FromEcrRepository(Repository.FromRepositoryName(scope, id, "models/" + id.ToLowerInvariant()), "v1");

static EcsImage TrainingImage(Construct scope) =>
    EcsImage.FromEcrRepository(scope.Node.TryFindChild("TrainingRepository") as IRepository ?? Repository.FromRepositoryName(scope, "TrainingRepository", "training"), "v1");
