using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.Cognito;
using Amazon.CDK.AWS.IAM;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Api;

public class PlatformRestApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private Template T => api.Template;

    [Fact]
    public void Every_method_requires_IAM_and_validates_its_request()
    {
        var methods = T.Resources("AWS::ApiGateway::Method").Select(m => m.Value["Properties"]!).ToList();
        Assert.Equal(2, methods.Count);
        Assert.All(methods, m =>
        {
            Assert.Equal("AWS_IAM", m["AuthorizationType"]!.GetValue<string>());
            Assert.NotNull(m["RequestValidatorId"]);
            Assert.Equal("""{"method.request.path.model":true}""", m["RequestParameters"].Text());
        });
        T.HasResourceProperties("AWS::ApiGateway::RequestValidator", new Dictionary<string, object> { ["ValidateRequestBody"] = true, ["ValidateRequestParameters"] = true });
    }

    [Fact]
    public void The_API_is_named_for_its_platform_so_two_platforms_in_one_account_keep_their_metrics_apart()
    {
        var name = T.Single("AWS::ApiGateway::RestApi")["Properties"]!["Name"]!.GetValue<string>();
        Assert.Equal(api.Platform.NamePrefix + "-inference", name);
        Assert.All(T.Resources("AWS::CloudWatch::Alarm").Where(a => a.Value.Text().Contains("AWS/ApiGateway")),
            a => Assert.Contains(name, a.Value.Text()));
    }

    [Fact]
    public void Stream_routes_use_response_streaming_invocations_with_STREAM_transfer_and_a_15_minute_timeout()
    {
        var stream = T.Resources("AWS::ApiGateway::Method").Single(m => m.Key.Contains("stream")).Value["Properties"]!["Integration"]!;
        Assert.Equal("STREAM", stream["ResponseTransferMode"]!.GetValue<string>());
        Assert.Equal(900000, stream["TimeoutInMillis"]!.GetValue<int>());
        Assert.Contains("/response-streaming-invocations", stream["Uri"].Text());
        Assert.Contains("StreamingFunction", stream["Uri"].Text());
        var buffered = T.Resources("AWS::ApiGateway::Method").Single(m => !m.Key.Contains("stream")).Value["Properties"]!["Integration"]!;
        Assert.Null(buffered["ResponseTransferMode"]);
        Assert.Contains("BufferedFunction", buffered["Uri"].Text());
    }

    [Fact]
    public void Stage_throttles_traces_and_writes_JSON_access_logs_to_an_encrypted_group_without_payloads()
    {
        var stage = T.Single("AWS::ApiGateway::Stage")["Properties"]!;
        Assert.True(stage["TracingEnabled"]!.GetValue<bool>());
        var settings = stage["MethodSettings"]![0]!;
        Assert.Equal(50, settings["ThrottlingRateLimit"]!.GetValue<double>());
        Assert.Equal(100, settings["ThrottlingBurstLimit"]!.GetValue<int>());
        Assert.Equal("ERROR", settings["LoggingLevel"]!.GetValue<string>());
        Assert.False(settings["DataTraceEnabled"]!.GetValue<bool>());
        Assert.Contains("\"status\":\"$context.status\"", stage["AccessLogSetting"]!["Format"]!.GetValue<string>());
        var logGroupId = stage["AccessLogSetting"]!["DestinationArn"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        Assert.Contains("PlatformKey", T.Json()["Resources"]![logGroupId]!["Properties"]!["KmsKeyId"].Text());
    }

    [Fact]
    public void Api_is_regional_and_passes_binary_payloads_through()
    {
        var api = T.Single("AWS::ApiGateway::RestApi")["Properties"]!;
        Assert.Equal("""["REGIONAL"]""", api["EndpointConfiguration"]!["Types"].Text());
        Assert.Equal("""["*/*"]""", api["BinaryMediaTypes"].Text());
    }

    [Fact]
    public void An_API_compresses_responses_only_while_it_has_no_streaming_route()
    {
        // API Gateway supports no content encoding with response streaming, and the setting is the whole API's.
        Assert.Null(T.Single("AWS::ApiGateway::RestApi")["Properties"]!["MinimumCompressionSize"]);
        var template = Synth.Template(s =>
        {
            var platform = new ModelPlatform(s, "Platform");
            var handler = new HandlerFunction(s, "Handler", new HandlerFunctionProps
            {
                Platform = platform, Purpose = "api", Code = HandlerCode.FromDirectory(FakeHandlerCode.Directory), Configuration = new Dictionary<string, string>(),
            });
            new PlatformRestApi(s, "Api", new PlatformRestApiProps { Platform = platform, Name = "buffered" }).AddRoute("GET", "/v1/things", handler, InvokeMode.Buffered);
        });
        Assert.Equal(PlatformRestApi.DefaultMinCompressionSize.ToBytes(), template.Single("AWS::ApiGateway::RestApi")["Properties"]!["MinimumCompressionSize"]!.GetValue<int>());
    }

    [Fact]
    public void A_compression_size_of_a_fraction_of_a_byte_or_above_10_MiB_fails_synthesis()
    {
        foreach (var size in new[] { Amazon.CDK.Size.Mebibytes(11), Amazon.CDK.Size.Kibibytes(0.5001) })
        {
            var stack = Synth.NewStack();
            var platform = new ModelPlatform(stack, "Platform");
            var message = Synth.ErrorOf(() => new PlatformRestApi(stack, "Api", new PlatformRestApiProps { Platform = platform, Name = "big", MinCompressionSize = size }));
            Assert.StartsWith("Test/Api: PlatformRestApiProps.MinCompressionSize = ", message);
            Assert.Contains("API Gateway compresses bodies of 0 to 10 MiB (whole bytes, 0 to 10485760).", message);
        }
    }

    [Fact]
    public void Compression_asked_for_on_an_API_with_a_streaming_route_fails_synthesis()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var handler = new HandlerFunction(stack, "Handler", new HandlerFunctionProps
        {
            Platform = platform, Purpose = "api", Code = HandlerCode.FromDirectory(FakeHandlerCode.Directory), InvokeMode = InvokeMode.ResponseStream,
            Configuration = new Dictionary<string, string>(),
        });
        var api = new PlatformRestApi(stack, "Api", new PlatformRestApiProps { Platform = platform, Name = "stream", MinCompressionSize = Amazon.CDK.Size.Kibibytes(2) });
        var message = Synth.ErrorOf(() => api.AddRoute("POST", "/v1/stream", handler, InvokeMode.ResponseStream));
        Assert.Contains("POST /v1/stream streams its response (ResponseTransferMode STREAM), and API Gateway supports no content encoding with response streaming", message);
        Assert.Contains("Leave PlatformRestApiProps.MinCompressionSize unset", message);
    }

    [Fact]
    public void Logging_role_is_set_once_retained_with_an_inline_policy_on_the_log_groups_of_the_account_and_region()
    {
        var account = T.Resources("AWS::ApiGateway::Account").Single();
        Assert.StartsWith("ApiGatewayAccountLogging", account.Key);
        Assert.Equal("Retain", account.Value["DeletionPolicy"]!.GetValue<string>());
        var role = T.Resources("AWS::IAM::Role").Single(r => r.Key.StartsWith("ApiGatewayAccountLogging")).Value;
        // Retained with its policy inline: deleting the stack leaves the account pointing to a role that still works.
        Assert.Equal("Retain", role["DeletionPolicy"]!.GetValue<string>());
        Assert.Contains(":log-group:*", role["Properties"]!["Policies"].Text());
        Assert.DoesNotContain(T.Resources("AWS::IAM::Policy"), p => p.Key.StartsWith("ApiGatewayAccountLogging"));
        Assert.Contains("apigateway.amazonaws.com", role["Properties"]!["AssumeRolePolicyDocument"].Text());
        var stageDependsOn = T.Resources("AWS::ApiGateway::Stage").Single().Value["DependsOn"]!.AsArray().Select(d => d!.GetValue<string>()).ToList();
        Assert.Contains(stageDependsOn, d => d.StartsWith("ApiGatewayAccountLogging"));
    }

    [Fact]
    public void Execution_logs_go_to_a_group_created_first_under_API_Gateways_name_encrypted_and_expiring()
    {
        var (id, group) = T.Resources("AWS::Logs::LogGroup").Single(g => g.Key.StartsWith("ApiExecutionLogs"));
        var properties = group["Properties"]!;
        // API-Gateway-Execution-Logs_{restApiId}/{stage}: the name API Gateway would create it under, unencrypted and kept forever.
        var restApi = T.Resources("AWS::ApiGateway::RestApi").Single().Key;
        Assert.Equal($$"""{"Fn::Join":["",["API-Gateway-Execution-Logs_",{"Ref":"{{restApi}}"},"/live"]]}""", properties["LogGroupName"].Text());
        Assert.Contains("PlatformKey", properties["KmsKeyId"].Text());
        Assert.Equal(365, properties["RetentionInDays"]!.GetValue<int>());
        Assert.Equal("Retain", group["DeletionPolicy"]!.GetValue<string>());
        // The stage (whose first request would make API Gateway create the group) waits for it.
        Assert.Contains(id, T.Resources("AWS::ApiGateway::Stage").Single().Value["DependsOn"]!.AsArray().Select(d => d!.GetValue<string>()));
    }

    [Fact]
    public void The_platform_key_lets_CloudWatch_Logs_encrypt_every_log_group_of_the_account_and_region_including_the_execution_logs()
    {
        var statement = T.KeyPolicyStatements().Single(s => s["Sid"]?.GetValue<string>() == "CloudWatchLogsEncryptLogGroups");
        var arn = statement["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:logs:arn"].Text();
        // arn:{partition}:logs:{region}:{account}:log-group:* covers API-Gateway-Execution-Logs_{id}/live and /aws/sagemaker/Endpoints/{name}.
        Assert.Equal("""{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":logs:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":log-group:*"]]}""", arn);
    }

    [Fact]
    public void WAF_guards_the_stage_with_a_per_IP_rate_and_AWS_managed_rules_letting_large_prompts_through()
    {
        var acl = T.Single("AWS::WAFv2::WebACL")["Properties"]!;
        Assert.Equal("REGIONAL", acl["Scope"]!.GetValue<string>());
        var rules = acl["Rules"]!.AsArray();
        Assert.Equal(3000, rules.Single(r => r!["Name"]!.GetValue<string>() == "RatePerIp")!["Statement"]!["RateBasedStatement"]!["Limit"]!.GetValue<int>());
        foreach (var group in new[] { "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet" })
            Assert.Contains(rules, r => r!["Name"]!.GetValue<string>() == group);
        var common = rules.Single(r => r!["Name"]!.GetValue<string>() == "AWSManagedRulesCommonRuleSet")!;
        Assert.Contains("SizeRestrictions_BODY", common.Text());
        Assert.Contains("StageArn", T.Single("AWS::WAFv2::WebACLAssociation").Text().Replace("ApiDeploymentStagelive", "StageArn"));
    }

    [Fact]
    public void Alarms_on_5xx_rate_p99_latency_4xx_spike_and_request_volume_notify_the_platform_topic()
    {
        var alarms = T.Resources("AWS::CloudWatch::Alarm").Where(a => a.Key.StartsWith("Api")).Select(a => a.Key).ToList();
        foreach (var name in new[] { "ServerErrorRateAlarm", "LatencyP99Alarm", "ClientErrorSpikeAlarm", "RequestVolumeAlarm" })
            Assert.Contains(alarms, a => a.StartsWith("Api" + name));
        var volume = T.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("ApiRequestVolumeAlarm")).Value["Properties"]!;
        Assert.Equal(9000, volume["Threshold"]!.GetValue<double>()); // 60 % of 50 rps over 5 minutes
        Assert.Contains("PlatformAlarmsTopic", volume["AlarmActions"].Text());
    }

    [Fact]
    public void Methods_not_behind_Cognito_carry_the_reasoned_cdk_nag_exemption()
    {
        Assert.All(T.Resources("AWS::ApiGateway::Method"), m => Assert.Contains("authorized with AWS IAM (SigV4)", m.Value["Metadata"].Text()));
    }

    [Fact]
    public void The_web_ACL_logs_what_it_blocks_or_counts_to_an_encrypted_aws_waf_logs_group_with_credentials_redacted()
    {
        var logging = T.Single("AWS::WAFv2::LoggingConfiguration")["Properties"]!;
        Assert.Contains("WebAcl", logging["ResourceArn"].Text());
        var destination = Assert.Single(logging["LogDestinationConfigs"]!.AsArray())!.Text();
        Assert.Contains(":log-group:aws-waf-logs-" + api.Platform.NamePrefix + "-inference-", destination);
        Assert.DoesNotContain(":*", destination); // WAF takes the group's ARN without the Arn attribute's ":*"
        var redacted = logging["RedactedFields"]!.AsArray().Select(f => f!["SingleHeader"]!["Name"]!.GetValue<string>()).ToList();
        Assert.Equal(new[] { "authorization", "x-api-key", "x-amz-security-token", "cookie" }, redacted);
        Assert.Equal("DROP", logging["LoggingFilter"]!["DefaultBehavior"]!.GetValue<string>());
        var kept = logging["LoggingFilter"]!["Filters"]![0]!["Conditions"]!.AsArray().Select(c => c!["ActionCondition"]!["Action"]!.GetValue<string>()).ToList();
        Assert.Contains("BLOCK", kept);
        Assert.Contains("COUNT", kept);
        Assert.DoesNotContain("ALLOW", kept); // allowed requests are in the stage's access log

        var group = T.Resources("AWS::Logs::LogGroup").Single(g => g.Value["Properties"]!["LogGroupName"].Text().Contains("aws-waf-logs-")).Value;
        Assert.Contains("PlatformKey", group["Properties"]!["KmsKeyId"].Text());
        Assert.Equal(365, group["Properties"]!["RetentionInDays"]!.GetValue<int>());
        Assert.Contains(T.Resources("AWS::WAFv2::LoggingConfiguration").Single().Value["DependsOn"]!.AsArray(), d => d!.GetValue<string>().StartsWith("ApiWafLogs"));
    }

    [Fact]
    public void The_stage_says_why_it_has_no_cache_and_no_client_certificate()
    {
        var stage = T.Single("AWS::ApiGateway::Stage");
        var ids = stage["Metadata"]!["cdk_nag"]!["rules_to_suppress"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(new[]
        {
            "NIST.800.53.R5-APIGWCacheEnabledAndEncrypted", "HIPAA.Security-APIGWCacheEnabledAndEncrypted",
            "NIST.800.53.R5-APIGWSSLEnabled", "HIPAA.Security-APIGWSSLEnabled",
        }, ids);
        Assert.Contains("not by who is calling", stage["Metadata"].Text());
    }
}

public class PlatformRestApiOptionsTests
{
    private static (Amazon.CDK.Stack Stack, ModelPlatform Platform, HandlerFunction Handler) Base()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var handler = new HandlerFunction(stack, "Handler", new HandlerFunctionProps
        {
            Platform = platform, Purpose = "api", Code = HandlerCode.FromDirectory(FakeHandlerCode.Directory), Configuration = new Dictionary<string, string>(),
        });
        return (stack, platform, handler);
    }

    [Fact]
    public void Cognito_authorizes_every_method_with_the_user_pool_and_scopes()
    {
        var (stack, platform, handler) = Base();
        var pool = new UserPool(stack, "Pool");
        var api = new PlatformRestApi(stack, "Api", new PlatformRestApiProps { Platform = platform, Name = "inference", Authorization = ApiAuthorization.Cognito(new IUserPool[] { pool }, "inference/invoke") });
        api.AddRoute("GET", "/v1/models", handler, InvokeMode.Buffered);
        var template = Template.FromStack(stack);
        template.HasResourceProperties("AWS::ApiGateway::Method", new Dictionary<string, object> { ["AuthorizationType"] = "COGNITO_USER_POOLS", ["AuthorizationScopes"] = new[] { "inference/invoke" } });
        template.ResourceCountIs("AWS::ApiGateway::Authorizer", 1);
    }

    [Fact]
    public void A_private_API_is_reachable_only_through_its_execute_api_endpoint()
    {
        var (stack, platform, handler) = Base();
        new PlatformRestApi(stack, "Api", new PlatformRestApiProps { Platform = platform, Name = "inference", Private = true }).AddRoute("GET", "/v1/models", handler, InvokeMode.Buffered);
        var template = Template.FromStack(stack);
        var api = template.Single("AWS::ApiGateway::RestApi")["Properties"]!;
        Assert.Equal("""["PRIVATE"]""", api["EndpointConfiguration"]!["Types"].Text());
        Assert.Contains("aws:SourceVpce", api["Policy"].Text());
        var endpoint = template.Resources("AWS::EC2::VPCEndpoint").Single(e => e.Value["Properties"]!["ServiceName"].Text().Contains(".execute-api")).Value["Properties"]!;
        // The platform's endpoint group (443 from the VPC's CIDR, as a literal), and no second group open to the VPC.
        Assert.Contains("PlatformNetworkEndpointSecurityGroup", endpoint["SecurityGroupIds"].Text());
        Assert.DoesNotContain(template.Resources("AWS::EC2::SecurityGroup"), g => g.Key.Contains("ExecuteApi"));
    }

    [Fact]
    public void WAF_can_be_turned_off_and_IAM_callers_granted()
    {
        var (stack, platform, handler) = Base();
        var api = new PlatformRestApi(stack, "Api", new PlatformRestApiProps { Platform = platform, Name = "inference", Waf = false });
        api.AddRoute("GET", "/v1/models", handler, InvokeMode.Buffered);
        api.GrantInvoke(new Role(stack, "Caller", new RoleProps { AssumedBy = new AccountRootPrincipal() }));
        var template = Template.FromStack(stack);
        template.ResourceCountIs("AWS::WAFv2::WebACL", 0);
        template.ResourceCountIs("AWS::WAFv2::LoggingConfiguration", 0);
        Assert.Null(api.WafLogs);
        Assert.Contains("WAF was turned off for this API by the app", template.Single("AWS::ApiGateway::Stage")["Metadata"].Text());
        var statement = template.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("CallerDefaultPolicy")).Value["Properties"]!["PolicyDocument"]!["Statement"]![0]!;
        Assert.Equal("execute-api:Invoke", statement["Action"]!.GetValue<string>());
        Assert.EndsWith("{\"Ref\":\"ApiDeploymentStagelive81577178\"},\"/*/*\"]]}", statement["Resource"].Text());
    }

    [Theory]
    [InlineData(0, 100, "Test/Api: PlatformRestApiProps: ThrottlingRateLimit = 0 and ThrottlingBurstLimit = 100 must both be more than 0.")]
    [InlineData(10, 0, "Test/Api: PlatformRestApiProps: ThrottlingRateLimit = 10 and ThrottlingBurstLimit = 0 must both be more than 0.")]
    public void Throttling_that_would_refuse_every_request_fails_synthesis(double rate, int burst, string expected)
    {
        var (stack, platform, _) = Base();
        Assert.Equal(expected, Synth.ErrorOf(() => new PlatformRestApi(stack, "Api", new PlatformRestApiProps { Platform = platform, Name = "x", ThrottlingRateLimit = rate, ThrottlingBurstLimit = burst })));
    }
}
