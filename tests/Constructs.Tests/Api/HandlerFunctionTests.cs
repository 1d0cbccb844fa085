using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Api;

public class HandlerFunctionTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private Template T => api.Template;

    private System.Text.Json.Nodes.JsonNode Function(string idPrefix) =>
        T.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith(idPrefix + "Function")).Value["Properties"]!;

    [Fact]
    public void Handler_runs_the_AOT_bootstrap_on_provided_al2023_behind_the_pinned_Web_Adapter()
    {
        var function = Function("Buffered");
        Assert.Equal("provided.al2023", function["Runtime"]!.GetValue<string>());
        Assert.Equal("bootstrap", function["Handler"]!.GetValue<string>());
        Assert.Equal("""["x86_64"]""", function["Architectures"].Text());
        Assert.Contains(":753240598075:layer:LambdaAdapterLayerX86:26", function["Layers"].Text());
        var env = function["Environment"]!["Variables"]!;
        Assert.Equal("/opt/bootstrap", env["AWS_LAMBDA_EXEC_WRAPPER"]!.GetValue<string>());
        Assert.Equal("/healthz", env["AWS_LWA_READINESS_CHECK_PATH"]!.GetValue<string>());
        Assert.Equal("buffered", env["AWS_LWA_INVOKE_MODE"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:8080", env["ASPNETCORE_URLS"]!.GetValue<string>());
        Assert.Equal("inference", env["Api__RouteGroups"]!.GetValue<string>());
    }

    [Fact]
    public void Streaming_handler_streams_and_gets_the_long_timeout()
    {
        var function = Function("Streaming");
        Assert.Equal("response_stream", function["Environment"]!["Variables"]!["AWS_LWA_INVOKE_MODE"]!.GetValue<string>());
        Assert.Equal(900, function["Timeout"]!.GetValue<int>());
        Assert.Equal(60, Function("Buffered")["Timeout"]!.GetValue<int>());
    }

    [Fact]
    public void Handler_is_isolated_encrypted_traced_capped_and_logs_to_its_own_encrypted_group()
    {
        var function = Function("Buffered");
        Assert.Contains("WorkloadSubnet", function["VpcConfig"]!["SubnetIds"].Text());
        Assert.Contains("PlatformKey", function["KmsKeyArn"].Text());
        Assert.Equal("Active", function["TracingConfig"]!["Mode"]!.GetValue<string>());
        Assert.Equal(100, function["ReservedConcurrentExecutions"]!.GetValue<int>());
        Assert.Equal(512, function["MemorySize"]!.GetValue<int>());
        var logGroupId = function["LoggingConfig"]!["LogGroup"]!["Ref"]!.GetValue<string>();
        var logGroup = T.Json()["Resources"]![logGroupId]!["Properties"]!;
        Assert.Contains("PlatformKey", logGroup["KmsKeyId"].Text());
        Assert.Equal("/aws/lambda/" + function["FunctionName"]!.GetValue<string>(), logGroup["LogGroupName"]!.GetValue<string>());
    }

    [Fact]
    public void Handler_name_carries_the_platform_prefix_so_the_trail_logs_its_invocations()
    {
        var name = Function("Buffered")["FunctionName"]!.GetValue<string>();
        var selectors = T.Single("AWS::CloudTrail::Trail")["Properties"]!["AdvancedEventSelectors"].Text();
        var prefix = name[..name.IndexOf("-api-", StringComparison.Ordinal)];
        Assert.Contains($":function:{prefix}-", selectors);
    }

    [Fact]
    public void Handler_role_has_no_managed_policy_and_security_group_only_sends_HTTPS()
    {
        var role = T.Resources("AWS::IAM::Role").Single(r => r.Key.StartsWith("BufferedRole")).Value["Properties"]!;
        Assert.Null(role["ManagedPolicyArns"]);
        Assert.DoesNotContain(T.Resources("AWS::IAM::Policy"), p => p.Key.StartsWith("BufferedRoleDefaultPolicy"));
        var group = T.Resources("AWS::EC2::SecurityGroup").Single(g => g.Key.StartsWith("BufferedSecurityGroup")).Value["Properties"]!;
        Assert.Equal(443, Assert.Single(group["SecurityGroupEgress"]!.AsArray())!["FromPort"]!.GetValue<int>());
        Assert.Null(group["SecurityGroupIngress"]);
    }

    [Theory]
    [InlineData(64, 100, null, "Test/Buffered: HandlerFunctionProps.Memory = 64 MiB is out of range: Lambda accepts whole MiB from 128 to 10240.")]
    [InlineData(1024, 0, null, "Test/Buffered: HandlerFunctionProps.ReservedConcurrency = 0 must be at least 1")]
    [InlineData(1024, 100, 901, "Test/Buffered: HandlerFunctionProps.Timeout = 901 s is out of range: whole seconds from 1 to 900.")]
    public void Settings_Lambda_refuses_fail_synthesis(int memory, int concurrency, int? timeout, string expected)
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var message = Synth.ErrorOf(() => new HandlerFunction(stack, "Buffered", new HandlerFunctionProps
        {
            Platform = platform, Purpose = "api", Code = HandlerCode.FromDirectory(FakeHandlerCode.Directory),
            Configuration = new Dictionary<string, string>(), Memory = Size.Mebibytes(memory), ReservedConcurrency = concurrency, Timeout = timeout is { } t ? Duration.Seconds(t) : null,
        }));
        Assert.StartsWith(expected, message);
    }

    [Fact]
    public void Handler_alarms_on_errors_throttles_and_concurrency_near_the_reserved_limit()
    {
        var alarms = T.Resources("AWS::CloudWatch::Alarm").Where(a => a.Key.StartsWith("Buffered")).ToDictionary(a => a.Key[..a.Key.IndexOf("Alarm", StringComparison.Ordinal)], a => a.Value["Properties"]!);
        Assert.Equal(new[] { "BufferedConcurrency", "BufferedErrors", "BufferedThrottles" }, alarms.Keys.Order());
        Assert.Equal("Errors", alarms["BufferedErrors"]["MetricName"]!.GetValue<string>());
        Assert.Equal(5, alarms["BufferedErrors"]["Threshold"]!.GetValue<double>());
        Assert.Equal("Throttles", alarms["BufferedThrottles"]["MetricName"]!.GetValue<string>());
        Assert.Equal(1, alarms["BufferedThrottles"]["Threshold"]!.GetValue<double>());
        Assert.Equal("ConcurrentExecutions", alarms["BufferedConcurrency"]["MetricName"]!.GetValue<string>());
        Assert.Equal("Maximum", alarms["BufferedConcurrency"]["Statistic"]!.GetValue<string>());
        Assert.Equal(80, alarms["BufferedConcurrency"]["Threshold"]!.GetValue<double>()); // 80 % of the reserved 100
        Assert.Equal(2, alarms["BufferedConcurrency"]["EvaluationPeriods"]!.GetValue<int>());
        Assert.All(alarms.Values, a => Assert.Contains("PlatformAlarms", a["AlarmActions"].Text()));
        Assert.Contains("Function: api-stream", T.Single("AWS::CloudWatch::Dashboard")["Properties"]!["DashboardBody"].Text());
    }

    [Fact]
    public void A_concurrency_alarm_percent_outside_0_to_100_is_refused()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var message = Synth.ErrorOf(() => new HandlerFunction(stack, "Buffered", new HandlerFunctionProps
        {
            Platform = platform, Purpose = "api", Code = HandlerCode.FromDirectory(FakeHandlerCode.Directory),
            Configuration = new Dictionary<string, string>(), ConcurrencyAlarmPercent = 120,
        }));
        Assert.Equal("Test/Buffered: HandlerFunctionProps.ConcurrencyAlarmPercent = 120 must be more than 0 and at most 100.", message);
    }

    [Fact]
    public void The_app_warns_at_synthesis_what_its_handlers_reserve_of_the_accounts_concurrency_and_how_to_lower_it()
    {
        var app = new Amazon.CDK.App();
        var inference = new Amazon.CDK.Stack(app, "Inference");
        var training = new Amazon.CDK.Stack(app, "Training");
        var elsewhere = new Amazon.CDK.Stack(app, "Elsewhere", new Amazon.CDK.StackProps { Env = new Amazon.CDK.Environment { Account = "222222222222", Region = "eu-west-1" } });
        var platform = new ModelPlatform(inference, "Platform");
        void Function(Amazon.CDK.Stack stack, string id, int reserved, IModelPlatform? on = null) => _ = new HandlerFunction(stack, id, new HandlerFunctionProps
        {
            Platform = on ?? platform, Purpose = id.ToLowerInvariant(), Code = HandlerCode.FromDirectory(FakeHandlerCode.Directory),
            Configuration = new Dictionary<string, string>(), ReservedConcurrency = reserved,
        });
        Function(inference, "Buffered", 50);
        Function(inference, "Streaming", 50);
        Function(training, "Training", 20);
        Function(elsewhere, "Other", 7, new ModelPlatform(elsewhere, "Platform"));
        app.Synth();

        // Both stacks of the deploying account and region name the total of the two: 120 reserved, a quota of at least 220.
        foreach (var stack in new[] { inference, training })
        {
            var warning = Assert.Single(Synth.Warnings(stack), w => w.Contains("concurrent Lambda executions"));
            Assert.Contains("reserve 120 concurrent Lambda executions", warning);
            Assert.Contains("Inference/Buffered 50, Inference/Streaming 50, Training/Training 20", warning);
            Assert.Contains("must be at least 220", warning);
            Assert.Contains("lower the APIs' ReservedConcurrency (InferenceApiProps, TrainingApiProps)", warning);
        }
        // Another account and region is counted on its own.
        Assert.Contains(Synth.Warnings(elsewhere), w => w.Contains("reserve 7 concurrent Lambda executions in account 222222222222, region eu-west-1") && w.Contains("at least 107"));
    }

    [Fact]
    public void A_directory_without_bootstrap_is_refused_with_the_publish_command()
    {
        var empty = Directory.CreateTempSubdirectory("amp-empty-").FullName;
        var message = Synth.ErrorOf(() => HandlerCode.FromDirectory(empty));
        Assert.Contains("has no 'bootstrap'; publish src/Handlers there with `dotnet publish", message);
    }

    [Fact]
    public void The_handler_project_is_found_from_anywhere_in_the_repository()
    {
        var project = HandlerCode.FindProject(AppContext.BaseDirectory);
        Assert.NotNull(project);
        Assert.EndsWith("src/Handlers/AwsModelPlatform.Handlers.csproj", project!.Replace('\\', '/'));
        Assert.Null(HandlerCode.FindProject(Path.GetTempPath()));
    }
}
