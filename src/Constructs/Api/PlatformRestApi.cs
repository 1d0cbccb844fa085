using Amazon.CDK.AWS.APIGateway;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.WAFv2;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>Properties of <see cref="PlatformRestApi"/>.</summary>
public sealed record PlatformRestApiProps
{
    /// <summary>The platform whose key, network, topic and dashboard the API uses.</summary>
    public required IModelPlatform Platform { get; init; }

    /// <summary>
    /// Name shown in alarm descriptions and the dashboard. The API's own name is <c>{platform prefix}-{Name}</c>: it
    /// is the <c>ApiName</c> dimension of API Gateway's metrics, so two platforms in one account and region (dev and
    /// prod, say) keep their alarms apart.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>Who may call the API.</summary>
    /// <remarks>Default: <see cref="ApiAuthorization.Iam"/>: SigV4-signed calls by AWS principals granted <c>execute-api:Invoke</c>.</remarks>
    public ApiAuthorization? Authorization { get; init; }

    /// <summary>Whether the API is private: reachable only through an <c>execute-api</c> VPC endpoint of the platform's VPC, enforced by the resource policy.</summary>
    /// <remarks>Default: false (regional).</remarks>
    public bool Private { get; init; }

    /// <summary>Steady requests per second the stage accepts (all callers together).</summary>
    /// <remarks>Default: 50: a GPU endpoint serves tens of requests per second; more is a runaway client.</remarks>
    public double ThrottlingRateLimit { get; init; } = 50;

    /// <summary>Burst the stage accepts.</summary>
    /// <remarks>Default: 100.</remarks>
    public int ThrottlingBurstLimit { get; init; } = 100;

    /// <summary>Whether a WAF web ACL with AWS managed rule groups and a per-IP rate limit protects the stage.</summary>
    /// <remarks>Default: true (opt-out, not opt-in).</remarks>
    public bool Waf { get; init; } = true;

    /// <summary>Requests per 5 minutes one IP address may make before WAF blocks it.</summary>
    /// <remarks>Default: 3000 (10 per second sustained).</remarks>
    public int WafRateLimitPer5Minutes { get; init; } = 3000;

    /// <summary>
    /// Smallest response API Gateway compresses when the client accepts it (whole bytes, 0 to 10 MiB). API Gateway supports no content
    /// encoding with response streaming (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html):
    /// a value set here and a streaming route (<see cref="PlatformRestApi.AddRoute(string, string, HandlerFunction, InvokeMode, IModel?)"/>) on the same API fail synthesis.
    /// </summary>
    /// <remarks>Default: <see cref="PlatformRestApi.DefaultMinCompressionSize"/> (1 KiB: JSON bodies compress well; smaller ones
    /// are not worth the CPU) while the API has no streaming route; none once it has one.</remarks>
    public Size? MinCompressionSize { get; init; }

    /// <summary>Requests per 5 minutes (all callers) above which the request-volume alarm fires: a runaway client shows here before it shows on the bill.</summary>
    /// <remarks>Default: 60 % of the stage throttling limit over 5 minutes.</remarks>
    public double? RequestVolumeAlarmPer5Minutes { get; init; }
}

/// <summary>
/// The platform's REST API: regional (or private), IAM auth on every method by default (or Cognito, or API keys
/// checked by a <see cref="Access.TeamAccess"/> authorizer), request validation, stage throttling, JSON access logs to an encrypted log group, execution
/// logs without payloads, X-Ray, a WAF web ACL, compression (unless it has streaming routes), binary pass-through,
/// and alarms on 5xx, 4xx, p99 latency and request volume. Routes go to <see cref="HandlerFunction"/>s, buffered or streamed.
/// </summary>
public sealed class PlatformRestApi : Construct
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private ConstructChecks Check => Validate.Of(this);

    private readonly ApiAuthorization _authorization;
    private readonly RequestValidator _validator;
    private readonly bool _compressionAsked;

    /// <summary>The compression threshold of an API without streaming routes, unless <see cref="PlatformRestApiProps.MinCompressionSize"/> says otherwise.</summary>
    public static Size DefaultMinCompressionSize => Size.Bytes(1024);
    private readonly IAuthorizer? _cognito;
    private readonly IAuthorizer? _keys;
    private readonly HashSet<Access.TeamAccess> _adminRoutesOf = new();
    private readonly string[] _scopes = Array.Empty<string>();

    /// <summary>The name of the API's one stage.</summary>
    public const string StageName = "live";

    /// <summary>The REST API.</summary>
    public RestApi Api { get; }

    /// <summary>
    /// The REST API's name, <c>{platform prefix}-{Name}</c> (<see cref="NameOf"/>): API Gateway's <c>ApiName</c>
    /// dimension and the <c>Api</c> dimension of the handlers' EMF metrics.
    /// </summary>
    public string ApiName { get; }

    /// <summary>
    /// The name a <see cref="PlatformRestApi"/> called <paramref name="name"/> on <paramref name="platform"/> gets: known
    /// before the API exists, so its handlers' configuration (<c>Api__Name</c>) can carry it.
    /// </summary>
    public static string NameOf(IModelPlatform platform, string name) => $"{platform.NamePrefix}-{name}";

    /// <summary>The log group API Gateway writes the stage's execution logs to (<c>API-Gateway-Execution-Logs_{restApiId}/live</c>), created in the template so it is encrypted and expires.</summary>
    public ILogGroup ExecutionLogs { get; }

    /// <summary>The stage's alarms, on the platform's alarm topic.</summary>
    public RestApiAlarms Alarms { get; }

    /// <summary>The URL of the stage, ending in <c>/</c>.</summary>
    public string Url => Api.Url;

    /// <summary>
    /// The log group the web ACL writes to (<c>aws-waf-logs-{ApiName}-{restApiId}</c>, the prefix WAF requires), encrypted
    /// with the platform key: requests WAF blocked, counted or challenged, with credentials redacted. Null without WAF.
    /// </summary>
    public ILogGroup? WafLogs { get; }

    /// <summary>The request headers whose values the WAF logs never hold: credentials of every authorization mode, and cookies.</summary>
    public static IReadOnlyList<string> WafRedactedHeaders { get; } = new[] { "authorization", "x-api-key", "x-amz-security-token", "cookie" };

    /// <summary>Creates the API, its stage, logs, WAF and alarms; add routes with <see cref="AddRoute(string, string, HandlerFunction, InvokeMode, IModel?)"/>.</summary>
    public PlatformRestApi(Construct scope, string id, PlatformRestApiProps props) : base(scope, id)
    {
        var platform = props.Platform;
        _authorization = props.Authorization ?? ApiAuthorization.Iam();
        Check.That(props.ThrottlingRateLimit > 0 && props.ThrottlingBurstLimit > 0,
            $"PlatformRestApiProps: ThrottlingRateLimit = {props.ThrottlingRateLimit} and ThrottlingBurstLimit = {props.ThrottlingBurstLimit} must both be more than 0.");
        var compressionBytes = Check.WholeBytes(props.MinCompressionSize ?? DefaultMinCompressionSize, 0, 10_485_760,
            "PlatformRestApiProps.MinCompressionSize", "API Gateway compresses bodies of 0 to 10 MiB");
        _compressionAsked = props.MinCompressionSize is not null;
        Check.InRange(props.WafRateLimitPer5Minutes, 10, 2_000_000_000, "PlatformRestApiProps.WafRateLimitPer5Minutes", "WAF rate-based rules take 10 to 2,000,000,000");

        var accountLogging = ApiGatewayAccountLogging.Ensure(platform, this);
        var accessLogs = LogGroupDefaults.Create(this, "AccessLogs", platform.Key, platform.LogRetention, platform.RemovalPolicy);

        InterfaceVpcEndpoint? endpoint = null;
        if (props.Private)
            endpoint = platform.Network.Vpc.AddInterfaceEndpoint(id + "ExecuteApi", new InterfaceVpcEndpointOptions
            {
                Service = InterfaceVpcEndpointAwsService.APIGATEWAY,
                Subnets = platform.Network.WorkloadSubnets,
                // The platform's endpoint group, which admits 443 from the VPC's CIDR already (and names it as a literal a
                // template check can read); an imported network's endpoint gets a group of its own, open to the VPC.
                SecurityGroups = platform.Network is PlatformNetwork network ? new ISecurityGroup[] { network.EndpointSecurityGroup } : null,
                Open = platform.Network is not PlatformNetwork,
                PrivateDnsEnabled = true,
            });

        Api = new RestApi(this, "Api", new RestApiProps
        {
            RestApiName = ApiName = NameOf(props.Platform, props.Name),
            Description = $"AwsModelPlatform {props.Name}",
            EndpointConfiguration = new EndpointConfiguration
            {
                Types = new[] { props.Private ? EndpointType.PRIVATE : EndpointType.REGIONAL },
                VpcEndpoints = endpoint is null ? null : new IVpcEndpoint[] { endpoint },
            },
            Policy = endpoint is null ? null : PrivatePolicy(endpoint),
            CloudWatchRole = false,
            MinCompressionSize = Size.Bytes(compressionBytes),
            // Raw model payloads (audio, images, tensors) pass through untouched; the adapter decodes base64 bodies.
            BinaryMediaTypes = new[] { "*/*" },
            DisableExecuteApiEndpoint = false,
            DeployOptions = new StageOptions
            {
                StageName = StageName,
                ThrottlingRateLimit = props.ThrottlingRateLimit,
                ThrottlingBurstLimit = props.ThrottlingBurstLimit,
                TracingEnabled = true,
                MetricsEnabled = true,
                LoggingLevel = MethodLoggingLevel.ERROR,
                DataTraceEnabled = false, // never log payloads
                AccessLogDestination = new LogGroupLogDestination(accessLogs),
                AccessLogFormat = AccessLogFormat.JsonWithStandardFields(new JsonWithStandardFieldProps
                {
                    Caller = true, HttpMethod = true, Ip = true, Protocol = true, RequestTime = true,
                    ResourcePath = true, ResponseLength = true, Status = true, User = true,
                }),
            },
        });
        Api.DeploymentStage.Node.AddDependency(accountLogging);
        // With LoggingLevel set, API Gateway creates the execution log group itself, unencrypted and kept forever,
        // unless it already exists: create it first, under the name API Gateway uses, with the platform's key and retention.
        ExecutionLogs = LogGroupDefaults.Create(this, "ExecutionLogs", platform.Key, platform.LogRetention, platform.RemovalPolicy,
            logGroupName: $"API-Gateway-Execution-Logs_{Api.RestApiId}/{StageName}");
        Api.DeploymentStage.Node.AddDependency(ExecutionLogs);
        _validator = new RequestValidator(this, "Validator", new RequestValidatorProps
        {
            RestApi = Api,
            ValidateRequestBody = true,
            ValidateRequestParameters = true,
        });

        switch (_authorization)
        {
            case ApiAuthorization.CognitoAuthorization cognito:
                Check.That(cognito.UserPools.Length > 0, "ApiAuthorization.Cognito needs at least one user pool.");
                _cognito = new CognitoUserPoolsAuthorizer(this, "Authorizer", new CognitoUserPoolsAuthorizerProps { CognitoUserPools = cognito.UserPools });
                _scopes = cognito.Scopes;
                break;
            case ApiAuthorization.ApiKeyAuthorization keys:
                _keys = KeyAuthorization.Create(this, Api, keys);
                AddAdminRoutes(keys.Access);
                break;
        }
        if (props.Waf) WafLogs = CreateWaf(props);
        SuppressStageFindings(props);
        Alarms = CreateAlarms(props);
    }

    /// <summary>
    /// Routes <paramref name="httpMethod"/> <paramref name="path"/> (e.g. <c>/v1/endpoints/{model}/invocations</c>) to
    /// <paramref name="handler"/>. A streaming handler gets a Lambda proxy integration with <c>ResponseTransferMode: STREAM</c>
    /// through the <c>response-streaming-invocations</c> URI and a 15-minute timeout.
    /// </summary>
    public Method AddRoute(string httpMethod, string path, HandlerFunction handler, InvokeMode mode, IModel? jsonBody = null) =>
        AddRoute(httpMethod, path, handler, mode, jsonBody, _authorization);

    private Method AddRoute(string httpMethod, string path, HandlerFunction handler, InvokeMode mode, IModel? jsonBody, ApiAuthorization authorization)
    {
        var resource = path.Trim('/').Split('/').Aggregate(Api.Root, (parent, part) => parent.GetResource(part) ?? parent.AddResource(part));
        var pathParameters = path.Split('/').Where(p => p.StartsWith('{')).Select(p => p.Trim('{', '}', '+'));
        var method = resource.AddMethod(httpMethod, new LambdaIntegration(handler.Function, new LambdaIntegrationOptions { Proxy = true }), new MethodOptions
        {
            AuthorizationType = authorization switch
            {
                ApiAuthorization.CognitoAuthorization => AuthorizationType.COGNITO,
                ApiAuthorization.ApiKeyAuthorization => AuthorizationType.CUSTOM,
                _ => AuthorizationType.IAM,
            },
            Authorizer = authorization switch
            {
                ApiAuthorization.CognitoAuthorization => _cognito,
                ApiAuthorization.ApiKeyAuthorization => _keys,
                _ => null,
            },
            AuthorizationScopes = authorization is ApiAuthorization.CognitoAuthorization && _scopes.Length > 0 ? _scopes : null,
            RequestValidator = _validator,
            RequestParameters = pathParameters.ToDictionary(p => $"method.request.path.{p}", _ => true),
            RequestModels = jsonBody is null ? null : new Dictionary<string, IModel> { ["application/json"] = jsonBody },
        });
        SuppressAuthorizationFindings(method, authorization);
        if (mode == InvokeMode.ResponseStream)
        {
            // API Gateway supports no content encoding with response streaming, and compression is set for the whole API.
            Check.That(!_compressionAsked,
                $"{httpMethod} {path} streams its response (ResponseTransferMode STREAM), and API Gateway supports no content encoding with response streaming " +
                "(https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html), while MinCompressionSize turns compression on for the whole API. " +
                "Leave PlatformRestApiProps.MinCompressionSize unset for an API with streaming routes.");
            ((CfnRestApi)Api.Node.DefaultChild!).MinimumCompressionSize = null;
            var cfn = (CfnMethod)method.Node.DefaultChild!;
            var stack = Stack.Of(this);
            cfn.AddPropertyOverride("Integration.ResponseTransferMode", "STREAM");
            cfn.AddPropertyOverride("Integration.TimeoutInMillis", 900_000);
            cfn.AddPropertyOverride("Integration.Uri", Fn.Join("", new[]
            {
                $"arn:{stack.Partition}:apigateway:{stack.Region}:lambda:path/2021-11-15/functions/", handler.Function.FunctionArn, "/response-streaming-invocations",
            }));
        }
        return method;
    }

    /// <summary>
    /// Creates the API Gateway method of <paramref name="route"/> (the route table's), on <paramref name="handler"/>,
    /// whose invoke mode must be the route's transfer.
    /// </summary>
    internal Method AddRoute(ApiRoute route, HandlerFunction handler, IModel? jsonBody = null)
    {
        Check.That(route.OnApiGateway, $"{route} is not a route of API Gateway.");
        Check.That(handler.InvokeMode.Transfer() == route.Transfer,
            $"{route} is a {route.Transfer} route, and function {handler.Node.Path} is {handler.InvokeMode}; route it to a function of its mode.");
        return AddRoute(route.Method, route.Path, handler, handler.InvokeMode, jsonBody);
    }

    /// <summary>
    /// Routes the admin routes of <paramref name="access"/> (keys and teams, the handler's <c>access</c> route group) to its
    /// admin function, under IAM whatever the API's mode: only principals granted <c>execute-api:Invoke</c> on them manage
    /// keys. Once per <see cref="Access.TeamAccess"/>.
    /// </summary>
    internal void AddAdminRoutes(Access.TeamAccess access)
    {
        if (!_adminRoutesOf.Add(access)) return;
        Check.That(_adminRoutesOf.Count == 1, "An API serves the admin routes of one TeamAccess; give each API one TeamAccess.");
        foreach (var route in Routes.Served([RouteGroup.Access], Transfer.Buffered).Where(r => r.Group == RouteGroup.Access && r.OnApiGateway))
            AddRoute(route.Method, route.Path, access.Admin, InvokeMode.Buffered, null, ApiAuthorization.Iam());
    }

    // "/v1/admin/": the path every admin route of the route table starts with.
    private static string AdminPathPrefix => Routes.CreateApiKey.Path[..(Routes.CreateApiKey.Path.LastIndexOf('/') + 1)];

    /// <summary>Lets <paramref name="grantee"/> call the admin routes (keys and teams) of this API.</summary>
    public Grant GrantAdmin(IGrantable grantee) => Grant.AddToPrincipal(new GrantOnPrincipalOptions
    {
        Grantee = grantee,
        Actions = new[] { "execute-api:Invoke" },
        ResourceArns = new[] { Api.ArnForExecuteApi("*", AdminPathPrefix + "*", Api.DeploymentStage.StageName) },
    });

    /// <summary>
    /// Records on the API resource the EMF custom metrics its handlers write once it has traffic: <paramref name="metrics"/>
    /// in all, plus <paramref name="metricsPerTeam"/> for each team that calls it. They bill without a resource of their
    /// own, so the cost reports price them from this record and the usage profile's teams.
    /// </summary>
    public void RecordCustomMetrics(int metrics, string basis, int metricsPerTeam = 0, string perTeamBasis = "") =>
        ((Amazon.CDK.CfnResource)Api.Node.DefaultChild!).AddMetadata(CostMetadata.CustomMetricsKey,
            new CustomMetricsRecord(metrics, basis, metricsPerTeam, perTeamBasis).ToMetadata());

    /// <summary>
    /// A metric this API's handlers write as EMF in <paramref name="namespace"/>: dimensions <c>Api</c>
    /// (<see cref="ApiName"/>, so never another deployment's) and <paramref name="dimension"/> = <paramref name="value"/>;
    /// <paramref name="statistic"/> over 5 minutes unless <paramref name="props"/> say otherwise.
    /// </summary>
    public Metric HandlerMetric(string @namespace, string metricName, string dimension, string value, string statistic, IMetricOptions? props = null) => new(new MetricProps
    {
        Namespace = @namespace,
        MetricName = metricName,
        DimensionsMap = new Dictionary<string, string> { [HandlerMetrics.Api] = ApiName, [dimension] = value },
        Statistic = props?.Statistic ?? statistic,
        Period = props?.Period ?? Duration.Minutes(5),
        Label = props?.Label,
    });

    /// <summary>
    /// <paramref name="metric"/> of <paramref name="set"/> (the handler's metric catalog), written by this API's handlers
    /// with the set's dimension after <c>Api</c> = <paramref name="value"/>; the metric's statistic over 5 minutes unless
    /// <paramref name="props"/> say otherwise.
    /// </summary>
    internal Metric HandlerMetric(HandlerMetricSet set, string metric, string value, IMetricOptions? props = null)
    {
        var m = set[metric];
        return HandlerMetric(set.Namespace, m.Name, set.Dimension, value, m.Statistic, props);
    }

    /// <summary>Lets <paramref name="grantee"/> call every route (IAM authorization).</summary>
    public Grant GrantInvoke(IGrantable grantee) => Grant.AddToPrincipal(new GrantOnPrincipalOptions
    {
        Grantee = grantee,
        Actions = new[] { "execute-api:Invoke" },
        ResourceArns = new[] { Api.ArnForExecuteApi("*", "/*", Api.DeploymentStage.StageName) },
    });

    /// <summary>5xx responses.</summary>
    public Metric MetricServerErrors(IMetricOptions? props = null) => Api.MetricServerError(props ?? new MetricOptions { Statistic = "Sum" });
    /// <summary>4xx responses.</summary>
    public Metric MetricClientErrors(IMetricOptions? props = null) => Api.MetricClientError(props ?? new MetricOptions { Statistic = "Sum" });
    /// <summary>Requests.</summary>
    public Metric MetricRequests(IMetricOptions? props = null) => Api.MetricCount(props ?? new MetricOptions { Statistic = "Sum" });
    /// <summary>End-to-end latency as API Gateway sees it.</summary>
    public Metric MetricLatency(IMetricOptions? props = null) => Api.MetricLatency(props ?? new MetricOptions { Statistic = "p99" });

    private static PolicyDocument PrivatePolicy(InterfaceVpcEndpoint endpoint) => new(new PolicyDocumentProps
    {
        Statements = new[]
        {
            new PolicyStatement(new PolicyStatementProps
            {
                Effect = Effect.DENY,
                Principals = new IPrincipal[] { new AnyPrincipal() },
                Actions = new[] { "execute-api:Invoke" },
                Resources = new[] { "execute-api:/*" },
                Conditions = new Dictionary<string, object>
                {
                    ["StringNotEquals"] = new Dictionary<string, object> { ["aws:SourceVpce"] = endpoint.VpcEndpointId },
                },
            }),
            new PolicyStatement(new PolicyStatementProps
            {
                Principals = new IPrincipal[] { new AnyPrincipal() },
                Actions = new[] { "execute-api:Invoke" },
                Resources = new[] { "execute-api:/*" },
            }),
        },
    });

    private ILogGroup CreateWaf(PlatformRestApiProps props)
    {
        CfnWebACL.RuleProperty Managed(string name, int priority, params string[] countOnly) => new()
        {
            Name = name,
            Priority = priority,
            OverrideAction = new CfnWebACL.OverrideActionProperty { None = new Dictionary<string, object>() },
            Statement = new CfnWebACL.StatementProperty
            {
                ManagedRuleGroupStatement = new CfnWebACL.ManagedRuleGroupStatementProperty
                {
                    VendorName = "AWS",
                    Name = name,
                    RuleActionOverrides = countOnly.Length == 0 ? null : countOnly.Select(rule => new CfnWebACL.RuleActionOverrideProperty
                    {
                        Name = rule,
                        ActionToUse = new CfnWebACL.RuleActionProperty { Count = new CfnWebACL.CountActionProperty() },
                    }).ToArray(),
                },
            },
            VisibilityConfig = Visibility(name),
        };
        var acl = new CfnWebACL(this, "WebAcl", new CfnWebACLProps
        {
            Scope = "REGIONAL",
            DefaultAction = new CfnWebACL.DefaultActionProperty { Allow = new CfnWebACL.AllowActionProperty() },
            VisibilityConfig = Visibility("api"),
            Rules = new object[]
            {
                new CfnWebACL.RuleProperty
                {
                    Name = "RatePerIp",
                    Priority = 0,
                    Action = new CfnWebACL.RuleActionProperty { Block = new CfnWebACL.BlockActionProperty() },
                    Statement = new CfnWebACL.StatementProperty
                    {
                        RateBasedStatement = new CfnWebACL.RateBasedStatementProperty { Limit = props.WafRateLimitPer5Minutes, AggregateKeyType = "IP" },
                    },
                    VisibilityConfig = Visibility("RatePerIp"),
                },
                Managed("AWSManagedRulesAmazonIpReputationList", 1),
                // Prompts and model payloads are routinely larger than the 8 KB this rule set allows in a body:
                // that one rule counts instead of blocking; the API's own limits (413) apply.
                Managed("AWSManagedRulesCommonRuleSet", 2, "SizeRestrictions_BODY"),
                Managed("AWSManagedRulesKnownBadInputsRuleSet", 3),
            },
        });
        _ = new CfnWebACLAssociation(this, "WebAclAssociation", new CfnWebACLAssociationProps
        {
            ResourceArn = Api.DeploymentStage.StageArn,
            WebAclArn = acl.AttrArn,
        });
        return CreateWafLogging(props.Platform, acl);

        static CfnWebACL.VisibilityConfigProperty Visibility(string name) => new()
        {
            CloudWatchMetricsEnabled = true,
            MetricName = name,
            SampledRequestsEnabled = true,
        };
    }

    // WAF logs to a CloudWatch Logs group whose name starts with aws-waf-logs- (WAF developer guide:
    // https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html), given by its ARN without the ":*"
    // suffix of the group's Arn attribute. The group is encrypted with the platform key like every other; WAF adds the
    // group's resource policy for log delivery itself when the logging configuration is created. Only SingleHeader,
    // UriPath, QueryString and Method can be redacted (API reference, LoggingConfiguration.RedactedFields:
    // https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html). Allowed requests are in the
    // stage's access log already: the web ACL logs what it blocked, counted or challenged.
    private ILogGroup CreateWafLogging(IModelPlatform platform, CfnWebACL acl)
    {
        var name = $"aws-waf-logs-{ApiName}-{Api.RestApiId}";
        var logs = LogGroupDefaults.Create(this, "WafLogs", platform.Key, platform.LogRetention, platform.RemovalPolicy, logGroupName: name);
        var stack = Stack.Of(this);
        var logging = new CfnLoggingConfiguration(this, "WafLogging", new CfnLoggingConfigurationProps
        {
            ResourceArn = acl.AttrArn,
            LogDestinationConfigs = new[] { $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:{name}" },
            RedactedFields = WafRedactedHeaders.Select(header => (object)new CfnLoggingConfiguration.FieldToMatchProperty
            {
                SingleHeader = new Dictionary<string, object> { ["Name"] = header },
            }).ToArray(),
            LoggingFilter = new Dictionary<string, object>
            {
                ["DefaultBehavior"] = "DROP",
                ["Filters"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Behavior"] = "KEEP",
                        ["Requirement"] = "MEETS_ANY",
                        ["Conditions"] = new[] { "BLOCK", "COUNT", "CAPTCHA", "CHALLENGE", "EXCLUDED_AS_COUNT" }
                            .Select(action => (object)new Dictionary<string, object> { ["ActionCondition"] = new Dictionary<string, object> { ["Action"] = action } }).ToArray(),
                    },
                },
            },
        });
        logging.Node.AddDependency(logs);
        return logs;
    }

    // NIST 800-53 R5 and HIPAA Security rules of the stage that do not fit an API in front of Lambda functions.
    private void SuppressStageFindings(PlatformRestApiProps props)
    {
        var stage = Api.DeploymentStage;
        Suppressions.AddCompliance(stage, "APIGWCacheEnabledAndEncrypted",
            "No stage cache on purpose: every answer is a model output or job state for one caller, and an API Gateway cache is keyed by the request parameters " +
            "chosen as cache keys, not by who is calling (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html): it could answer " +
            "one caller with another's output. A cache would also bill a cache cluster every hour.");
        Suppressions.AddCompliance(stage, "APIGWSSLEnabled",
            "A stage client certificate lets an HTTP backend verify that requests come from API Gateway " +
            "(https://docs.aws.amazon.com/apigateway/latest/developerguide/getting-started-client-side-ssl-authentication.html); every integration here is a Lambda " +
            "proxy, invoked through the Lambda API with the permission granted to this API alone. Callers reach the stage over TLS.");
        if (!props.Waf)
            Suppressions.Add(stage, "NIST.800.53.R5-APIGWAssociatedWithWAF",
                $"WAF was turned off for this API by the app (PlatformRestApiProps.Waf = false, {props.Name}); the platform's default is a web ACL with AWS managed rule groups and a per-IP rate limit.");
    }

    private RestApiAlarms CreateAlarms(PlatformRestApiProps props)
    {
        var topic = props.Platform.AlarmTopic;
        var fiveMinutes = Duration.Minutes(5);
        var volume = props.RequestVolumeAlarmPer5Minutes ?? props.ThrottlingRateLimit * 300 * 0.6;
        var alarms = new RestApiAlarms
        {
            ServerErrorRate = new MathExpression(new MathExpressionProps
            {
                Expression = "IF(requests >= 20, 100 * errors / requests, 0)",
                UsingMetrics = new Dictionary<string, IMetric>
                {
                    ["errors"] = MetricServerErrors(new MetricOptions { Statistic = "Sum", Period = fiveMinutes }),
                    ["requests"] = MetricRequests(new MetricOptions { Statistic = "Sum", Period = fiveMinutes }),
                },
                Period = fiveMinutes,
                Label = "5xx %",
            }).CreateAlarm(this, "ServerErrorRateAlarm", Alarm($"{props.Name}: more than 5 % of requests answered 5xx over 5 minutes (at least 20 requests).", 5)),
            LatencyP99 = MetricLatency(new MetricOptions { Statistic = "p99", Period = fiveMinutes }).CreateAlarm(this, "LatencyP99Alarm",
                Alarm($"{props.Name}: p99 latency above 20 s for 15 minutes (buffered routes time out at 29 s).", 20_000, periods: 3)),
            ClientErrorSpike = MetricClientErrors(new MetricOptions { Statistic = "Sum", Period = fiveMinutes }).CreateAlarm(this, "ClientErrorSpikeAlarm",
                Alarm($"{props.Name}: more than 500 4xx responses in 5 minutes: a client is misconfigured, unauthorized or probing.", 500)),
            RequestVolume = MetricRequests(new MetricOptions { Statistic = "Sum", Period = fiveMinutes }).CreateAlarm(this, "RequestVolumeAlarm",
                Alarm($"{props.Name}: more than {volume:0} requests in 5 minutes: a runaway client costs money before the monthly bill shows it.", volume)),
        };
        foreach (var alarm in alarms.All) topic.Notify(alarm);
        props.Platform.Dashboard.AddSection(this, $"API: {props.Name}",
            new GraphWidget(new GraphWidgetProps { Title = "Requests, 4xx, 5xx", Left = new IMetric[] { MetricRequests(), MetricClientErrors(), MetricServerErrors() }, Width = 12 }),
            new GraphWidget(new GraphWidgetProps { Title = "Latency p50 / p99", Left = new IMetric[] { MetricLatency(new MetricOptions { Statistic = "p50" }), MetricLatency() }, Width = 12 }));

        return alarms;

        static CreateAlarmOptions Alarm(string description, double threshold, int periods = 1) => new()
        {
            AlarmDescription = description,
            Threshold = threshold,
            EvaluationPeriods = periods,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        };
    }

    private static void SuppressAuthorizationFindings(Method method, ApiAuthorization authorization)
    {
        switch (authorization)
        {
            case ApiAuthorization.IamAuthorization:
                Suppressions.Add(method, "AwsSolutions-COG4",
                    "The method is authorized with AWS IAM (SigV4): callers are AWS principals granted execute-api:Invoke, a stronger check than a Cognito token.");
                break;
            case ApiAuthorization.ApiKeyAuthorization:
                Suppressions.Add(method, "AwsSolutions-COG4",
                    "The method is authorized by the platform's REQUEST Lambda authorizer, which checks the caller's API key (a keyed hash in the access table, " +
                    "revocable, expiring) and names its team, whose limits the handler enforces (docs/access.md); Cognito is another supported mode.");
                break;
        }
    }
}
