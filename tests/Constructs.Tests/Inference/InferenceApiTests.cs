using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Tests.Api;
using AwsModelPlatform.Contracts;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>
/// Two synthesized stacks, once for every test class of this file: an API with every default in front of an
/// inference-component LLM (OpenAI) and an async endpoint; and one with every option set, in front of an imported endpoint.
/// </summary>
public sealed class InferenceApiTemplates
{
    public const string Collection = "Inference API templates";

    public Template Defaults { get; }
    public Template Options { get; }
    public InferenceApi DefaultsApi { get; private set; } = null!;
    public InferenceApi OptionsApi { get; private set; } = null!;
    public string LlmEndpointName { get; private set; } = null!;
    public string AsyncEndpointName { get; private set; } = null!;

    public InferenceApiTemplates()
    {
        Defaults = Synth.Template(s =>
        {
            var platform = new ModelPlatform(s, "Platform");
            var llm = new GpuModelEndpoint(s, "Llm", new GpuModelEndpointProps
            {
                Platform = platform,
                Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
                Hosting = new InferenceComponentHosting { InstanceType = "ml.g5.2xlarge", MaxInstances = 2, MemoryPerCopy = Size.Gibibytes(16) },
            });
            var batch = new GpuModelEndpoint(s, "Batch", new GpuModelEndpointProps
            {
                Platform = platform,
                Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
                Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 0, MaxInstances = 2, Async = new AsyncInference() },
            });
            (LlmEndpointName, AsyncEndpointName) = (llm.EndpointName, batch.EndpointName);
            DefaultsApi = new InferenceApi(s, "Api", new InferenceApiProps
            {
                Platform = platform,
                Models = new[] { new InferenceModel { Endpoint = llm, Name = "llm", Protocol = ModelProtocol.OpenAi }, batch },
                HandlerDirectory = FakeHandlerCode.Directory,
            });
            DefaultsApi.GrantInvoke(new Role(s, "Client", new RoleProps { AssumedBy = new AccountRootPrincipal() }));
        });
        Options = Synth.Template(s =>
        {
            var imported = GpuModelEndpoint.FromEndpointName(s, "Shared", "team-llm", new[] { "chat-a", "chat-b" });
            OptionsApi = new InferenceApi(s, "Api", new InferenceApiProps
            {
                StandaloneOptions = new ModelPlatformProps { ProjectName = "options" },
                Models = new[] { new InferenceModel { Endpoint = imported, Name = "chat", Protocol = ModelProtocol.OpenAi, InferenceComponentName = "chat-b", MaxPayload = Size.Kibibytes(64) } },
                HandlerDirectory = FakeHandlerCode.Directory,
                Name = "team-inference",
                Architecture = Architecture.ARM_64,
                Memory = Size.Gibibytes(2),
                ReservedConcurrency = 20,
                StreamingReservedConcurrency = 30,
                BufferedTimeout = Duration.Seconds(20),
                WebAdapterLayerArn = "arn:aws:lambda:eu-west-1:111122223333:layer:OwnWebAdapter:3",
                Private = true,
                ThrottlingRateLimit = 20,
                ThrottlingBurstLimit = 40,
                Waf = false,
                RequestVolumeAlarmPer5Minutes = 1234,
            });
        });
    }
}

[CollectionDefinition(InferenceApiTemplates.Collection)]
public sealed class InferenceApiTemplatesCollection : ICollectionFixture<InferenceApiTemplates> { }

[Collection(InferenceApiTemplates.Collection)]
public class InferenceApiDefaultsTests(InferenceApiTemplates t)
{
    private Template T => t.Defaults;

    private JsonNode Function(string idPrefix) =>
        T.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("Api" + idPrefix + "Function")).Value["Properties"]!;

    private JsonNode Variables(string idPrefix) => Function(idPrefix)["Environment"]!["Variables"]!;

    private JsonArray Statements(string idPrefix) =>
        T.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith($"Api{idPrefix}RoleDefaultPolicy")).Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();

    private List<JsonNode> Methods => T.Resources("AWS::ApiGateway::Method").Select(m => m.Value["Properties"]!).ToList();

    private string PathOf(JsonNode method)
    {
        var resources = T.Json()["Resources"]!;
        var parts = new List<string>();
        var id = method["ResourceId"]!["Ref"]?.GetValue<string>();
        while (id is not null)
        {
            var resource = resources[id]!["Properties"]!;
            parts.Insert(0, resource["PathPart"]!.GetValue<string>());
            id = resource["ParentId"]!["Ref"]?.GetValue<string>();
        }
        return "/" + string.Join('/', parts);
    }

    private Dictionary<string, JsonNode> Routes => Methods.ToDictionary(m => $"{m["HttpMethod"]!.GetValue<string>()} {PathOf(m)}");

    [Fact]
    public void The_handlers_per_model_EMF_metrics_are_in_the_worst_case_and_per_team_metrics_are_priced_by_use()
    {
        // 2 models × 6 metrics (Latency, Requests, Errors, Throttles, Wakes, Fallbacks) × $0.30.
        var metrics = Assert.Single(t.DefaultsApi.WorstCaseMonthlyCost, l => l.Type == "AWS::CloudWatch custom metrics (EMF)");
        Assert.Equal(12, metrics.Quantity);
        Assert.Equal(3.60, metrics.MonthlyUsd, 6);
        Assert.Contains(t.DefaultsApi.UsageBasedCosts,
            n => n.StartsWith("EMF team metrics") && n.Contains("per team") && n.Contains("$0.3/metric-month"));
        // The cost reports price them for a traffic profile from this record on the REST API.
        var record = T.Resources("AWS::ApiGateway::RestApi").Single().Value["Metadata"]![CostMetadata.CustomMetricsKey]!;
        Assert.Equal(12, record["metrics"]!.GetValue<int>());
        // Per team, whatever the number of models, keys or callers: Requests, PromptTokens, CompletionTokens, TotalTokens,
        // BudgetUsedPercent by [Api, Team] (issue 15: per-key and per-caller detail is in the usage store).
        Assert.Equal(5, record["metricsPerTeam"]!.GetValue<int>());
        Assert.Null(record["metricsPerCaller"]);
    }

    [Fact]
    public void Two_functions_buffered_and_response_stream_run_the_AOT_bootstrap_behind_the_Web_Adapter()
    {
        Assert.Equal(2, T.Resources("AWS::Lambda::Function").Count(f => f.Key.StartsWith("Api")));
        foreach (var (id, mode, timeout) in new[] { ("Buffered", "buffered", 60), ("Streaming", "response_stream", 900) })
        {
            var function = Function(id);
            Assert.Equal("provided.al2023", function["Runtime"]!.GetValue<string>());
            Assert.Equal("""["x86_64"]""", function["Architectures"].Text());
            Assert.Contains(":753240598075:layer:LambdaAdapterLayerX86:26", function["Layers"].Text());
            Assert.Equal(mode, Variables(id)["AWS_LWA_INVOKE_MODE"]!.GetValue<string>());
            Assert.Equal("/healthz", Variables(id)["AWS_LWA_READINESS_CHECK_PATH"]!.GetValue<string>());
            Assert.Equal("/opt/bootstrap", Variables(id)["AWS_LAMBDA_EXEC_WRAPPER"]!.GetValue<string>());
            Assert.Equal(timeout, function["Timeout"]!.GetValue<int>());
            Assert.Equal(512, function["MemorySize"]!.GetValue<int>());
            Assert.Equal(50, function["ReservedConcurrentExecutions"]!.GetValue<int>());
            Assert.Equal("Active", function["TracingConfig"]!["Mode"]!.GetValue<string>());
            Assert.Contains("PlatformKey", function["KmsKeyArn"].Text());
            Assert.Contains("WorkloadSubnet", function["VpcConfig"]!["SubnetIds"].Text());
        }
    }

    [Fact]
    public void The_functions_name_each_model_its_endpoint_protocol_component_and_calls_and_the_async_store()
    {
        static string Key(params object[] path) => SettingsEnvironment.Key([InferenceSettings.Section, .. path]);
        var models = t.DefaultsApi.Settings.Models;
        Assert.Equal(new[] { "llm", t.AsyncEndpointName }, models.Select(m => m.Name)); // an unnamed model is called as its endpoint is
        foreach (var id in new[] { "Buffered", "Streaming" })
        {
            var env = Variables(id);
            string? Model(int i, string property) => env[Key(nameof(InferenceSettings.Models), i, property)]?.GetValue<string>();
            Assert.Equal(("llm", t.LlmEndpointName, ModelProtocols.OpenAi, t.LlmEndpointName + "-model", "sync,stream"),
                (Model(0, "Name"), Model(0, "EndpointName"), Model(0, "Protocol"), Model(0, "InferenceComponentName"), Model(0, "Invocations")));
            // Raw is the handler's default protocol: not written again.
            Assert.Equal((t.AsyncEndpointName, t.AsyncEndpointName, null, null, "async"),
                (Model(1, "Name"), Model(1, "EndpointName"), Model(1, "Protocol"), Model(1, "InferenceComponentName"), Model(1, "Invocations")));
            Assert.Contains("BatchData", env[Key(nameof(InferenceSettings.Async), nameof(AsyncSettings.Bucket))].Text());
            Assert.Contains("PlatformKey", env[Key(nameof(InferenceSettings.Async), nameof(AsyncSettings.KmsKeyId))].Text());
            // The handler's default prefix is the one the buffered function may write (AsyncLayout.InputPrefix).
            Assert.Null(env[Key(nameof(InferenceSettings.Async), nameof(AsyncSettings.Prefix))]);
        }
        Assert.Equal(AsyncLayout.InputPrefix, t.DefaultsApi.Settings.Async.Prefix + "/");
        // API Gateway ends a buffered integration at 29 s: the buffered function answers its own 504 first.
        Assert.Equal("28", Variables("Buffered")[Key(nameof(InferenceSettings.TimeoutSeconds))]!.GetValue<string>());
        Assert.Null(Variables("Streaming")[Key(nameof(InferenceSettings.TimeoutSeconds))]);
    }

    [Fact]
    public void Streamed_routes_are_on_the_streaming_function_through_a_streaming_integration_and_the_others_on_the_buffered_one()
    {
        // Which routes: the route table's (the contract test compares each function's with its handler's endpoints).
        var routes = Routes;
        Assert.NotEmpty(routes);
        foreach (var route in Contracts.Routes.All.Where(r => routes.ContainsKey(r.ToString())))
        {
            var integration = routes[route.ToString()]["Integration"]!;
            Assert.Equal("AWS_PROXY", integration["Type"]!.GetValue<string>());
            var function = route.Transfer == Transfer.Stream ? "Streaming" : "Buffered";
            Assert.Contains($"Api{function}Function", integration["Uri"].Text());
            if (route.Transfer == Transfer.Stream)
            {
                Assert.Equal("STREAM", integration["ResponseTransferMode"]!.GetValue<string>());
                Assert.Equal(900_000, integration["TimeoutInMillis"]!.GetValue<int>());
                Assert.Contains("/response-streaming-invocations", integration["Uri"].Text());
            }
            else
            {
                Assert.Null(integration["ResponseTransferMode"]);
            }
        }
        Assert.All(routes.Keys, r => Assert.Contains(Contracts.Routes.All, route => route.ToString() == r));
    }

    [Fact]
    public void Every_method_requires_IAM_auth_and_is_validated()
    {
        Assert.All(Methods, m =>
        {
            Assert.Equal("AWS_IAM", m["AuthorizationType"]!.GetValue<string>());
            Assert.NotNull(m["RequestValidatorId"]);
        });
        var validator = T.Single("AWS::ApiGateway::RequestValidator")["Properties"]!;
        Assert.True(validator["ValidateRequestBody"]!.GetValue<bool>());
        Assert.True(validator["ValidateRequestParameters"]!.GetValue<bool>());
    }

    [Fact]
    public void OpenAI_bodies_have_JSON_models_that_API_Gateway_validates()
    {
        var models = T.Resources("AWS::ApiGateway::Model").ToDictionary(m => m.Value["Properties"]!["Name"]!.GetValue<string>(), m => m.Value["Properties"]!);
        Assert.Equal(new[] { "ChatCompletionRequest", "CompletionRequest", "EmbeddingRequest" }, models.Keys.Order());
        var chat = models["ChatCompletionRequest"]["Schema"]!;
        Assert.Equal("""["model","messages"]""", chat["required"].Text());
        Assert.Equal("boolean", chat["properties"]!["stream"]!["type"]!.GetValue<string>());
        Assert.Equal("array", chat["properties"]!["messages"]!["type"]!.GetValue<string>());
        Assert.Contains("ChatCompletionRequest", Routes["POST /v1/chat/completions"]["RequestModels"]!["application/json"].Text());
        Assert.Contains("CompletionRequest", Routes["POST /v1/completions"]["RequestModels"]!["application/json"].Text());
        Assert.Contains("EmbeddingRequest", Routes["POST /v1/embeddings"]["RequestModels"]!["application/json"].Text());
        Assert.Null(Routes["POST /v1/endpoints/{model}/invocations"]["RequestModels"]); // raw bodies pass through untouched
        Assert.Equal("""{"method.request.path.model":true}""", Routes["POST /v1/endpoints/{model}/invocations"]["RequestParameters"].Text());
    }

    [Fact]
    public void Functions_may_invoke_only_the_fronted_endpoints_and_their_components()
    {
        foreach (var id in new[] { "Buffered", "Streaming" })
        {
            var sagemaker = Statements(id).Where(s => s!["Action"].Text().Contains("sagemaker:Invoke")).ToList();
            Assert.All(sagemaker, s => Assert.Equal("""["sagemaker:InvokeEndpoint","sagemaker:InvokeEndpointAsync","sagemaker:InvokeEndpointWithResponseStream"]""", s!["Action"].Text()));
            var resources = sagemaker.SelectMany(s => s!["Resource"] is JsonArray many ? many.Select(r => r.Text()) : new[] { s!["Resource"].Text() }).ToList();
            Assert.Equal(3, resources.Count);
            Assert.Contains(resources, r => r.Contains($":endpoint/{t.LlmEndpointName}\""));
            Assert.Contains(resources, r => r.Contains($":inference-component/{t.LlmEndpointName}-model\""));
            Assert.Contains(resources, r => r.Contains($":endpoint/{t.AsyncEndpointName}\""));
        }
    }

    [Fact]
    public void Functions_may_wake_only_the_inference_components_of_their_models()
    {
        foreach (var id in new[] { "Buffered", "Streaming" })
        {
            var wake = Assert.Single(Statements(id), s => s!["Action"].Text().Contains("UpdateInferenceComponentRuntimeConfig"))!;
            Assert.Equal("""["sagemaker:UpdateInferenceComponentRuntimeConfig","sagemaker:DescribeInferenceComponent"]""", wake["Action"].Text());
            // The OpenAI model's own component; the async endpoint has none to wake (it queues while at zero).
            Assert.IsNotType<JsonArray>(wake["Resource"]);
            Assert.Contains($":inference-component/{t.LlmEndpointName}-model\"", wake["Resource"].Text());
        }
        var wakeKeys = t.DefaultsApi.HandlerConfiguration.Keys.Where(k => k.StartsWith("Inference__Wake__", StringComparison.Ordinal));
        // On by default (the handler's default, no variable); only the marker bucket is the API's own.
        Assert.Equal(["Inference__Wake__MarkerBucket"], wakeKeys);
    }

    [Fact]
    public void Only_the_buffered_function_reaches_the_async_prefixes_with_the_platform_key()
    {
        var statements = new JsonArray(Statements("Buffered").Where(s => !s!["Action"].Text().Contains("sagemaker:") && !IsWakeMarkerGrant(s!)).Select(s => s!.DeepClone()).ToArray());
        Assert.Equal(4, statements.Count);
        Assert.Equal("s3:PutObject", statements[0]!["Action"]!.GetValue<string>());
        Assert.Equal(new[] { "/async-input/*" }, Suffixes(statements[0]!));
        Assert.Equal("s3:GetObject", statements[1]!["Action"]!.GetValue<string>());
        Assert.Equal(new[] { "/async-failures/*", "/async-input/*", "/async-output/*" }, Suffixes(statements[1]!));
        Assert.Contains("BatchData", statements[0]!["Resource"].Text());
        Assert.Equal("""["kms:Decrypt","kms:GenerateDataKey"]""", statements[3]!["Action"].Text());
        Assert.Contains("PlatformKey", statements[3]!["Resource"].Text());
        Assert.All(Statements("Streaming").Where(s => !IsWakeMarkerGrant(s!)), s => Assert.Contains("sagemaker:", s!["Action"].Text()));

        static string[] Suffixes(JsonNode statement) =>
            (statement["Resource"] is JsonArray many ? many.Select(r => r!) : new[] { statement["Resource"]! })
            .Select(r => r["Fn::Join"]![1]!.AsArray().Last()!.GetValue<string>()).Order().ToArray();
    }

    [Fact]
    public void The_buffered_function_may_list_exactly_the_async_prefixes_it_reads_before_their_keys_exist()
    {
        // Without s3:ListBucket S3 answers a missing record, result or failure with 403, not 404: a pending request, an
        // unknown id and a first idempotent submission would all be 502s.
        var list = Assert.Single(Statements("Buffered"), s => s!["Action"].Text().Contains("s3:ListBucket"))!;
        Assert.Equal("s3:ListBucket", list["Action"]!.GetValue<string>());
        Assert.Contains("BatchData", list["Resource"].Text());
        Assert.Contains("\"Arn\"", list["Resource"].Text()); // the bucket itself, not its objects
        Assert.Equal("""{"StringLike":{"s3:prefix":["async-input/requests/*","async-output/*","async-failures/*"]}}""", list["Condition"].Text());
        Assert.DoesNotContain(Statements("Streaming"), s => s!["Action"].Text().Contains("s3:") && !IsWakeMarkerGrant(s!));
    }

    [Fact]
    public void The_functions_get_a_wake_marker_bucket_of_the_API_so_one_wake_call_is_made_per_model_across_instances()
    {
        var bucket = Assert.Single(T.Resources("AWS::S3::Bucket"), b => b.Key.StartsWith("ApiWakeMarkers", StringComparison.Ordinal));
        foreach (var id in new[] { "Buffered", "Streaming" })
        {
            var variables = Variables(id);
            Assert.Equal($$"""{"Ref":"{{bucket.Key}}"}""", variables["Inference__Wake__MarkerBucket"].Text());
            Assert.Null(variables["Inference__Wake__MarkerPrefix"]); // the handler's default prefix, which the grant is scoped to
        }
        Assert.Equal(t.DefaultsApi.WakeMarkers!.BucketName, t.DefaultsApi.HandlerConfiguration["Inference__Wake__MarkerBucket"]);
    }

    [Fact]
    public void The_wake_marker_bucket_has_the_platform_defaults_and_its_markers_expire()
    {
        var bucket = Assert.Single(T.Resources("AWS::S3::Bucket"), b => b.Key.StartsWith("ApiWakeMarkers", StringComparison.Ordinal)).Value["Properties"]!;
        var encryption = bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!;
        Assert.Equal("aws:kms", encryption["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!.GetValue<string>());
        Assert.Contains("PlatformKey", encryption["ServerSideEncryptionByDefault"]!["KMSMasterKeyID"].Text());
        Assert.True(encryption["BucketKeyEnabled"]!.GetValue<bool>());
        Assert.Equal("""{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}""", bucket["PublicAccessBlockConfiguration"].Text());
        Assert.Contains("AccessLogs", bucket["LoggingConfiguration"]!["DestinationBucketName"].Text());
        var rules = bucket["LifecycleConfiguration"]!["Rules"]!.AsArray();
        var expire = Assert.Single(rules, r => r!["Id"]!.GetValue<string>() == "ExpireWakeMarkers")!;
        Assert.Equal(1, expire["ExpirationInDays"]!.GetValue<int>());
        Assert.Contains(rules, r => r!["ExpiredObjectDeleteMarker"]?.GetValue<bool>() == true);
        var policy = Assert.Single(T.Resources("AWS::S3::BucketPolicy"), p => p.Value["Properties"]!["Bucket"].Text().Contains("ApiWakeMarkers")).Value;
        Assert.Contains("\"aws:SecureTransport\":\"false\"", policy.ToJsonString()); // TLS only
    }

    [Fact]
    public void The_functions_may_put_wake_markers_under_the_marker_prefix_only_and_use_the_key_only_through_S3_for_that_bucket()
    {
        foreach (var id in new[] { "Buffered", "Streaming" })
        {
            var grants = Statements(id).Where(s => IsWakeMarkerGrant(s!)).ToList();
            Assert.Equal(2, grants.Count);
            var put = grants.Single(s => s!["Action"].Text().Contains("s3:"))!;
            Assert.Equal("s3:PutObject", put["Action"]!.GetValue<string>()); // no read, no list, no delete: the handler only writes markers
            Assert.Equal($"/{new WakeSettings().MarkerFolder()}*", put["Resource"]!["Fn::Join"]![1]!.AsArray().Last()!.GetValue<string>());
            var key = grants.Single(s => s!["Action"].Text().Contains("kms:"))!;
            Assert.Equal("""["kms:GenerateDataKey","kms:Decrypt"]""", key["Action"].Text());
            Assert.Contains("PlatformKey", key["Resource"].Text());
            var conditions = key["Condition"]!["StringEquals"]!;
            Assert.Contains("s3.", conditions["kms:ViaService"].Text());
            Assert.Contains("ApiWakeMarkers", conditions["kms:EncryptionContext:aws:s3:arn"].Text());
        }
    }

    private static bool IsWakeMarkerGrant(JsonNode statement) => statement.ToJsonString().Contains("ApiWakeMarkers", StringComparison.Ordinal);

    [Fact]
    public void No_data_plane_action_is_granted_on_a_wildcard_resource()
    {
        var statements = T.Resources("AWS::IAM::Policy").Where(p => p.Key.StartsWith("Api")).SelectMany(p => p.Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray());
        foreach (var statement in statements)
        {
            var actions = statement!["Action"].Text();
            if (!actions.Contains("sagemaker:") && !actions.Contains("s3:") && !actions.Contains("kms:")) continue;
            Assert.DoesNotContain("\"*\"", statement["Resource"].Text());
        }
    }

    [Fact]
    public void Stage_is_regional_throttled_traced_logged_and_protected_by_WAF()
    {
        Assert.Equal("""["REGIONAL"]""", T.Single("AWS::ApiGateway::RestApi")["Properties"]!["EndpointConfiguration"]!["Types"].Text());
        var stage = T.Single("AWS::ApiGateway::Stage")["Properties"]!;
        Assert.True(stage["TracingEnabled"]!.GetValue<bool>());
        Assert.Contains("\"ThrottlingRateLimit\":50", stage["MethodSettings"].Text());
        Assert.Contains("\"ThrottlingBurstLimit\":100", stage["MethodSettings"].Text());
        Assert.NotNull(stage["AccessLogSetting"]!["Format"]);
        Assert.Single(T.Resources("AWS::WAFv2::WebACL"));
        Assert.Null(T.Single("AWS::ApiGateway::RestApi")["Properties"]!["MinimumCompressionSize"]); // streaming routes: no content encoding
        Assert.Equal("""["*/*"]""", T.Single("AWS::ApiGateway::RestApi")["Properties"]!["BinaryMediaTypes"].Text());
    }

    [Fact]
    public void API_and_functions_raise_alarms_on_the_platform_topic()
    {
        var alarms = T.Resources("AWS::CloudWatch::Alarm").Where(a => a.Key.StartsWith("Api")).Select(a => a.Key).ToList();
        foreach (var name in new[] { "ServerErrorRateAlarm", "LatencyP99Alarm", "ClientErrorSpikeAlarm", "RequestVolumeAlarm" })
            Assert.Contains(alarms, a => a.StartsWith("Api" + name));
        foreach (var function in new[] { "Buffered", "Streaming" })
            foreach (var name in new[] { "ErrorsAlarm", "ThrottlesAlarm", "ConcurrencyAlarm" })
                Assert.Contains(alarms, a => a.StartsWith($"Api{function}{name}"));
        var concurrency = T.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("ApiBufferedConcurrencyAlarm")).Value["Properties"]!;
        Assert.Equal(40, concurrency["Threshold"]!.GetValue<double>()); // 80 % of the reserved 50
        Assert.Equal("ConcurrentExecutions", concurrency["MetricName"]!.GetValue<string>());
        Assert.All(T.Resources("AWS::CloudWatch::Alarm").Where(a => a.Key.StartsWith("Api")), a => Assert.Contains("PlatformAlarms", a.Value["Properties"]!["AlarmActions"].Text()));
        var dashboard = T.Single("AWS::CloudWatch::Dashboard")["Properties"]!["DashboardBody"].Text();
        Assert.Contains("API: inference", dashboard);
        Assert.Contains("Function: inference-stream", dashboard);
    }

    [Fact]
    public void Resources_are_tagged_for_cost_allocation()
    {
        var function = Function("Buffered");
        Assert.Contains("""{"Key":"Component","Value":"inference-api"}""", function["Tags"].Text());
        Assert.Contains("""{"Key":"Project","Value":"AwsModelPlatform"}""", function["Tags"].Text());
        Assert.Contains("\"Component\"", T.Single("AWS::ApiGateway::RestApi")["Properties"]!["Tags"].Text());
    }

    [Fact]
    public void GrantInvoke_gives_execute_api_Invoke_on_the_stage_only()
    {
        var statement = Assert.Single(T.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("ClientDefaultPolicy")).Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())!;
        Assert.Equal("execute-api:Invoke", statement["Action"]!.GetValue<string>());
        Assert.Contains("ApiDeploymentStagelive", statement["Resource"].Text());
        Assert.EndsWith("\"/*/*\"]]}", statement["Resource"].Text());
    }
}

[Collection(InferenceApiTemplates.Collection)]
public class InferenceApiOptionsTests(InferenceApiTemplates t)
{
    private Template T => t.Options;

    private JsonNode Function(string idPrefix) =>
        T.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("Api" + idPrefix + "Function")).Value["Properties"]!;

    [Fact]
    public void Both_functions_name_the_API_their_metrics_belong_to_and_the_metric_helpers_read_only_its_metrics()
    {
        var apiName = T.Single("AWS::ApiGateway::RestApi")["Properties"]!["Name"]!.GetValue<string>();
        Assert.EndsWith("-team-inference", apiName);
        foreach (var id in new[] { "Buffered", "Streaming" })
            Assert.Equal(apiName, Function(id)["Environment"]!["Variables"]![SettingsEnvironment.Key(ApiSettings.Section, nameof(ApiSettings.Name))]!.GetValue<string>());

        var errors = t.OptionsApi.MetricErrors("chat");
        Assert.Equal(("AwsModelPlatform/Inference", "Errors", "Sum", 300d), (errors.Namespace, errors.MetricName, errors.Statistic, errors.Period.ToSeconds()));
        Assert.Equal(new Dictionary<string, object> { ["Api"] = apiName, ["Model"] = "chat" }, errors.Dimensions!);
        var latency = t.OptionsApi.MetricLatency("chat");
        Assert.Equal(("Latency", "p99", apiName), (latency.MetricName, latency.Statistic, latency.Dimensions!["Api"]));
        Assert.Equal("Requests", t.OptionsApi.MetricRequests("chat").MetricName);
        Assert.Equal("Throttles", t.OptionsApi.MetricThrottles("chat").MetricName);
        Assert.Contains(": InferenceApi.MetricOfModel: 'llm' is not a model of this API", Assert.Throws<ArgumentException>(() => t.OptionsApi.MetricRequests("llm")).Message);
        // Another platform's API of the same name: the same metric names, another Api value.
        Assert.NotEqual(t.DefaultsApi.RestApi.ApiName, apiName);
        Assert.Equal(t.DefaultsApi.RestApi.ApiName, t.DefaultsApi.MetricRequests("llm").Dimensions!["Api"]);
    }

    [Fact]
    public void Imported_endpoint_with_a_chosen_component_payload_limit_and_no_async()
    {
        var variables = Function("Buffered")["Environment"]!["Variables"]!;
        static string Key(params object[] path) => SettingsEnvironment.Key([InferenceSettings.Section, .. path]);
        static string Model(string property) => Key(nameof(InferenceSettings.Models), 0, property);
        Assert.Equal("chat", variables[Model(nameof(InferenceModelSettings.Name))]!.GetValue<string>());
        Assert.Equal("team-llm", variables[Model(nameof(InferenceModelSettings.EndpointName))]!.GetValue<string>());
        Assert.Equal("chat-b", variables[Model(nameof(InferenceModelSettings.InferenceComponentName))]!.GetValue<string>());
        Assert.Equal("65536", variables[Model(nameof(InferenceModelSettings.MaxPayloadBytes))]!.GetValue<string>());
        Assert.Equal("20", variables[Key(nameof(InferenceSettings.TimeoutSeconds))]!.GetValue<string>());
        Assert.Null(variables[Key(nameof(InferenceSettings.Async), nameof(AsyncSettings.Bucket))]);
        var paths = T.Resources("AWS::ApiGateway::Resource").Select(r => r.Value["Properties"]!["PathPart"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain("async-invocations", paths);
        var sagemaker = T.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("ApiBufferedRoleDefaultPolicy")).Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        Assert.Equal(2, sagemaker.Count(s => s!["Action"].Text().Contains("sagemaker:")));
        Assert.Contains(":endpoint/team-llm", sagemaker[0]!["Resource"].Text());
        Assert.Contains(":inference-component/chat-a", sagemaker[0]!["Resource"].Text());
        Assert.Contains(":inference-component/chat-b", sagemaker[0]!["Resource"].Text());
        // The wake: only the model's own component, not the endpoint's other one.
        Assert.Contains("UpdateInferenceComponentRuntimeConfig", sagemaker[1]!["Action"].Text());
        Assert.Contains(":inference-component/chat-b", sagemaker[1]!["Resource"].Text());
        Assert.DoesNotContain("chat-a", sagemaker[1]!["Resource"].Text());
    }

    [Fact]
    public void Function_options_architecture_memory_concurrency_and_own_adapter_layer()
    {
        foreach (var (id, reserved) in new[] { ("Buffered", 20), ("Streaming", 30) })
        {
            var function = Function(id);
            Assert.Equal("""["arm64"]""", function["Architectures"].Text());
            Assert.Equal(2048, function["MemorySize"]!.GetValue<int>());
            Assert.Equal(reserved, function["ReservedConcurrentExecutions"]!.GetValue<int>());
            Assert.Equal("""["arn:aws:lambda:eu-west-1:111122223333:layer:OwnWebAdapter:3"]""", function["Layers"].Text());
        }
    }

    [Fact]
    public void API_options_private_throttling_no_WAF_and_volume_alarm()
    {
        var api = T.Single("AWS::ApiGateway::RestApi")["Properties"]!;
        Assert.EndsWith("-team-inference", api["Name"]!.GetValue<string>()); // {platform prefix}-{Name}
        Assert.Equal(api["Name"]!.GetValue<string>(), t.OptionsApi.RestApi.ApiName);
        Assert.Equal("""["PRIVATE"]""", api["EndpointConfiguration"]!["Types"].Text());
        Assert.Contains("aws:SourceVpce", api["Policy"].Text());
        Assert.Null(api["MinimumCompressionSize"]);
        Assert.Empty(T.Resources("AWS::WAFv2::WebACL"));
        Assert.Contains("\"ThrottlingRateLimit\":20", T.Single("AWS::ApiGateway::Stage")["Properties"]!["MethodSettings"].Text());
        var volume = T.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("ApiRequestVolumeAlarm")).Value["Properties"]!;
        Assert.Equal(1234, volume["Threshold"]!.GetValue<double>());
    }

    [Fact]
    public void Without_a_platform_the_API_brings_its_own()
    {
        Assert.Single(T.Resources("AWS::KMS::Key"));
        Assert.Contains("options", Function("Buffered")["FunctionName"]!.GetValue<string>());
    }
}

public class InferenceApiCognitoTests
{
    [Fact]
    public void Cognito_authorization_puts_the_user_pool_authorizer_and_scopes_on_every_method()
    {
        var template = Synth.Template(s =>
        {
            var pool = new Amazon.CDK.AWS.Cognito.UserPool(s, "Users");
            _ = new InferenceApi(s, "Api", new InferenceApiProps
            {
                Models = new[] { new InferenceModel { Endpoint = GpuModelEndpoint.FromEndpointName(s, "Shared", "team-llm"), Name = "llm" } },
                HandlerDirectory = FakeHandlerCode.Directory,
                Authorization = ApiAuthorization.Cognito(new Amazon.CDK.AWS.Cognito.IUserPool[] { pool }, "inference/invoke"),
            });
        });
        Assert.Equal("COGNITO_USER_POOLS", template.Single("AWS::ApiGateway::Authorizer")["Properties"]!["Type"]!.GetValue<string>());
        var methods = template.Resources("AWS::ApiGateway::Method");
        Assert.Equal(7, methods.Count); // no async model: no async routes
        Assert.All(methods, m =>
        {
            Assert.Equal("COGNITO_USER_POOLS", m.Value["Properties"]!["AuthorizationType"]!.GetValue<string>());
            Assert.Equal("""["inference/invoke"]""", m.Value["Properties"]!["AuthorizationScopes"].Text());
        });
    }
}

public class InferenceApiValidationTests
{
    private static string Error(Func<Stack, InferenceApiProps> props)
    {
        var stack = Synth.NewStack();
        var p = props(stack);
        return Assert.Throws<ArgumentException>(() => new InferenceApi(stack, "Api", p)).Message;
    }

    private static IGpuModelEndpoint Imported(Stack s, string name = "team-llm", bool isAsync = false, params string[] components) =>
        GpuModelEndpoint.FromEndpointAttributes(s, "E" + name + isAsync, new GpuModelEndpointAttributes
        {
            EndpointName = name,
            InferenceComponentNames = components,
            Async = isAsync ? new AsyncPayloadBucket { Bucket = Amazon.CDK.AWS.S3.Bucket.FromBucketName(s, "B" + name, "team-async"), Key = Amazon.CDK.AWS.KMS.Key.FromKeyArn(s, "K" + name, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab") } : null,
        });

    [Fact]
    public void No_models_is_refused()
    {
        Assert.Contains("Models is empty", Error(_ => new InferenceApiProps { Models = Array.Empty<InferenceModel>(), HandlerDirectory = FakeHandlerCode.Directory }));
    }

    [Theory]
    [InlineData("my llm")]
    [InlineData("team/llm")]
    [InlineData("..")]
    public void A_model_name_clients_could_not_call_is_refused(string name)
    {
        var message = Error(s => new InferenceApiProps { Models = new[] { new InferenceModel { Endpoint = Imported(s), Name = name } }, HandlerDirectory = FakeHandlerCode.Directory });
        Assert.Contains($"InferenceModel.Name = '{name}' is not accepted: a model name is {ModelNames.Rule}", message);
    }

    [Fact]
    public void A_model_keeps_the_name_of_its_endpoint_as_given()
    {
        // The name clients know: its '-' stay (the name is a value of the handler's configuration, never part of a key).
        var stack = Synth.NewStack();
        var api = new InferenceApi(stack, "Api", new InferenceApiProps { Models = new[] { new InferenceModel { Endpoint = Imported(stack, "llama-3-8b") } }, HandlerDirectory = FakeHandlerCode.Directory });
        Assert.Equal("llama-3-8b", Assert.Single(api.Settings.Models).Name);
        Assert.Equal("llama-3-8b", api.MetricRequests("llama-3-8b").Dimensions![HandlerMetrics.Inference.Model]);
    }

    [Fact]
    public void Duplicate_model_names_are_refused()
    {
        var message = Error(s => new InferenceApiProps
        {
            Models = new[] { new InferenceModel { Endpoint = Imported(s, "a"), Name = "llm" }, new InferenceModel { Endpoint = Imported(s, "b"), Name = "llm" } },
            HandlerDirectory = FakeHandlerCode.Directory,
        });
        Assert.Contains("the name 'llm' is used 2 times", message);
    }

    [Fact]
    public void An_inference_component_the_endpoint_does_not_have_is_refused()
    {
        var message = Error(s => new InferenceApiProps
        {
            Models = new[] { new InferenceModel { Endpoint = Imported(s, "team-llm", false, "a", "b"), Name = "llm", InferenceComponentName = "c" } },
            HandlerDirectory = FakeHandlerCode.Directory,
        });
        Assert.Contains("InferenceComponentName = 'c' is not a component of endpoint team-llm (a, b)", message);
    }

    [Fact]
    public void Fallbacks_go_to_the_handler_in_order()
    {
        var stack = Synth.NewStack();
        var api = new InferenceApi(stack, "Api", new InferenceApiProps
        {
            Models = new[]
            {
                new InferenceModel { Endpoint = Imported(stack, "big", false, "big-model"), Name = "big", Protocol = ModelProtocol.OpenAi, Fallbacks = ["medium", "small"] },
                new InferenceModel { Endpoint = Imported(stack, "medium"), Name = "medium", Protocol = ModelProtocol.OpenAi },
                new InferenceModel { Endpoint = Imported(stack, "small"), Name = "small", Protocol = ModelProtocol.OpenAi },
            },
            HandlerDirectory = FakeHandlerCode.Directory,
        });
        Assert.Equal("medium,small", api.HandlerConfiguration["Inference__Models__0__Fallbacks"]);
        Assert.DoesNotContain("Inference__Models__1__Fallbacks", api.HandlerConfiguration.Keys);
    }

    [Theory]
    [InlineData("nobody", "Fallbacks names 'nobody', which is not a model of this API (llm, raw)")]
    [InlineData("llm", "Fallbacks names the model itself")]
    [InlineData("raw", "Fallbacks names 'raw', whose Protocol is Raw, not OpenAi: a fallback answers the same requests")]
    public void A_fallback_that_could_not_answer_the_same_requests_is_refused(string fallback, string expected)
    {
        var message = Error(s => new InferenceApiProps
        {
            Models = new[]
            {
                new InferenceModel { Endpoint = Imported(s, "a"), Name = "llm", Protocol = ModelProtocol.OpenAi, Fallbacks = [fallback] },
                new InferenceModel { Endpoint = Imported(s, "b"), Name = "raw" },
            },
            HandlerDirectory = FakeHandlerCode.Directory,
        });
        Assert.Contains("InferenceModel 'llm': " + expected, message);
    }

    [Fact]
    public void Models_without_an_inference_component_have_nothing_to_wake_and_get_no_marker_bucket()
    {
        var stack = Synth.NewStack();
        var api = new InferenceApi(stack, "Api", new InferenceApiProps
        {
            Models = new[] { new InferenceModel { Endpoint = Imported(stack, "team-llm"), Name = "llm" } },
            HandlerDirectory = FakeHandlerCode.Directory,
        });
        Assert.Null(api.WakeMarkers);
        Assert.DoesNotContain("Inference__Wake__MarkerBucket", api.HandlerConfiguration.Keys);
        Assert.DoesNotContain(Template.FromStack(stack).Resources("AWS::IAM::Policy"), p => p.Key.StartsWith("Api", StringComparison.Ordinal) && p.Value.ToJsonString().Contains("s3:"));
    }

    [Fact]
    public void Without_wake_on_demand_the_functions_may_not_wake_and_the_handler_does_not()
    {
        var stack = Synth.NewStack();
        var api = new InferenceApi(stack, "Api", new InferenceApiProps
        {
            Models = new[] { new InferenceModel { Endpoint = Imported(stack, "team-llm", false, "chat"), Name = "llm" } },
            HandlerDirectory = FakeHandlerCode.Directory,
            WakeOnDemand = false,
        });
        Assert.Equal("false", api.HandlerConfiguration["Inference__Wake__Enabled"]);
        Assert.DoesNotContain("UpdateInferenceComponentRuntimeConfig", Template.FromStack(stack).Json().ToJsonString());
        // Nor is there a marker bucket to pay for.
        Assert.Null(api.WakeMarkers);
        Assert.DoesNotContain("Inference__Wake__MarkerBucket", api.HandlerConfiguration.Keys);
        Assert.DoesNotContain(Template.FromStack(stack).Resources("AWS::S3::Bucket"), b => b.Key.Contains("WakeMarkers", StringComparison.Ordinal));
    }

    [Fact]
    public void A_payload_limit_above_SageMakers_is_refused()
    {
        var message = Error(s => new InferenceApiProps { Models = new[] { new InferenceModel { Endpoint = Imported(s), Name = "llm", MaxPayload = Size.Bytes(7_000_000) } }, HandlerDirectory = FakeHandlerCode.Directory });
        Assert.Contains("MaxPayload = 7000000 bytes is out of range", message);
    }

    [Fact]
    public void An_imported_async_endpoint_is_fronted_with_its_own_payload_bucket_prefix_and_key()
    {
        var stack = Synth.NewStack();
        var endpoint = GpuModelEndpoint.FromEndpointAttributes(stack, "Batch", new GpuModelEndpointAttributes
        {
            EndpointName = "batch",
            Async = new AsyncPayloadBucket
            {
                Bucket = Amazon.CDK.AWS.S3.Bucket.FromBucketName(stack, "B", "team-async"),
                Key = Amazon.CDK.AWS.KMS.Key.FromKeyArn(stack, "K", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                InputPrefix = "team/inputs/",
            },
        });
        var api = new InferenceApi(stack, "Api", new InferenceApiProps { Models = new[] { new InferenceModel { Endpoint = endpoint, Name = "batch" } }, HandlerDirectory = FakeHandlerCode.Directory });
        Assert.Equal("team-async", api.Settings.Async.Bucket);
        Assert.Equal("team/inputs", api.Settings.Async.Prefix);
        Assert.Equal(endpoint.AsyncPayloads!.Key.KeyArn, api.Settings.Async.KmsKeyId);
        Assert.Contains(api.HandlerConfiguration, kv => kv.Key.StartsWith("Inference__Async__", StringComparison.Ordinal) && kv.Value == "team/inputs");
        var text = Template.FromStack(stack).Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("ApiBufferedRoleDefaultPolicy", StringComparison.Ordinal)).Value.Text();
        Assert.Contains("team-async/team/inputs/*", text);
        Assert.Contains("key/1234abcd-12ab-34cd-56ef-1234567890ab", text);
        Assert.Contains("team/inputs/requests/", text);
    }

    [Fact]
    public void An_OpenAI_model_on_an_async_endpoint_is_refused_with_the_fix()
    {
        var message = Error(s => new InferenceApiProps
        {
            Models = new[] { new InferenceModel { Endpoint = Imported(s, "batch", true), Name = "batch", Protocol = ModelProtocol.OpenAi } },
            HandlerDirectory = FakeHandlerCode.Directory,
        });
        Assert.Contains("InferenceModel 'batch': Protocol = OpenAi, but endpoint batch is asynchronous", message);
        Assert.Contains("Protocol = ModelProtocol.Raw and call POST /v1/endpoints/batch/async-invocations", message);
    }

    [Fact]
    public void Each_model_tells_the_handler_the_SageMaker_calls_its_hosting_mode_serves()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        GpuModelEndpoint Endpoint(string id, EndpointHosting hosting) => new(stack, id, new GpuModelEndpointProps
        {
            Platform = platform,
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            Hosting = hosting,
        });
        var api = new InferenceApi(stack, "Api", new InferenceApiProps
        {
            Platform = platform,
            Models = new InferenceModel[]
            {
                new() { Endpoint = Endpoint("RealTime", new RealTimeHosting { InstanceType = "ml.g5.xlarge" }), Name = "realtime", Protocol = ModelProtocol.OpenAi },
                new() { Endpoint = Endpoint("Components", new InferenceComponentHosting { InstanceType = "ml.g5.xlarge", MaxInstances = 1, MemoryPerCopy = Size.Gibibytes(8) }), Name = "components" },
                new() { Endpoint = Endpoint("Serverless", new ServerlessHosting()), Name = "serverless", Protocol = ModelProtocol.OpenAi },
                new() { Endpoint = Endpoint("Queued", new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 0, MaxInstances = 1, Async = new AsyncInference() }), Name = "queued" },
                new() { Endpoint = GpuModelEndpoint.FromEndpointName(stack, "Imported", "team-embeddings", invocations: EndpointInvocations.Sync), Name = "imported" },
            },
            HandlerDirectory = FakeHandlerCode.Directory,
        });
        Assert.Equal(
            new Dictionary<string, string> { ["realtime"] = "sync,stream", ["components"] = "sync,stream", ["serverless"] = "sync", ["queued"] = "async", ["imported"] = "sync" },
            api.Settings.Models.ToDictionary(m => m.Name!, m => m.Invocations));
    }

    [Theory]
    [InlineData(true, EndpointInvocations.Sync)]
    [InlineData(true, EndpointInvocations.Async | EndpointInvocations.Sync)]
    [InlineData(false, EndpointInvocations.Async)]
    [InlineData(false, EndpointInvocations.None)]
    public void An_imported_endpoints_invocations_must_fit_whether_it_is_async(bool isAsync, EndpointInvocations invocations)
    {
        var stack = Synth.NewStack();
        var message = Synth.ErrorOf(() => GpuModelEndpoint.FromEndpointAttributes(stack, "E", new GpuModelEndpointAttributes
        {
            EndpointName = "team-llm",
            Invocations = invocations,
            Async = isAsync ? new AsyncPayloadBucket { Bucket = Amazon.CDK.AWS.S3.Bucket.FromBucketName(stack, "B", "team-async"), Key = Amazon.CDK.AWS.KMS.Key.FromKeyArn(stack, "K", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab") } : null,
        }));
        Assert.StartsWith($"Test/E: GpuModelEndpointAttributes.Invocations = {invocations} does not fit {(isAsync ? "an async" : "a synchronous")} endpoint", message);
    }

    [Fact]
    public void Both_a_prebuilt_directory_and_a_project_are_refused()
    {
        var message = Error(s => new InferenceApiProps { Models = new[] { new InferenceModel { Endpoint = Imported(s), Name = "llm" } }, HandlerDirectory = FakeHandlerCode.Directory, HandlerProject = "x.csproj" });
        Assert.Contains("set only one of them", message);
    }

    [Fact]
    public void A_prebuilt_directory_without_bootstrap_is_refused()
    {
        var empty = Directory.CreateTempSubdirectory("amp-empty-").FullName;
        var message = Error(s => new InferenceApiProps { Models = new[] { new InferenceModel { Endpoint = Imported(s), Name = "llm" } }, HandlerDirectory = empty });
        Assert.Contains("has no 'bootstrap'", message);
    }

    [Fact]
    public void A_buffered_deadline_beyond_the_function_timeout_is_refused()
    {
        var message = Error(s => new InferenceApiProps { Models = new[] { new InferenceModel { Endpoint = Imported(s), Name = "llm" } }, HandlerDirectory = FakeHandlerCode.Directory, BufferedTimeout = Duration.Seconds(90) });
        Assert.Contains("BufferedTimeout = 90 s is out of range", message);
    }

    [Fact]
    public void A_token_endpoint_name_needs_an_explicit_model_name()
    {
        var message = Error(s => new InferenceApiProps
        {
            Models = new[] { new InferenceModel { Endpoint = GpuModelEndpoint.FromEndpointName(s, "T", Fn.ImportValue("EndpointName")) } },
            HandlerDirectory = FakeHandlerCode.Directory,
        });
        Assert.Contains("InferenceModel.Name is required", message);
    }
}
