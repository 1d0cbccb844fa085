using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Access;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Tests.Api;
using AwsModelPlatform.Constructs.Tests.Inference;
using AwsModelPlatform.Contracts;

namespace AwsModelPlatform.Constructs.Tests.Access;

/// <summary>
/// One TeamAccess serving two inference APIs over the same model: "keys" (API keys in Authorization) and
/// "iam" (IAM callers mapped to teams).
/// </summary>
public sealed class TeamAccessTemplate
{
    public const string Collection = "TeamAccess template";
    public const string CallerRole = "arn:aws:iam::111122223333:role/research";

    public Template T { get; }
    public TeamAccess Access { get; private set; } = null!;
    public InferenceApi Keys { get; private set; } = null!;
    public InferenceApi Iam { get; private set; } = null!;

    public TeamAccessTemplate()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        Access = new TeamAccess(stack, "Access", new TeamAccessProps { Platform = platform, HandlerDirectory = FakeHandlerCode.Directory });
        var model = new InferenceModel { Endpoint = GpuModelEndpoint.FromEndpointName(stack, "Shared", "shared-llm"), Name = "llm", Protocol = ModelProtocol.OpenAi };
        Keys = new InferenceApi(stack, "Keys", new InferenceApiProps
        {
            Platform = platform, Name = "keys", Models = [model], HandlerDirectory = FakeHandlerCode.Directory,
            Authorization = ApiAuthorization.ApiKeys(Access),
        });
        Iam = new InferenceApi(stack, "Iam", new InferenceApiProps
        {
            Platform = platform, Name = "iam", Models = [model], HandlerDirectory = FakeHandlerCode.Directory,
            TeamAccess = Access, CallerTeams = new Dictionary<string, string> { [CallerRole] = "research" },
        });
        T = Template.FromStack(stack);
    }
}

[CollectionDefinition(TeamAccessTemplate.Collection)]
public sealed class TeamAccessTemplateCollection : ICollectionFixture<TeamAccessTemplate> { }

[Collection(TeamAccessTemplate.Collection)]
public class TeamAccessTests(TeamAccessTemplate t)
{
    private Template T => t.T;

    private JsonNode Function(string idPrefix) =>
        T.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith(idPrefix + "Function")).Value["Properties"]!;

    private JsonObject Variables(string idPrefix) => Function(idPrefix)["Environment"]!["Variables"]!.AsObject();

    /// <summary>Every statement of the role's policies (the basics and the grants).</summary>
    private List<JsonNode> Statements(string idPrefix) =>
        T.Resources("AWS::IAM::Policy").Where(p => p.Key.StartsWith(idPrefix + "Role")).SelectMany(p => p.Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!).ToList();

    private static List<JsonNode> DynamoStatements(List<JsonNode> statements) =>
        statements.Where(s => s["Action"].Text().Contains("dynamodb:")).ToList();

    private static string[] LeadingKeys(JsonNode statement) =>
        statement["Condition"]?["ForAllValues:StringLike"]?["dynamodb:LeadingKeys"]?.AsArray().Select(k => k!.GetValue<string>()).ToArray() ?? [];

    [Fact]
    public void The_table_is_on_demand_encrypted_with_the_platform_key_recoverable_with_TTL_on_expiresAt()
    {
        var table = T.Single("AWS::DynamoDB::Table");
        var p = table["Properties"]!;
        Assert.Equal("PAY_PER_REQUEST", p["BillingMode"]!.GetValue<string>());
        Assert.Equal($$"""[{"AttributeName":"{{AccessLayout.PartitionKey}}","KeyType":"HASH"},{"AttributeName":"{{AccessLayout.SortKey}}","KeyType":"RANGE"}]""", p["KeySchema"].Text());
        Assert.True(p["SSESpecification"]!["SSEEnabled"]!.GetValue<bool>());
        Assert.Equal("KMS", p["SSESpecification"]!["SSEType"]!.GetValue<string>());
        Assert.Contains("PlatformKey", p["SSESpecification"]!["KMSMasterKeyId"].Text());
        Assert.True(p["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]!.GetValue<bool>());
        Assert.Equal(AccessLayout.Ttl, p["TimeToLiveSpecification"]!["AttributeName"]!.GetValue<string>());
        Assert.True(p["TimeToLiveSpecification"]!["Enabled"]!.GetValue<bool>());
    }

    [Fact]
    public void The_table_is_kept_and_deletion_protected_as_the_platform_keeps_its_data()
    {
        var table = T.Single("AWS::DynamoDB::Table");
        Assert.Equal("Retain", table["DeletionPolicy"]!.GetValue<string>());
        Assert.True(table["Properties"]!["DeletionProtectionEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public void The_HMAC_key_makes_and_verifies_MACs_and_is_kept()
    {
        var key = T.Resources("AWS::KMS::Key").Single(k => k.Key.StartsWith("AccessHmacKey")).Value;
        Assert.Equal("HMAC_256", key["Properties"]!["KeySpec"]!.GetValue<string>());
        Assert.Equal("GENERATE_VERIFY_MAC", key["Properties"]!["KeyUsage"]!.GetValue<string>());
        Assert.Equal("Retain", key["DeletionPolicy"]!.GetValue<string>());
        // KMS does not rotate HMAC keys, and cdk-nag raises no rotation finding on one (the compliance tests refuse a suppression that matches nothing).
        Assert.False(key["Properties"]!["EnableKeyRotation"]!.GetValue<bool>());
    }

    [Fact]
    public void The_authorizer_maps_the_authorizer_route_group_on_the_adapter_pass_through_path()
    {
        var v = Variables("AccessAuthorizer");
        Assert.Equal(RouteGroup.Authorizer, v["Api__RouteGroups"]!.GetValue<string>());
        Assert.Equal(Routes.AuthorizeRequest.Path, v[WebAdapter.PassThroughPathVariable]!.GetValue<string>());
        Assert.Contains("AccessTable", v["Access__TableName"].Text());
        Assert.Contains("AccessHmacKey", v["Access__HmacKeyId"].Text());
        // Both APIs of this app cache at the gateway: the authorizer keeps no key in memory, so a revocation waits for one TTL only.
        Assert.Equal("0", v["Access__KeyCacheSeconds"]!.GetValue<string>());
    }

    [Fact]
    public void The_admin_function_maps_the_access_route_group_with_the_table_and_HMAC_key()
    {
        var v = Variables("AccessAdmin");
        Assert.Equal(RouteGroup.Access, v["Api__RouteGroups"]!.GetValue<string>());
        Assert.Contains("AccessTable", v["Access__TableName"].Text());
        Assert.Contains("AccessHmacKey", v["Access__HmacKeyId"].Text());
        Assert.Null(v[WebAdapter.PassThroughPathVariable]);
    }

    [Fact]
    public void The_authorizer_may_read_key_records_only_and_make_MACs()
    {
        var statements = Statements("AccessAuthorizer");
        var dynamo = Assert.Single(DynamoStatements(statements));
        Assert.Equal("\"dynamodb:GetItem\"", dynamo["Action"].Text());
        Assert.Equal([AccessLayout.KeyItems], LeadingKeys(dynamo));
        var mac = statements.Single(s => s["Action"].Text().Contains("kms:GenerateMac"));
        Assert.Contains("AccessHmacKey", mac["Resource"].Text());
        Assert.DoesNotContain(statements, s => s["Action"].Text().Contains("kms:VerifyMac"));
    }

    [Fact]
    public void The_inference_functions_may_count_in_team_and_usage_items_and_never_read_keys()
    {
        foreach (var function in new[] { "KeysBuffered", "KeysStreaming", "IamBuffered", "IamStreaming" })
        {
            var dynamo = Assert.Single(DynamoStatements(Statements(function)));
            Assert.Equal([AccessLayout.TeamItems, AccessLayout.UsageItems], LeadingKeys(dynamo));
            Assert.DoesNotContain("Scan", dynamo["Action"].Text());
            Assert.DoesNotContain(Statements(function), s => s["Action"].Text().Contains("kms:GenerateMac"));
        }
    }

    [Fact]
    public void The_table_key_is_usable_through_DynamoDB_only()
    {
        foreach (var function in new[] { "AccessAuthorizer", "AccessAdmin", "KeysBuffered" })
        {
            var key = Statements(function).Single(s => s["Action"].Text().Contains("kms:Decrypt"));
            Assert.Contains("dynamodb.", key["Condition"]!["StringEquals"]!["kms:ViaService"].Text());
            Assert.Contains("AWS::Region", key["Condition"]!["StringEquals"]!["kms:ViaService"].Text());
        }
    }

    [Fact]
    public void The_admin_function_may_manage_the_whole_table()
    {
        var dynamo = Assert.Single(DynamoStatements(Statements("AccessAdmin")));
        Assert.Empty(LeadingKeys(dynamo));
        foreach (var action in new[] { "PutItem", "UpdateItem", "Scan", "Query", "GetItem" }) Assert.Contains("dynamodb:" + action, dynamo["Action"].Text());
    }

    [Fact]
    public void One_TeamAccess_serves_both_APIs_from_one_table()
    {
        Assert.Single(T.Resources("AWS::DynamoDB::Table"));
        Assert.Same(t.Access, t.Keys.TeamAccess);
        Assert.Same(t.Access, t.Iam.TeamAccess);
        foreach (var api in new[] { "KeysBuffered", "IamStreaming" }) Assert.Contains("AccessTable", Variables(api)["Access__TableName"].Text());
    }

    [Fact]
    public void The_inference_functions_get_the_callers_teams()
    {
        var v = Variables("IamBuffered");
        Assert.Equal(TeamAccessTemplate.CallerRole, v["Access__CallerTeams__0__Caller"]!.GetValue<string>());
        Assert.Equal("research", v["Access__CallerTeams__0__Team"]!.GetValue<string>());
        Assert.Null(Variables("KeysBuffered")["Access__CallerTeams__0__Caller"]);
        // An environment-agnostic stack has no region to price in: no dollars rather than a guessed price.
        Assert.Null(v["Inference__Models__0__HourlyUsd"]);
    }

    [Theory]
    [InlineData("real-time", 1)]
    [InlineData("inference components", 4)]
    public void A_models_hourly_GPU_price_is_its_instance_or_its_copys_share_of_one_in_the_stacks_region(string hosting, int copiesPerInstance)
    {
        var stack = new Stack(new App(), "Priced", new StackProps { Env = new Amazon.CDK.Environment { Account = "111122223333", Region = "us-east-1" } });
        var platform = new ModelPlatform(stack, "Platform");
        var llm = new GpuModelEndpoint(stack, "Llm", new GpuModelEndpointProps
        {
            Platform = platform,
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            Hosting = hosting == "real-time"
                ? new RealTimeHosting { InstanceType = "ml.g5.12xlarge", MinInstances = 1, MaxInstances = 2 }
                : new InferenceComponentHosting { InstanceType = "ml.g5.12xlarge", MaxInstances = 2, MemoryPerCopy = Size.Gibibytes(16), AcceleratorsPerCopy = 1 },
        });
        var access = new TeamAccess(stack, "Access", new TeamAccessProps { Platform = platform, HandlerDirectory = FakeHandlerCode.Directory });
        new InferenceApi(stack, "Api", new InferenceApiProps
        {
            Platform = platform, HandlerDirectory = FakeHandlerCode.Directory, Models = [new InferenceModel { Endpoint = llm, Name = "llm" }], TeamAccess = access,
        });
        var v = Template.FromStack(stack).Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiBufferedFunction")).Value["Properties"]!["Environment"]!["Variables"]!;
        var instance = PriceTable.Default.Get("us-east-1", PriceTable.SageMakerHosting, "ml.g5.12xlarge").Usd;
        Assert.Equal(instance / copiesPerInstance, double.Parse(v["Inference__Models__0__HourlyUsd"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), 3);
    }

    [Fact]
    public void The_admin_routes_are_on_each_API_under_IAM_and_reach_the_admin_function()
    {
        var adminRoutes = Routes.All.Where(r => r.Group == RouteGroup.Access && r.OnApiGateway).ToList();
        var methods = T.Resources("AWS::ApiGateway::Method").Select(m => m.Value["Properties"]!).ToList();
        var admin = methods.Where(m => m["Integration"].Text().Contains("AccessAdminFunction")).ToList();
        Assert.Equal(adminRoutes.Count * 2, admin.Count);
        Assert.All(admin, m => Assert.Equal("AWS_IAM", m["AuthorizationType"]!.GetValue<string>()));
    }

    [Fact]
    public void Budget_alarms_at_80_and_100_percent_watch_every_team_on_the_alarm_topic()
    {
        var alarms = T.Resources("AWS::CloudWatch::Alarm").Where(a => a.Key.Contains("TeamBudgetAlarms")).Select(a => a.Value["Properties"]!).ToList();
        Assert.Equal(4, alarms.Count); // two per API with team access
        Assert.Equal([80.0, 80, 100, 100], alarms.Select(a => a["Threshold"]!.GetValue<double>()).Order());
        foreach (var alarm in alarms)
        {
            var query = Assert.Single(alarm["Metrics"]!.AsArray())!;
            var expression = query["Expression"]!.GetValue<string>();
            Assert.StartsWith($"SELECT MAX({TeamBudgetAlarms.BudgetUsedPercentMetric}) FROM SCHEMA(\"{HandlerMetrics.Inference.Namespace}\", Api, Team)", expression);
            Assert.Contains("GROUP BY Team ORDER BY MAX() DESC", expression); // a multi-time-series alarm: one contributor per team
            Assert.Equal("GreaterThanOrEqualToThreshold", alarm["ComparisonOperator"]!.GetValue<string>());
            Assert.Contains("PlatformAlarmsTopic", alarm["AlarmActions"].Text());
        }
        Assert.Contains(alarms, a => a["Metrics"]![0]!["Expression"]!.GetValue<string>().Contains($"Api = '{t.Keys.RestApi.ApiName}'"));
    }
}

[Collection(TeamAccessTemplate.Collection)]
public class KeyModeTests(TeamAccessTemplate t)
{
    private Template T => t.T;

    private List<JsonNode> ModelMethods(string api) => T.Resources("AWS::ApiGateway::Method")
        .Where(m => m.Key.StartsWith(api + "Api") && !m.Value["Properties"]!["Integration"].Text().Contains("AccessAdminFunction")).Select(m => m.Value["Properties"]!).ToList();

    [Fact]
    public void Every_model_method_of_a_key_API_is_authorized_by_the_TeamAccess_authorizer()
    {
        var methods = ModelMethods("Keys");
        Assert.NotEmpty(methods);
        Assert.All(methods, m =>
        {
            Assert.Equal("CUSTOM", m["AuthorizationType"]!.GetValue<string>());
            Assert.Contains("KeysApiKeyAuthorizer", m["AuthorizerId"].Text());
            Assert.Null(m["ApiKeyRequired"]);
        });
        Assert.Empty(T.Resources("AWS::ApiGateway::UsagePlan"));
        Assert.Empty(T.Resources("AWS::ApiGateway::ApiKey"));
    }

    [Fact]
    public void No_method_carries_an_APIG4_exemption()
    {
        Assert.All(T.Resources("AWS::ApiGateway::Method"), m => Assert.DoesNotContain("AwsSolutions-APIG4", m.Value["Metadata"].Text()));
    }

    [Fact]
    public void Keys_in_Authorization_are_cached_by_the_gateway_for_the_key_cache_TTL()
    {
        var authorizer = Assert.Single(T.Resources("AWS::ApiGateway::Authorizer")).Value["Properties"]!;
        Assert.Equal("REQUEST", authorizer["Type"]!.GetValue<string>());
        Assert.Equal("method.request.header.Authorization", authorizer["IdentitySource"]!.GetValue<string>());
        Assert.Equal(60, authorizer["AuthorizerResultTtlInSeconds"]!.GetValue<int>());
        Assert.Contains("AccessAuthorizerFunction", authorizer["AuthorizerUri"].Text());
    }

    [Fact]
    public void Refused_and_missing_keys_are_answered_with_401_problem_documents()
    {
        var responses = T.Resources("AWS::ApiGateway::GatewayResponse").Select(r => r.Value["Properties"]!).ToList();
        Assert.Equal(["ACCESS_DENIED", "UNAUTHORIZED"], responses.Select(r => r["ResponseType"]!.GetValue<string>()).Order());
        foreach (var response in responses)
        {
            Assert.Equal("401", response["StatusCode"]!.GetValue<string>());
            Assert.Equal("'application/problem+json'", response["ResponseParameters"]!["gatewayresponse.header.Content-Type"]!.GetValue<string>());
            var body = JsonNode.Parse(response["ResponseTemplates"]!["application/json"]!.GetValue<string>())!;
            Assert.Equal(401, body["status"]!.GetValue<int>());
            Assert.StartsWith("https://awsmodelplatform.dev/problems/", body["type"]!.GetValue<string>());
        }
        var denied = responses.Single(r => r["ResponseType"]!.GetValue<string>() == "ACCESS_DENIED");
        Assert.Contains("$context.authorizer.detail", denied["ResponseTemplates"].Text()); // the authorizer's reason
    }

    [Fact]
    public void Keys_also_in_x_api_key_turn_the_gateway_cache_off_and_the_authorizers_own_cache_on()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var access = new TeamAccess(stack, "Access", new TeamAccessProps { Platform = platform, HandlerDirectory = FakeHandlerCode.Directory, KeyCacheTtl = Duration.Seconds(30) });
        new InferenceApi(stack, "Api", new InferenceApiProps
        {
            Platform = platform, HandlerDirectory = FakeHandlerCode.Directory,
            Models = [new InferenceModel { Endpoint = GpuModelEndpoint.FromEndpointName(stack, "Imported", "shared-llm") }],
            Authorization = ApiAuthorization.ApiKeys(access, new ApiKeyOptions { AcceptXApiKey = true }),
        });
        var template = Template.FromStack(stack);
        var authorizer = Assert.Single(template.Resources("AWS::ApiGateway::Authorizer")).Value["Properties"]!;
        Assert.Equal(0, authorizer["AuthorizerResultTtlInSeconds"]!.GetValue<int>());
        Assert.True(authorizer["IdentitySource"] is null || authorizer["IdentitySource"]!.GetValue<string>() == "");
        var variables = template.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("AccessAuthorizerFunction")).Value["Properties"]!["Environment"]!["Variables"]!;
        Assert.Equal("30", variables["Access__KeyCacheSeconds"]!.GetValue<string>());
        // An imported endpoint has no instance type the library knows: no price, so no dollars are counted for it.
        var buffered = template.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiBufferedFunction")).Value["Properties"]!["Environment"]!["Variables"]!;
        Assert.Null(buffered["Inference__Models__0__HourlyUsd"]);
    }

    [Fact]
    public void An_IAM_API_without_team_access_writes_no_access_settings()
    {
        var stack = Synth.NewStack();
        new InferenceApi(stack, "Api", new InferenceApiProps
        {
            HandlerDirectory = FakeHandlerCode.Directory,
            Models = [new InferenceModel { Endpoint = GpuModelEndpoint.FromEndpointName(stack, "Imported", "shared-llm") }],
        });
        var template = Template.FromStack(stack);
        Assert.DoesNotContain("Access__", template.Json().ToJsonString());
        Assert.Empty(template.Resources("AWS::DynamoDB::Table"));
    }
}

public class TeamAccessValidationTests
{
    private static string Error(Func<Stack, InferenceApiProps> props) => Synth.ErrorOf(() =>
    {
        var stack = Synth.NewStack();
        new InferenceApi(stack, "Api", props(stack));
    });

    private static InferenceApiProps Base(Stack stack) => new()
    {
        HandlerDirectory = FakeHandlerCode.Directory,
        Models = [new InferenceModel { Endpoint = GpuModelEndpoint.FromEndpointName(stack, "Imported", "shared-llm") }],
    };

    [Fact]
    public void Caller_teams_without_team_access_fail_naming_the_prop()
    {
        var error = Error(s => Base(s) with { CallerTeams = new Dictionary<string, string> { [TeamAccessTemplate.CallerRole] = "research" } });
        Assert.Contains("CallerTeams", error);
        Assert.Contains("TeamAccess", error);
    }

    [Fact]
    public void A_caller_that_is_neither_an_IAM_ARN_nor_a_Cognito_group_fails()
    {
        var error = Error(s =>
        {
            var platform = new ModelPlatform(s, "Platform");
            return Base(s) with
            {
                Platform = platform,
                TeamAccess = new TeamAccess(s, "Access", new TeamAccessProps { Platform = platform, HandlerDirectory = FakeHandlerCode.Directory }),
                CallerTeams = new Dictionary<string, string> { ["research-role"] = "research" },
            };
        });
        Assert.Contains("'research-role'", error);
        Assert.Contains("cognito-group:name", error);
    }

    [Fact]
    public void A_key_cache_TTL_over_an_hour_fails()
    {
        var error = Synth.ErrorOf(() => new TeamAccess(Synth.NewStack(), "Access", new TeamAccessProps { HandlerDirectory = FakeHandlerCode.Directory, KeyCacheTtl = Duration.Hours(2) }));
        Assert.Contains("KeyCacheTtl", error);
    }
}
