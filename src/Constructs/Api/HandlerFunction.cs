using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>How the AWS Lambda Web Adapter hands requests to the handler.</summary>
public enum InvokeMode
{
    /// <summary>The whole response is returned at once (sync, async and non-streamed routes).</summary>
    Buffered,

    /// <summary>The response is streamed as it is written (<c>AWS_LWA_INVOKE_MODE=response_stream</c>).</summary>
    ResponseStream,
}

internal static class InvokeModeExtensions
{
    /// <summary>The routes a function of this mode serves (the route table's <see cref="Contracts.Transfer"/>).</summary>
    public static Transfer Transfer(this InvokeMode mode) => mode == InvokeMode.ResponseStream ? Contracts.Transfer.Stream : Contracts.Transfer.Buffered;
}

/// <summary>Properties of <see cref="HandlerFunction"/>.</summary>
public sealed record HandlerFunctionProps
{
    /// <summary>The platform whose key, network and trail the function uses.</summary>
    public required IModelPlatform Platform { get; init; }

    /// <summary>Purpose of the function, part of its name (lowercase letters, digits, '-').</summary>
    public required string Purpose { get; init; }

    /// <summary>The handler's code.</summary>
    public required Code Code { get; init; }

    /// <summary>The handler's configuration (ASP.NET Core keys with <c>__</c>), on top of what every function gets.</summary>
    public required IReadOnlyDictionary<string, string> Configuration { get; init; }

    /// <summary>Buffered or response streaming.</summary>
    public InvokeMode InvokeMode { get; init; } = InvokeMode.Buffered;

    /// <summary>Instruction set of the code.</summary>
    /// <remarks>Default: x86_64, the type the build host produces; arm64 when the code was built for it.</remarks>
    public Architecture? Architecture { get; init; }

    /// <summary>Memory, in whole MiB from 128 MiB to 10,240 MiB.</summary>
    /// <remarks>
    /// Default: 512 MiB. Lambda bills memory × duration and a handler mostly waits on the model, so its bill follows its
    /// memory; at 512 MiB a warm request stays under a millisecond, a cold start takes 0.45 s instead of 0.20 s at 1 GiB, and
    /// the handler peaks under 50 MiB (docs/benchmarks.md, "Memory sizes"). Raise it for CPU-bound work or shorter cold starts.
    /// </remarks>
    public Size? Memory { get; init; }

    /// <summary>Timeout of one invocation, in whole seconds from 1 to 900.</summary>
    /// <remarks>Default: 60 for buffered (above the handler's own 60 s upstream deadline is pointless: API Gateway's integration limit is 29 s by default), 900 for streaming (token streams of long generations).</remarks>
    public Duration? Timeout { get; init; }

    /// <summary>Concurrent executions reserved for (and capping) the function.</summary>
    /// <remarks>Default: 100: protects the account's shared concurrency from a runaway client, and caps what the function can spend.</remarks>
    public int ReservedConcurrency { get; init; } = 100;

    /// <summary>Percentage of the reserved concurrency at which the concurrency alarm fires.</summary>
    /// <remarks>Default: 80: near the cap, the next burst is throttled (429 to clients); raise the cap or find the caller first.</remarks>
    public double ConcurrencyAlarmPercent { get; init; } = 80;

    /// <summary>The AWS Lambda Web Adapter layer.</summary>
    /// <remarks>Default: the layer AWS publishes in the stack's region (<see cref="WebAdapterLayers.Arn"/>), version <see cref="WebAdapterLayers.Version"/>: account 753240598075 in the commercial regions, a per-region account in China (x86_64 only); synthesis fails in a region with no published layer. Accounts that forbid third-party layers, and other partitions, publish the same adapter as their own layer and pass its ARN.</remarks>
    public string? WebAdapterLayerArn { get; init; }
}

/// <summary>
/// A handler function as the platform runs them: the AOT <c>bootstrap</c> on <c>provided.al2023</c> behind the AWS
/// Lambda Web Adapter (readiness on the handler's health route), in the platform's private subnets with its own security group
/// (HTTPS out only), environment encrypted with the platform key, an encrypted log group with bounded retention,
/// X-Ray active tracing, reserved concurrency, a role with no managed policies, and a name the trail logs.
/// </summary>
public sealed class HandlerFunction : Construct
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private ConstructChecks Check => Validate.Of(this);

    /// <summary>The published Lambda Web Adapter layer version the platform was tested with (<see cref="WebAdapterLayers.Version"/>).</summary>
    public const int WebAdapterLayerVersion = WebAdapterLayers.Version;

    /// <summary>The port the adapter forwards to and the handler listens on.</summary>
    public const int Port = WebAdapter.Port;


    /// <summary>The function.</summary>
    public Function Function { get; }

    /// <summary>The function's role.</summary>
    public Role Role { get; }

    /// <summary>The function's security group.</summary>
    public SecurityGroup SecurityGroup { get; }

    /// <summary>The function's log group.</summary>
    public LogGroup LogGroup { get; }

    /// <summary>The environment the function gets: the handler's configuration plus the adapter's settings.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The alarms the function created, by purpose (<c>Errors</c>, <c>Throttles</c>, <c>Concurrency</c>).</summary>
    public HandlerFunctionAlarms Alarms { get; }

    /// <summary>Concurrent executions reserved for the function (of the account's Lambda concurrency in its region).</summary>
    public int ReservedConcurrency { get; }

    /// <summary>How the adapter hands the function's responses to Lambda: which routes it serves.</summary>
    public InvokeMode InvokeMode { get; }

    /// <summary>Creates the function.</summary>
    public HandlerFunction(Construct scope, string id, HandlerFunctionProps props) : base(scope, id)
    {
        var platform = props.Platform;
        var memoryMiB = MemoryMiB(Check, props.Memory, "HandlerFunctionProps.Memory");
        Check.That(props.ReservedConcurrency >= 1, $"HandlerFunctionProps.ReservedConcurrency = {props.ReservedConcurrency} must be at least 1; 0 would turn the function off.");
        Check.That(props.ConcurrencyAlarmPercent is > 0 and <= 100, $"HandlerFunctionProps.ConcurrencyAlarmPercent = {props.ConcurrencyAlarmPercent} must be more than 0 and at most 100.");
        var timeout = props.Timeout ?? Duration.Seconds(props.InvokeMode == InvokeMode.ResponseStream ? 900 : 60);
        Check.WholeSeconds(timeout, 1, 900, "HandlerFunctionProps.Timeout");
        var architecture = props.Architecture ?? Architecture.X86_64;
        var name = PlatformNames.Function(platform, this, props.Purpose);

        LogGroup = LogGroupDefaults.Create(this, "Logs", platform.Key, platform.LogRetention, platform.RemovalPolicy);
        // The name is fixed so the log group can be made before the function: no log group Lambda creates on its own, unencrypted and kept forever.
        ((CfnLogGroup)LogGroup.Node.DefaultChild!).LogGroupName = $"/aws/lambda/{name}";

        Role = new Role(this, "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("lambda.amazonaws.com"),
            Description = $"Handler function {name}",
        });
        var basics = new Policy(this, "RolePolicy", new PolicyProps
        {
            Roles = new IRole[] { Role },
            Statements = new[]
            {
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "OwnLogs",
                    Actions = new[] { "logs:CreateLogStream", "logs:PutLogEvents" },
                    Resources = new[] { LogGroup.LogGroupArn },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "VpcNetworkInterfacesAndTraces",
                    Actions = new[]
                    {
                        "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
                        "xray:PutTraceSegments", "xray:PutTelemetryRecords",
                    },
                    Resources = new[] { "*" },
                }),
            },
        });
        Suppressions.Add(basics, "AwsSolutions-IAM5",
            "Lambda creates the function's VPC network interfaces and sends its X-Ray segments through these actions, none of which supports resource-level permissions (the same actions as AWSLambdaVPCAccessExecutionRole and AWSXRayDaemonWriteAccess, without the managed policies).",
            "Resource::*");

        SecurityGroup = new SecurityGroup(this, "SecurityGroup", new SecurityGroupProps
        {
            Vpc = platform.Network.Vpc,
            Description = $"Handler function {name}: HTTPS out to AWS endpoints only",
            AllowAllOutbound = false,
        });
        // Only HTTPS: the subnets have no internet route, so this reaches the VPC's interface and S3 gateway endpoints.
        SecurityGroup.AddEgressRule(Peer.AnyIpv4(), Amazon.CDK.AWS.EC2.Port.Tcp(443), "HTTPS to AWS APIs through the VPC endpoints");

        // The adapter's settings, the invoke mode among them: the handler serves the routes of that mode only.
        var environment = new Dictionary<string, string>(props.Configuration);
        foreach (var (key, value) in WebAdapter.Environment(props.InvokeMode.Transfer())) environment[key] = value;
        Environment = environment;

        Function = new Function(this, "Function", new FunctionProps
        {
            FunctionName = name,
            Runtime = Runtime.PROVIDED_AL2023,
            Handler = "bootstrap",
            Code = props.Code,
            Architecture = architecture,
            MemorySize = memoryMiB,
            Timeout = timeout,
            Role = Role,
            Layers = new[] { LayerVersion.FromLayerVersionArn(this, "WebAdapter", props.WebAdapterLayerArn ?? WebAdapterLayers.Arn(this, architecture)) },
            Environment = environment,
            EnvironmentEncryption = platform.Key.Key,
            Vpc = platform.Network.Vpc,
            VpcSubnets = platform.Network.WorkloadSubnets,
            SecurityGroups = new ISecurityGroup[] { SecurityGroup },
            ReservedConcurrentExecutions = props.ReservedConcurrency,
            LogGroup = LogGroup,
        });
        Function.Node.AddDependency(basics);
        ReservedConcurrency = props.ReservedConcurrency;
        InvokeMode = props.InvokeMode;
        // Every reservation comes out of the account's concurrency: the app says at synthesis how much it needs.
        ReservedConcurrencyCheck.ApplyOnce(this);
        // Active tracing set on the L1, so the X-Ray actions stay in the reasoned policy above instead of the
        // role's default policy, where later grants go and where a "*" must never pass unnoticed.
        ((CfnFunction)Function.Node.DefaultChild!).TracingConfig = new CfnFunction.TracingConfigProperty { Mode = "Active" };
        Suppressions.AddCompliance(Function, "LambdaDLQ",
            "API Gateway invokes the handler synchronously (a proxy or response-streaming integration), and Lambda sends only failed asynchronous invocations to a " +
            "dead-letter queue (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html): a failed request is answered to its caller, " +
            "written to the API's access log and counted by the function's errors alarm.");
        Alarms = CreateAlarms(platform, name, props);
    }

    private HandlerFunctionAlarms CreateAlarms(IModelPlatform platform, string name, HandlerFunctionProps props)
    {
        var fiveMinutes = Duration.Minutes(5);
        var concurrencyThreshold = Math.Max(1, Math.Floor(props.ReservedConcurrency * props.ConcurrencyAlarmPercent / 100));
        var alarms = new HandlerFunctionAlarms
        {
            // Handler errors are HTTP answers (problem documents), not Lambda errors: these are crashes, timeouts and adapter failures.
            Errors = MetricErrors(new MetricOptions { Statistic = "Sum", Period = fiveMinutes }).CreateAlarm(this, "ErrorsAlarm",
                Alarm($"{name}: 5 or more failed invocations (crash, timeout, adapter failure) in 5 minutes.", 5, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)),
            Throttles = MetricThrottles(new MetricOptions { Statistic = "Sum", Period = fiveMinutes }).CreateAlarm(this, "ThrottlesAlarm",
                Alarm($"{name}: invocations throttled in 5 minutes: the reserved concurrency of {props.ReservedConcurrency} is full and clients get 429/502.", 1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)),
            Concurrency = MetricConcurrentExecutions(new MetricOptions { Statistic = "Maximum", Period = fiveMinutes }).CreateAlarm(this, "ConcurrencyAlarm",
                Alarm($"{name}: concurrent executions reached {concurrencyThreshold} ({props.ConcurrencyAlarmPercent} % of the reserved {props.ReservedConcurrency}) for 10 minutes.", concurrencyThreshold, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, periods: 2)),
        };
        foreach (var alarm in alarms.All) platform.AlarmTopic.Notify(alarm);
        platform.Dashboard.AddSection(this, $"Function: {props.Purpose}",
            new GraphWidget(new GraphWidgetProps { Title = "Invocations, errors, throttles", Left = new IMetric[] { Function.MetricInvocations(new MetricOptions { Statistic = "Sum" }), MetricErrors(new MetricOptions { Statistic = "Sum" }), MetricThrottles(new MetricOptions { Statistic = "Sum" }) }, Width = 12 }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = $"Concurrency (reserved {props.ReservedConcurrency}) and duration p99",
                Left = new IMetric[] { MetricConcurrentExecutions() },
                Right = new IMetric[] { Function.MetricDuration(new MetricOptions { Statistic = "p99" }) },
                LeftAnnotations = new IHorizontalAnnotation[] { new HorizontalAnnotation { Value = props.ReservedConcurrency, Label = "reserved" } },
                Width = 12,
            }));
        return alarms;

        static CreateAlarmOptions Alarm(string description, double threshold, ComparisonOperator comparison, int periods = 1) => new()
        {
            AlarmDescription = description,
            Threshold = threshold,
            EvaluationPeriods = periods,
            ComparisonOperator = comparison,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        };
    }

    /// <summary>The memory of a handler function that sets none (<see cref="HandlerFunctionProps.Memory"/>).</summary>
    internal static Size DefaultMemory => Size.Mebibytes(512);

    /// <summary>
    /// <paramref name="memory"/> as the whole MiB Lambda takes (128 to 10,240), checked for <paramref name="prop"/>
    /// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
    /// </summary>
    internal static int MemoryMiB(ConstructChecks check, Size? memory, string prop)
    {
        var mib = (memory ?? DefaultMemory).ToBytes() / (1024.0 * 1024);
        check.That(mib is >= 128 and <= 10240 && mib == Math.Floor(mib), $"{prop} = {mib} MiB is out of range: Lambda accepts whole MiB from 128 to 10240.");
        return (int)mib;
    }

    /// <summary>Invocation errors (Lambda's own count: crashes, timeouts, adapter failures).</summary>
    public Metric MetricErrors(IMetricOptions? props = null) => Function.MetricErrors(props);

    /// <summary>Throttled invocations: the reserved concurrency was full.</summary>
    public Metric MetricThrottles(IMetricOptions? props = null) => Function.MetricThrottles(props);

    /// <summary>Concurrent executions, to compare with the reserved concurrency.</summary>
    public Metric MetricConcurrentExecutions(IMetricOptions? props = null) => Function.Metric("ConcurrentExecutions", props ?? new MetricOptions { Statistic = "Maximum" });
}
