using System.Text.RegularExpressions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.Sagemaker;
using Amazon.CDK.AWS.SNS;
using AwsModelPlatform.Constructs.Cost;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>A SageMaker endpoint an API can invoke: made by <see cref="GpuModelEndpoint"/> or imported by name.</summary>
public interface IGpuModelEndpoint
{
    /// <summary>Name of the endpoint.</summary>
    string EndpointName { get; }

    /// <summary>ARN of the endpoint.</summary>
    string EndpointArn { get; }

    /// <summary>Names of the endpoint's inference components; empty when it has none.</summary>
    IReadOnlyList<string> InferenceComponentNames { get; }

    /// <summary>Whether the endpoint is asynchronous (<c>InvokeEndpointAsync</c>).</summary>
    bool IsAsync { get; }

    /// <summary>The SageMaker Runtime calls the endpoint serves, which its hosting mode decides.</summary>
    /// <remarks>Default: <see cref="EndpointInvocations.Async"/> for an async endpoint, else <see cref="EndpointInvocations.Sync"/> and <see cref="EndpointInvocations.Stream"/>.</remarks>
    EndpointInvocations Invocations => IsAsync ? EndpointInvocations.Async : EndpointInvocations.Sync | EndpointInvocations.Stream;

    /// <summary>Where an async endpoint's request payloads, results and failures are, and the key they are encrypted with; null unless <see cref="IsAsync"/>.</summary>
    AsyncPayloadBucket? AsyncPayloads { get; }

    /// <summary>
    /// Lets <paramref name="grantee"/> call <c>InvokeEndpoint</c>, <c>InvokeEndpointAsync</c> and
    /// <c>InvokeEndpointWithResponseStream</c> on this endpoint and its inference components, and nothing else.
    /// </summary>
    Grant GrantInvoke(IGrantable grantee);

    /// <summary>
    /// Lets <paramref name="grantee"/> (the API in front of an async endpoint) write request payloads under the
    /// <see cref="AsyncPayloads"/>' input prefix and read them back (the API keeps its request records there), read results
    /// and failures, with the key through S3 only; nothing else of the bucket. It may also list
    /// <see cref="AsyncPayloadBucket.PrefixesReadBeforeTheyExist"/> (<c>s3:ListBucket</c> with an <c>s3:prefix</c> condition):
    /// without it S3 answers a read of a missing key with 403 AccessDenied instead of 404, and a pending request or an
    /// unknown id would look like a denial.
    /// </summary>
    /// <exception cref="InvalidOperationException">when the endpoint is not async.</exception>
    Grant GrantAsyncPayloads(IGrantable grantee);
}

/// <summary>Properties of <see cref="GpuModelEndpoint"/>.</summary>
public sealed record GpuModelEndpointProps : PlatformConstructProps
{
    /// <summary>The container image serving the model.</summary>
    public required ModelImage Image { get; init; }

    /// <summary>The model's weights in S3.</summary>
    /// <remarks>Default: none: the image carries the model (or fetches it, which network isolation forbids).</remarks>
    public ModelData? ModelData { get; init; }

    /// <summary>Environment variables of the container (e.g. <c>HF_MODEL_ID</c>, <c>SM_NUM_GPUS</c>).</summary>
    /// <remarks>Default: none.</remarks>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Whether the container is cut off from every network call (SageMaker still fetches the model data).</summary>
    /// <remarks>Default: true: a model server has no reason to call out, and isolation closes the exfiltration path.</remarks>
    public bool NetworkIsolation { get; init; } = true;

    /// <summary>How the endpoint is hosted: <see cref="RealTimeHosting"/>, <see cref="InferenceComponentHosting"/> or <see cref="ServerlessHosting"/>.</summary>
    public required EndpointHosting Hosting { get; init; }

    /// <summary>Name of the endpoint (1 to 63 letters, digits and hyphens).</summary>
    /// <remarks>Default: a lower-case name unique to the construct path, fixed at synth time so alarms, scaling and
    /// grants name the endpoint without depending on it.</remarks>
    public string? EndpointName { get; init; }

    /// <summary>Percentage of invocations answered with a 5xx at which the error alarm fires (5-minute periods, 3 in a row).</summary>
    /// <remarks>Default: 5.</remarks>
    public double ServerErrorRateAlarmPercent { get; init; } = 5;

    /// <summary>p99 model latency at which the latency alarm fires (5-minute periods, 3 in a row).</summary>
    /// <remarks>Default: 60 s: a long LLM generation, not a stuck one.</remarks>
    public Duration ModelLatencyP99AlarmThreshold { get; init; } = Duration.Seconds(60);

    /// <summary>GPU memory use, in percent of the instance's GPU memory, at which the GPU-memory alarm fires.</summary>
    /// <remarks>Default: 95. LLM servers pre-allocate most GPU memory for their KV cache, so the alarm marks the edge, not the normal.</remarks>
    public double GpuMemoryAlarmPercent { get; init; } = 95;

    /// <summary>How long instances may run without a single invocation before the idle-GPU cost alarm fires (1 to 24 hours).</summary>
    /// <remarks>Default: 6 hours: an idle ml.g5.2xlarge costs about $9 in that time.</remarks>
    public Duration IdleAlarmAfter { get; init; } = Duration.Hours(6);

    /// <summary>How long captured data and async results are kept in the endpoint's bucket (whole days, 1 to 3650).</summary>
    /// <remarks>Default: 90 days.</remarks>
    public Duration DataRetention { get; init; } = Duration.Days(90);
}

/// <summary>
/// A SageMaker endpoint for a GPU model, secure and cost-guarded as built: a model with an execution role
/// scoped to its image repository, model data and the platform key; the platform's private subnets with its own
/// security group; one of three hosting modes (real-time instances — optionally async —, inference components
/// that scale to zero, serverless); Application Auto Scaling; blue/green deployments with rollback on alarms;
/// data capture and async results in a KMS-encrypted bucket; alarms on the platform topic, dashboard widgets,
/// an idle-GPU cost alarm and the worst-case hourly cost from the library's price table.
/// </summary>
public sealed partial class GpuModelEndpoint : PlatformConstruct, IGpuModelEndpoint, IConnectable
{
    /// <summary>The name of the one production variant.</summary>
    public const string VariantName = "AllTraffic";

    /// <summary>The metadata key, on the endpoint resource, of the worst-case cost record.</summary>
    public const string CostMetadataKey = CostMetadata.ResourceKey;

    /// <summary>Prefix of <see cref="DataBucket"/> where callers put async request payloads (the model may read it).</summary>
    public const string AsyncInputPrefix = AsyncLayout.InputPrefix;

    /// <summary>Prefix of <see cref="DataBucket"/> where SageMaker writes async results.</summary>
    public const string AsyncOutputPrefix = AsyncLayout.OutputPrefix;

    /// <summary>Prefix of <see cref="DataBucket"/> where SageMaker writes async failures.</summary>
    public const string AsyncFailurePrefix = AsyncLayout.FailurePrefix;

    /// <summary>Prefix of <see cref="DataBucket"/> where SageMaker writes captured requests and responses.</summary>
    internal const string DataCapturePrefix = "data-capture/";

    internal const string EndpointConfigApiReference = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html";

    private readonly EndpointHosting _hosting;
    private readonly EndpointVariant _variant;
    private readonly SageMakerInstanceType? _instanceType;
    private readonly string? _inferenceComponentName;

    /// <inheritdoc />
    public string EndpointName { get; }

    /// <inheritdoc />
    public string EndpointArn { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> InferenceComponentNames { get; }

    /// <inheritdoc />
    public bool IsAsync => _variant.IsAsync;

    /// <inheritdoc />
    public EndpointInvocations Invocations => _hosting.Invocations;

    /// <inheritdoc />
    public AsyncPayloadBucket? AsyncPayloads { get; }

    /// <summary>The execution role of the model.</summary>
    public IRole Role { get; }

    /// <summary>The log group SageMaker writes the endpoint's container logs to (<c>/aws/sagemaker/Endpoints/{EndpointName}</c>), created in the template so it is encrypted and expires.</summary>
    public ILogGroup LogGroup { get; }

    /// <summary>The security group of the model's network interfaces (none for serverless endpoints, which run outside the VPC).</summary>
    public Connections_ Connections { get; }

    /// <summary>The bucket holding captured data and async results (KMS, TLS-only, versioned, access-logged, expiring).</summary>
    public IBucket DataBucket { get; }

    /// <summary>The topic announcing finished async requests; null unless async with notifications.</summary>
    public ITopic? SuccessTopic => _variant.SuccessTopic;

    /// <summary>The topic announcing failed async requests; null unless async with notifications.</summary>
    public ITopic? ErrorTopic => _variant.ErrorTopic;

    /// <summary>The model resource.</summary>
    public CfnModel Model { get; }

    /// <summary>The endpoint config resource.</summary>
    public CfnEndpointConfig EndpointConfig { get; }

    /// <summary>The endpoint resource.</summary>
    public CfnEndpoint Endpoint { get; }

    /// <summary>The inference component; null unless hosted with <see cref="InferenceComponentHosting"/>.</summary>
    public CfnInferenceComponent? InferenceComponent { get; }

    /// <summary>The alarms the construct created; those its hosting mode has no use for are null.</summary>
    public EndpointAlarms Alarms { get; }

    /// <summary>Worst-case cost per hour in USD: every instance (or concurrent serverless invocation) autoscaling may run, at on-demand prices.</summary>
    public double WorstCaseHourlyCostUsd { get; }

    /// <summary>Worst-case cost per month in USD (<see cref="WorstCaseHourlyCostUsd"/> × 730 hours).</summary>
    public double WorstCaseMonthlyCostUsd => Math.Round(WorstCaseHourlyCostUsd * PriceTable.HoursPerMonth, 2);

    /// <summary>Creates the model, endpoint config, endpoint, scaling, alarms and widgets.</summary>
    public GpuModelEndpoint(Construct scope, string id, GpuModelEndpointProps props) : base(scope, id, Checked(scope, id, props), "inference")
    {
        _hosting = props.Hosting;
        EndpointName = props.EndpointName ?? LowerName(this, 63);
        EndpointArn = SageMakerArn(this, "endpoint", EndpointName);
        // The hosting record picks what its mode builds: variant, endpoint-config pieces, deployment, scaling.
        _variant = props.Hosting.Variant(this, props);
        _instanceType = _variant.InstanceType;
        _inferenceComponentName = _variant.InferenceComponentName;
        InferenceComponentNames = _inferenceComponentName is null ? Array.Empty<string>() : new[] { _inferenceComponentName };

        var network = PlaceInNetwork();
        Connections = network?.SecurityGroup.Connections ?? new Connections_();
        DataBucket = CreateDataBucket(props.DataRetention, out var dataBucketName);
        AsyncPayloads = IsAsync ? new AsyncPayloadBucket { Bucket = DataBucket, Key = Platform.Key.Key } : null;
        var role = EndpointExecutionRole.Create(this, props, dataBucketName, _variant.InVpc);
        Role = role;
        // SageMaker writes the endpoint's logs to a group named after it, creating it (unencrypted, kept forever) if
        // missing: the template creates it first with the platform's key and retention.
        LogGroup = LogGroupDefaults.Create(this, "Logs", Platform.Key, Platform.LogRetention, Platform.RemovalPolicy,
            logGroupName: LogGroupNameOf(EndpointName));
        _variant.AddModeResources(role);

        var policy = EndpointExecutionRole.PolicyOf(role);
        Model = CreateModel(props, network, role);
        Model.Node.AddDependency(policy);
        EndpointConfig = new CfnEndpointConfig(this, "EndpointConfig", _variant.EndpointConfig(network));
        _variant.CompleteEndpointConfig(EndpointConfig);
        // The config names the bucket and the role by value: make sure both are ready (and the role can use them) first.
        EndpointConfig.Node.AddDependency(policy, DataBucket);
        if (_variant.VolumeKeyExemption is { } reason)
            Suppressions.AddCompliance(EndpointConfig, "SageMakerEndpointConfigurationKMSKeyConfigured", reason);
        Endpoint = new CfnEndpoint(this, "Endpoint", new CfnEndpointProps
        {
            EndpointName = EndpointName,
            EndpointConfigName = EndpointConfig.AttrEndpointConfigName,
        });
        // The group must exist before SageMaker starts the endpoint and writes to it.
        Endpoint.Node.AddDependency(LogGroup);
        InferenceComponent = _variant.AddToEndpoint();

        Alarms = CreateAlarms(props);
        _variant.ConfigureDeployment(Alarms);
        _variant.ConfigureScaling();
        WorstCaseHourlyCostUsd = RecordWorstCaseCost();
        AddDashboardSection();
    }

    /// <inheritdoc />
    public Grant GrantInvoke(IGrantable grantee) => GrantInvokeOn(this, grantee, EndpointName, InferenceComponentNames);

    /// <inheritdoc />
    public Grant GrantAsyncPayloads(IGrantable grantee) =>
        AsyncPayloads?.GrantReadWrite(grantee, Stack.Of(this))
        ?? throw new InvalidOperationException($"{Node.Path}: GpuModelEndpoint {EndpointName} is not async: GrantAsyncPayloads applies to RealTimeHosting with Async set.");

    // The platform's private subnets and a security group of the endpoint's own; SageMaker Serverless Inference
    // supports no VPC configuration, so a serverless model runs in SageMaker's network.
    private NetworkPlacement? PlaceInNetwork()
    {
        if (!_variant.InVpc) return null;
        var securityGroup = new SecurityGroup(this, "SecurityGroup", new SecurityGroupProps
        {
            Vpc = Platform.Network.Vpc,
            Description = $"SageMaker endpoint {EndpointName}: HTTPS out to the VPC endpoints and S3, nothing in",
            AllowAllOutbound = false,
        });
        securityGroup.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS to the VPC interface endpoints and the S3 gateway endpoint (the subnets have no route to the internet)");
        return new NetworkPlacement(securityGroup, Platform.Network.Vpc.SelectSubnets(Platform.Network.WorkloadSubnets).SubnetIds);
    }

    // Named with the platform prefix, so the platform's trail and access-log bucket (possibly in another stack) cover it
    // without referring to it.
    private IBucket CreateDataBucket(Duration retention, out string bucketName)
    {
        bucketName = PlatformNames.Bucket(Platform, this, "data");
        return BucketDefaults.Create(this, "Data", Platform.Key, Platform.AccessLogs, $"sagemaker/{EndpointName}/", Platform.RemovalPolicy,
            lifecycleRules: new ILifecycleRule[]
            {
                new LifecycleRule
                {
                    Id = "ExpireCapturedDataAndResults",
                    Expiration = retention,
                    NoncurrentVersionExpiration = Duration.Days(7),
                    AbortIncompleteMultipartUploadAfter = Duration.Days(1),
                },
            }, bucketName: bucketName);
    }

    private CfnModel CreateModel(GpuModelEndpointProps props, NetworkPlacement? network, IRole role)
    {
        var container = new CfnModel.ContainerDefinitionProperty
        {
            Image = props.Image.ImageUri(this),
            Environment = props.Environment is { Count: > 0 } env ? env.ToDictionary(kv => kv.Key, kv => (object)kv.Value) : null,
        };
        props.ModelData?.Apply(container);
        return new CfnModel(this, "Model", new CfnModelProps
        {
            ExecutionRoleArn = role.RoleArn,
            PrimaryContainer = container,
            VpcConfig = network is null ? null : new CfnModel.VpcConfigProperty { SecurityGroupIds = new[] { network.SecurityGroup.SecurityGroupId }, Subnets = network.SubnetIds },
            EnableNetworkIsolation = _variant.InVpc && props.NetworkIsolation,
        });
    }

    private static string LowerName(Construct scope, int maxLength, string? suffix = null)
    {
        var unique = Names.UniqueResourceName(scope, new UniqueResourceNameOptions { MaxLength = maxLength - (suffix is null ? 0 : suffix.Length + 1), Separator = "-" });
        var name = Regex.Replace(unique.ToLowerInvariant(), "[^a-z0-9-]", "-").Trim('-');
        name = Regex.Replace(name, "-{2,}", "-");
        return suffix is null ? name : name + "-" + suffix;
    }

    internal static string LogGroupNameOf(string endpointName) => $"/aws/sagemaker/Endpoints/{endpointName}";
}
