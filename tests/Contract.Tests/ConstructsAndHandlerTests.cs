extern alias handler;
using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.ECS;
using AwsModelPlatform.Constructs.Access;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Training;

namespace AwsModelPlatform.Contract.Tests;

/// <summary>
/// The contract between the constructs and the handler, checked on both sides at once: each configuration's APIs are
/// synthesized, the handler starts in this process with each function's synthesized environment, and what one side
/// configures, routes and watches is what the other reads, serves and writes.
/// </summary>
public class ConstructsAndHandlerTests
{
    private const string TgiImage = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04";

    /// <summary>The configurations: each builds its APIs in a stack and returns their functions and the metric helpers' readers.</summary>
    private static readonly Dictionary<string, Func<Stack, HandlerFunction[]>> Configurations = new()
    {
        ["inference: OpenAI, raw and async models, names with '-' and '.'"] = s =>
        {
            var platform = new ModelPlatform(s, "Platform");
            GpuModelEndpoint Endpoint(string id, string name, EndpointHosting hosting) =>
                new(s, id, new GpuModelEndpointProps { Platform = platform, EndpointName = name, Image = ModelImage.FromImageUri(TgiImage), Hosting = hosting });
            var api = new InferenceApi(s, "Api", new InferenceApiProps
            {
                Platform = platform,
                Models = new InferenceModel[]
                {
                    new() { Endpoint = Endpoint("Chat", "llama-3-8b", new RealTimeHosting { InstanceType = "ml.g5.xlarge" }), Name = "llama-3.1-8b", Protocol = ModelProtocol.OpenAi },
                    new() { Endpoint = Endpoint("Raw", "mistral-7b", new InferenceComponentHosting { InstanceType = "ml.g5.xlarge", MaxInstances = 1, MemoryPerCopy = Size.Gibibytes(8) }) },
                    new() { Endpoint = Endpoint("Batch", "batch-1", new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 0, MaxInstances = 1, Async = new AsyncInference() }), Name = "batch" },
                },
                HandlerDirectory = FakeHandler.Directory,
            });
            WatchEveryModel(s, api, "llama-3.1-8b", "mistral-7b", "batch");
            return [.. api.Functions];
        },
        ["inference: one raw synchronous model"] = s =>
        {
            var platform = new ModelPlatform(s, "Platform");
            var endpoint = new GpuModelEndpoint(s, "Small", new GpuModelEndpointProps { Platform = platform, Image = ModelImage.FromImageUri(TgiImage), Hosting = new ServerlessHosting() });
            var api = new InferenceApi(s, "Api", new InferenceApiProps { Platform = platform, Models = [new InferenceModel { Endpoint = endpoint, Name = "small" }], HandlerDirectory = FakeHandler.Directory });
            WatchEveryModel(s, api, "small");
            return [.. api.Functions];
        },
        ["inference: API keys of a TeamAccess (team limits and usage on the model routes)"] = s =>
        {
            var api = KeyModeApi(s).Api;
            WatchEveryModel(s, api, "chat");
            return [.. api.Functions];
        },
        ["training: single- and multi-node definitions (a multi-node queue)"] = s => Training(s, multiNode: true),
        ["training: single-node definitions only"] = s => Training(s, multiNode: false),
    };

    public static TheoryData<string> ConfigurationNames => new(Configurations.Keys);

    [Theory]
    [MemberData(nameof(ConfigurationNames))]
    public async Task Each_function_starts_its_handler_which_serves_exactly_the_API_Gateway_methods_that_invoke_it(string configuration)
    {
        var (_, functions) = Synthesize(configuration);
        foreach (var function in functions)
        {
            await using var handler = await InProcessHandler.StartAsync(function.Environment);
            // The adapter's readiness probe, not API Gateway, calls the health route.
            var readiness = function.Environment["AWS_LWA_READINESS_CHECK_PATH"];
            var served = handler.MappedRoutes.Where(r => r != $"GET {readiness}").Order(StringComparer.Ordinal).ToList();
            Assert.NotEmpty(function.ApiGatewayMethods);
            Assert.Equal(function.ApiGatewayMethods.Order(StringComparer.Ordinal).ToList(), served);
        }
    }

    [Theory]
    [MemberData(nameof(ConfigurationNames))]
    public async Task Every_handler_metric_the_alarms_and_dashboards_read_is_one_the_handler_writes_with_those_dimensions(string configuration)
    {
        var (template, functions) = Synthesize(configuration);
        var emitted = new HashSet<EmittedMetric>();
        foreach (var function in functions)
        {
            await using var handler = await InProcessHandler.StartAsync(function.Environment);
            emitted.UnionWith(handler.EmittedMetrics());
        }
        var namespaces = emitted.Select(m => m.Namespace).ToHashSet(StringComparer.Ordinal);
        var read = MetricReferences.Of(template).Where(r => namespaces.Contains(r.Metric.Namespace)).ToList();
        Assert.NotEmpty(read);
        Assert.All(read, r => Assert.True(emitted.Contains(r.Metric),
            $"{r.Reader} reads {r.Metric}, which the handler never writes; it writes: {string.Join("; ", emitted.Where(m => m.Name == r.Metric.Name).Select(m => m.Dimensions))}"));
    }

    [Theory]
    [InlineData(true, "SpotThenOnDemand")] // Spot with the on-demand fallback (the multi-node queue's configuration)
    [InlineData(false, "Spot")]
    public async Task The_training_handler_prices_jobs_by_the_purchase_option_and_instance_types_of_the_synthesized_queue(
        bool multiNode, string capacity)
    {
        var (_, functions) = Synthesize(multiNode
            ? "training: single- and multi-node definitions (a multi-node queue)"
            : "training: single-node definitions only");
        await using var handler = await InProcessHandler.StartAsync(Assert.Single(functions).Environment);
        var catalog = handler.Service<handler::AwsModelPlatform.Handlers.Training.TrainingCatalog>();
        Assert.Equal(capacity, catalog.JobQueueCapacity.ToString());
        Assert.Equal(["g5.12xlarge"], catalog.InstanceTypes);
        var costs = handler.Service<handler::AwsModelPlatform.Handlers.Training.JobCostEstimator>();
        foreach (var definition in catalog.Definitions)
        {
            var cost = costs.AtSubmission(definition, definition.Nodes, instanceType: null);
            // Batch runs no multi-node parallel job on Spot: those are priced on demand whatever the queue buys.
            Assert.Equal(definition.MultiNode ? "OnDemand" : "Spot", cost.Basis.PurchaseOption);
            Assert.NotNull(cost.HourlyUsd);
        }
    }

    [Fact]
    public async Task The_handler_writes_its_wake_markers_to_the_bucket_and_prefix_its_functions_may_put_to()
    {
        const string configuration = "inference: OpenAI, raw and async models, names with '-' and '.'";
        var stack = new Stack(new App(), "Contract");
        var functions = Configurations[configuration](stack);
        var template = SynthesizedFunction.TemplateOf(stack);
        var resources = template["Resources"]!.AsObject();
        var markerBucket = Assert.Single(resources, r => r.Value!["Type"]!.GetValue<string>() == "AWS::S3::Bucket" && r.Key.Contains("WakeMarkers", StringComparison.Ordinal)).Key;
        foreach (var function in functions)
        {
            var synthesized = SynthesizedFunction.Of(stack, template, function);
            await using var handler = await InProcessHandler.StartAsync(synthesized.Environment);
            var wake = handler.Settings<handler::AwsModelPlatform.Contracts.InferenceSettings>().Wake;
            Assert.True(wake.Enabled);
            Assert.Equal(synthesized.Environment["Inference__Wake__MarkerBucket"], wake.MarkerBucket);
            // The function's role may put exactly the keys the handler writes: {bucket ARN}/{marker folder}*.
            var role = stack.GetLogicalId((CfnElement)function.Role.Node.DefaultChild!);
            var statements = resources.Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::IAM::Policy" && r.Value["Properties"]!["Roles"]!.ToJsonString().Contains(role, StringComparison.Ordinal))
                .SelectMany(r => r.Value!["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()).ToList();
            var put = Assert.Single(statements, s => s!["Action"]!.ToJsonString() == "\"s3:PutObject\"" && s["Resource"]!.ToJsonString().Contains(markerBucket, StringComparison.Ordinal))!;
            var parts = put["Resource"]!["Fn::Join"]![1]!.AsArray();
            Assert.Equal($$"""{"Fn::GetAtt":["{{markerBucket}}","Arn"]}""", parts[0]!.ToJsonString());
            var pattern = parts[1]!.GetValue<string>();
            Assert.EndsWith("*", pattern);
            Assert.StartsWith(pattern.TrimEnd('*'), "/" + wake.MarkerKey("mistral-7b", 29_000_000), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_TeamAccess_authorizer_and_admin_functions_start_their_handler_groups()
    {
        var stack = new Stack(new App(), "Contract");
        var (access, api) = KeyModeApi(stack);
        var template = SynthesizedFunction.TemplateOf(stack);
        // The key API's inference functions, with the table, caller teams and hourly prices, serve exactly their methods.
        foreach (var function in api.Functions.Select(f => SynthesizedFunction.Of(stack, template, f)))
        {
            await using var handler = await InProcessHandler.StartAsync(function.Environment);
            var readiness = function.Environment["AWS_LWA_READINESS_CHECK_PATH"];
            Assert.Equal(function.ApiGatewayMethods.Order(StringComparer.Ordinal).ToList(),
                handler.MappedRoutes.Where(r => r != $"GET {readiness}").Order(StringComparer.Ordinal).ToList());
        }
        var authorizer = SynthesizedFunction.Of(stack, template, access.Authorizer);
        await using (var handler = await InProcessHandler.StartAsync(authorizer.Environment))
        {
            // The adapter posts the authorizer event to its pass-through path, which the handler maps.
            Assert.Contains($"POST {authorizer.Environment["AWS_LWA_PASS_THROUGH_PATH"]}", handler.MappedRoutes);
        }
        var admin = SynthesizedFunction.Of(stack, template, access.Admin);
        await using (var handler = await InProcessHandler.StartAsync(admin.Environment))
        {
            Assert.NotEmpty(admin.ApiGatewayMethods);
            Assert.Subset(handler.MappedRoutes.ToHashSet(), admin.ApiGatewayMethods.ToHashSet());
        }
    }

    private static (TeamAccess Access, InferenceApi Api) KeyModeApi(Stack s)
    {
        var platform = new ModelPlatform(s, "Platform");
        var access = new TeamAccess(s, "Access", new TeamAccessProps { Platform = platform, HandlerDirectory = FakeHandler.Directory });
        var endpoint = new GpuModelEndpoint(s, "Chat", new GpuModelEndpointProps
        {
            Platform = platform, EndpointName = "llama-3-8b", Image = ModelImage.FromImageUri(TgiImage), Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge" },
        });
        var api = new InferenceApi(s, "Api", new InferenceApiProps
        {
            Platform = platform,
            Models = [new InferenceModel { Endpoint = endpoint, Name = "chat", Protocol = ModelProtocol.OpenAi }],
            HandlerDirectory = FakeHandler.Directory,
            Authorization = ApiAuthorization.ApiKeys(access),
        });
        return (access, api);
    }

    private static (System.Text.Json.Nodes.JsonNode Template, List<SynthesizedFunction> Functions) Synthesize(string configuration)
    {
        var stack = new Stack(new App(), "Contract");
        var handlers = Configurations[configuration](stack);
        var template = SynthesizedFunction.TemplateOf(stack);
        return (template, handlers.Select(h => SynthesizedFunction.Of(stack, template, h)).ToList());
    }

    private static HandlerFunction[] Training(Stack s, bool multiNode)
    {
        var platform = new ModelPlatform(s, "Platform");
        var image = ContainerImage.FromRegistry("example.com/train:1");
        var definitions = new List<TrainingJobDefinitionOptions> { new() { Name = "finetune", Image = image, Gpus = 4 } };
        if (multiNode) definitions.Add(new TrainingJobDefinitionOptions { Name = "ddp-v2", Image = image, Gpus = 4, Nodes = 2 });
        var jobs = new TrainingJobs(s, "Training", new TrainingJobsProps
        {
            Platform = platform,
            InstanceTypes = ["g5.12xlarge"],
            MaxVCpus = 96,
            // Multi-node jobs run on demand only (AWS Batch runs no multi-node parallel job on Spot): their own queue.
            OnDemandFallback = multiNode,
            JobDefinitions = definitions.ToArray(),
        });
        var api = new TrainingApi(s, "Api", new TrainingApiProps { Training = jobs, HandlerDirectory = FakeHandler.Directory });
        // What a user watches with the helpers: every operation's metrics, every definition's submissions.
        var dashboard = new Dashboard(s, "Watch");
        foreach (var operation in Enum.GetValues<TrainingApiOperation>())
            dashboard.AddWidgets(new GraphWidget(new GraphWidgetProps
            {
                Left = [api.MetricRequests(operation), api.MetricErrors(operation), api.MetricClientErrors(operation), api.MetricThrottles(operation), api.MetricLatency(operation)],
            }));
        foreach (var definition in definitions)
            dashboard.AddWidgets(new GraphWidget(new GraphWidgetProps
            {
                Left =
                [
                    api.MetricJobsSubmitted(definition.Name), api.MetricGpusRequested(definition.Name),
                    api.MetricEstimatedHourlyCost(definition.Name),
                ],
            }));
        return [.. api.Functions];
    }

    private static void WatchEveryModel(Stack s, InferenceApi api, params string[] models)
    {
        var dashboard = new Dashboard(s, "Watch");
        foreach (var model in models)
        {
            dashboard.AddWidgets(new GraphWidget(new GraphWidgetProps
            {
                Left = [api.MetricRequests(model), api.MetricErrors(model), api.MetricThrottles(model), api.MetricLatency(model)],
            }));
            api.MetricErrors(model).CreateAlarm(s, "Errors" + model.Replace(".", "", StringComparison.Ordinal), new CreateAlarmOptions { Threshold = 1, EvaluationPeriods = 1 });
        }
    }
}

/// <summary>A prebuilt-handler directory with an empty bootstrap: the templates need an asset, not a binary.</summary>
internal static class FakeHandler
{
    public static string Directory { get; } = Create();

    private static string Create()
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("amp-contract-bootstrap-").FullName;
        File.WriteAllText(Path.Combine(dir, "bootstrap"), "#!/bin/sh\n");
        return dir;
    }
}
