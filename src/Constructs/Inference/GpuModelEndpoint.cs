using System.Text.RegularExpressions;
using Amazon.CDK.AWS.CloudWatch;
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

    /// <summary>
    /// Lets <paramref name="grantee"/> call <c>InvokeEndpoint</c>, <c>InvokeEndpointAsync</c> and
    /// <c>InvokeEndpointWithResponseStream</c> on this endpoint and its inference components, and nothing else.
    /// </summary>
    Grant GrantInvoke(IGrantable grantee);
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

    /// <summary>Days captured data and async results are kept in the endpoint's bucket.</summary>
    /// <remarks>Default: 90.</remarks>
    public int DataRetentionDays { get; init; } = 90;
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

    private readonly EndpointHosting _hosting;
    private readonly SageMakerInstanceType? _instanceType;
    private readonly string? _inferenceComponentName;

    /// <inheritdoc />
    public string EndpointName { get; }

    /// <inheritdoc />
    public string EndpointArn { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> InferenceComponentNames { get; }

    /// <inheritdoc />
    public bool IsAsync { get; }

    /// <inheritdoc />
    public EndpointInvocations Invocations => _hosting.Invocations;

    /// <summary>The execution role of the model.</summary>
    public IRole Role { get; }

    /// <summary>The log group SageMaker writes the endpoint's container logs to (<c>/aws/sagemaker/Endpoints/{EndpointName}</c>), created in the template so it is encrypted and expires.</summary>
    public ILogGroup LogGroup { get; }

    /// <summary>The security group of the model's network interfaces (none for serverless endpoints, which run outside the VPC).</summary>
    public Connections_ Connections { get; }

    /// <summary>The bucket holding captured data and async results (KMS, TLS-only, versioned, access-logged, expiring).</summary>
    public IBucket DataBucket { get; }

    /// <summary>The topic announcing finished async requests; null unless async with notifications.</summary>
    public ITopic? SuccessTopic { get; }

    /// <summary>The topic announcing failed async requests; null unless async with notifications.</summary>
    public ITopic? ErrorTopic { get; }

    /// <summary>The model resource.</summary>
    public CfnModel Model { get; }

    /// <summary>The endpoint config resource.</summary>
    public CfnEndpointConfig EndpointConfig { get; }

    /// <summary>The endpoint resource.</summary>
    public CfnEndpoint Endpoint { get; }

    /// <summary>The inference component; null unless hosted with <see cref="InferenceComponentHosting"/>.</summary>
    public CfnInferenceComponent? InferenceComponent { get; }

    /// <summary>The alarms the construct created, by purpose (<c>ServerErrors</c>, <c>ModelLatency</c>, <c>GpuMemory</c>, <c>BacklogAge</c>, <c>AsyncInvocationFailures</c>, <c>IdleGpu</c>).</summary>
    public IReadOnlyDictionary<string, Alarm> Alarms => _alarms;

    private readonly Dictionary<string, Alarm> _alarms = new();

    /// <summary>Worst-case cost per hour in USD: every instance (or concurrent serverless invocation) autoscaling may run, at on-demand prices.</summary>
    public double WorstCaseHourlyCostUsd { get; }

    /// <summary>Worst-case cost per month in USD (<see cref="WorstCaseHourlyCostUsd"/> × 730 hours).</summary>
    public double WorstCaseMonthlyCostUsd => Math.Round(WorstCaseHourlyCostUsd * PriceTable.HoursPerMonth, 2);

    /// <summary>Creates the model, endpoint config, endpoint, scaling, alarms and widgets.</summary>
    public GpuModelEndpoint(Construct scope, string id, GpuModelEndpointProps props) : base(scope, id, Checked(props), "inference")
    {
        _hosting = props.Hosting;
        _instanceType = props.Hosting is InstanceHosting ih ? SageMakerInstanceTypes.Get(ih.InstanceType) : null;
        IsAsync = props.Hosting is RealTimeHosting { Async: not null };

        var stack = Stack.Of(this);
        EndpointName = props.EndpointName ?? LowerName(this, 63);
        EndpointArn = stack.FormatArn(new ArnComponents { Service = "sagemaker", Resource = "endpoint", ResourceName = EndpointName.ToLowerInvariant() });
        _inferenceComponentName = props.Hosting is InferenceComponentHosting ? TrimName(EndpointName, 55) + "-model" : null;
        InferenceComponentNames = _inferenceComponentName is null ? Array.Empty<string>() : new[] { _inferenceComponentName };

        // Network: the platform's private subnets, a security group of the endpoint's own. SageMaker Serverless
        // Inference supports neither VPC configuration nor network isolation: a serverless model runs in SageMaker's network.
        var serverless = props.Hosting is ServerlessHosting;
        var vpc = Platform.Network.Vpc;
        SecurityGroup? securityGroup = null;
        string[] subnetIds = Array.Empty<string>();
        if (serverless)
        {
            Connections = new Connections_();
            Annotations.Of(this).AddInfo("ServerlessHosting: SageMaker Serverless Inference supports no VPC configuration and no network isolation; the model runs outside the platform's VPC.");
        }
        else
        {
            securityGroup = new SecurityGroup(this, "SecurityGroup", new SecurityGroupProps
            {
                Vpc = vpc,
                Description = $"SageMaker endpoint {EndpointName}: HTTPS out to the VPC endpoints and S3, nothing in",
                AllowAllOutbound = false,
            });
            securityGroup.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS to the VPC interface endpoints and the S3 gateway endpoint (the subnets have no route to the internet)");
            Connections = securityGroup.Connections;
            subnetIds = vpc.SelectSubnets(Platform.Network.WorkloadSubnets).SubnetIds;
        }

        // Data bucket: named with the platform prefix, so the platform's trail and access-log bucket (possibly in
        // another stack) cover it without referring to it.
        var bucketName = PlatformNames.Bucket(Platform, this, "data");
        DataBucket = BucketDefaults.Create(this, "Data", Platform.Key, Platform.AccessLogs, $"sagemaker/{EndpointName}/", Platform.RemovalPolicy,
            lifecycleRules: new ILifecycleRule[]
            {
                new LifecycleRule
                {
                    Id = "ExpireCapturedDataAndResults",
                    Expiration = Duration.Days(props.DataRetentionDays),
                    NoncurrentVersionExpiration = Duration.Days(7),
                    AbortIncompleteMultipartUploadAfter = Duration.Days(1),
                },
            }, bucketName: bucketName);
        var dataBucketArn = $"arn:{stack.Partition}:s3:::{bucketName}";

        // Execution role: exactly what the model needs.
        var role = new Role(this, "ExecutionRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("sagemaker.amazonaws.com"),
            Description = $"Execution role of SageMaker endpoint {EndpointName}: pull its image, read its model data, write its captures and results",
        });
        Role = role;
        foreach (var statement in props.Image.PullStatements(this)) role.AddToPrincipalPolicy(statement);
        if (props.ModelData is { } modelData)
        {
            foreach (var statement in modelData.ReadStatements()) role.AddToPrincipalPolicy(statement);
            if (modelData.Bucket.EncryptionKey is { } modelKey && modelKey != Platform.Key.Key)
                role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps { Sid = "DecryptModelData", Actions = new[] { "kms:Decrypt" }, Resources = new[] { modelKey.KeyArn } }));
        }
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "UsePlatformKey",
            Actions = new[] { "kms:Decrypt", "kms:GenerateDataKey" },
            Resources = new[] { Platform.Key.Key.KeyArn },
        }));
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "WriteCapturesAndResults",
            Actions = new[] { "s3:PutObject" },
            Resources = new[] { $"{dataBucketArn}/data-capture/*", $"{dataBucketArn}/{AsyncOutputPrefix}*", $"{dataBucketArn}/{AsyncFailurePrefix}*" },
        }));
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadAsyncInputs",
            Actions = new[] { "s3:GetObject" },
            Resources = new[] { $"{dataBucketArn}/{AsyncInputPrefix}*" },
        }));
        // SageMaker writes the endpoint's logs to a group named after it, creating it (unencrypted, kept forever) if
        // missing: the template creates it first with the platform's key and retention, so the role needs no logs:CreateLogGroup.
        LogGroup = LogGroupDefaults.Create(this, "Logs", Platform.Key, Platform.LogRetentionDays, Platform.RemovalPolicy,
            logGroupName: LogGroupNameOf(EndpointName));
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EndpointLogs",
            Actions = new[] { "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams" },
            Resources = new[] { $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:{LogGroupNameOf(EndpointName)}:*" },
        }));
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EndpointMetrics",
            Actions = new[] { "cloudwatch:PutMetricData" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object> { ["StringLike"] = new Dictionary<string, object> { ["cloudwatch:namespace"] = new[] { "/aws/sagemaker/*", "AWS/SageMaker" } } },
        }));
        if (!serverless) role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "VpcNetworkInterfaces",
            Actions = new[]
            {
                "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
                "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
            },
            Resources = new[] { "*" },
        }));

        // Async notifications.
        if (props.Hosting is RealTimeHosting { Async: { Notifications: true } })
        {
            SuccessTopic = NewTopic("AsyncSuccess", "succeeded");
            ErrorTopic = NewTopic("AsyncError", "failed");
            role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "PublishAsyncNotifications",
                Actions = new[] { "sns:Publish" },
                Resources = new[] { SuccessTopic.TopicArn, ErrorTopic.TopicArn },
            }));
        }
        var policy = (Amazon.CDK.AWS.IAM.Policy)role.Node.FindChild("DefaultPolicy");
        const string AnyPartition = "(<AWS::Partition>|aws[a-z-]*)"; // how cdk-nag prints a partition: the pseudo parameter, or a literal
        var wildcards = new List<string>
        {
            "Resource::*",
            $"/^Resource::arn:{AnyPartition}:s3:::{Regex.Escape(bucketName[..bucketName.IndexOf("-data-", StringComparison.Ordinal)])}-data-.*\\/({string.Join("|", new[] { "data-capture", AsyncOutputPrefix, AsyncFailurePrefix, AsyncInputPrefix }.Select(p => Regex.Escape(p.TrimEnd('/'))))})\\/\\*$/g",
            $"/^Resource::arn:{AnyPartition}:logs:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\\d{{12}}):log-group:\\/aws\\/sagemaker\\/Endpoints\\/{Regex.Escape(EndpointName)}:\\*$/g",
        };
        if (props.ModelData?.WildcardSuffix is { } modelDataWildcard)
            wildcards.Add($"/^Resource::.*\\/{Regex.Escape(modelDataWildcard).Replace("/", "\\/")}$/g");
        Suppressions.Add(policy, "AwsSolutions-IAM5",
            "Each wildcard is as narrow as the service allows: Resource::* only for ecr:GetAuthorizationToken and the ec2 network-interface actions SageMaker needs in VPC mode, which take no resource, " +
            "and for cloudwatch:PutMetricData, which takes none and is limited to SageMaker namespaces by condition; the S3 object wildcards are the model-data prefix and this endpoint's " +
            "data-capture/async prefixes of its own bucket; the log wildcard is the streams of this endpoint's log group.",
            wildcards.ToArray());

        // Model.
        var container = new CfnModel.ContainerDefinitionProperty
        {
            Image = props.Image.ImageUri(this),
            Environment = props.Environment is { Count: > 0 } env ? env.ToDictionary(kv => kv.Key, kv => (object)kv.Value) : null,
        };
        props.ModelData?.Apply(container);
        Model = new CfnModel(this, "Model", new CfnModelProps
        {
            ExecutionRoleArn = role.RoleArn,
            PrimaryContainer = container,
            VpcConfig = securityGroup is null ? null : new CfnModel.VpcConfigProperty { SecurityGroupIds = new[] { securityGroup.SecurityGroupId }, Subnets = subnetIds },
            EnableNetworkIsolation = !serverless && props.NetworkIsolation,
        });
        Model.Node.AddDependency(policy);

        // Endpoint config.
        EndpointConfig = new CfnEndpointConfig(this, "EndpointConfig", BuildEndpointConfig(props, role, securityGroup, subnetIds));
        // The config names the bucket and the role by value: make sure both are ready (and the role can use them) first.
        EndpointConfig.Node.AddDependency(policy, DataBucket);
        SuppressVolumeKeyFinding(props.Hosting);
        Endpoint = new CfnEndpoint(this, "Endpoint", new CfnEndpointProps
        {
            EndpointName = EndpointName,
            EndpointConfigName = EndpointConfig.AttrEndpointConfigName,
        });
        // The group must exist before SageMaker starts the endpoint and writes to it.
        Endpoint.Node.AddDependency(LogGroup);

        if (props.Hosting is InferenceComponentHosting ic)
        {
            InferenceComponent = new CfnInferenceComponent(this, "InferenceComponent", new CfnInferenceComponentProps
            {
                InferenceComponentName = _inferenceComponentName,
                EndpointName = Endpoint.AttrEndpointName,
                VariantName = VariantName,
                Specification = new CfnInferenceComponent.InferenceComponentSpecificationProperty
                {
                    ModelName = Model.AttrModelName,
                    ComputeResourceRequirements = new CfnInferenceComponent.InferenceComponentComputeResourceRequirementsProperty
                    {
                        NumberOfAcceleratorDevicesRequired = ic.AcceleratorsPerCopy > 0 ? ic.AcceleratorsPerCopy : null,
                        MinMemoryRequiredInMb = ic.MemoryPerCopyMb,
                        NumberOfCpuCoresRequired = ic.CpuCoresPerCopy,
                    },
                    StartupParameters = new CfnInferenceComponent.InferenceComponentStartupParametersProperty
                    {
                        ContainerStartupHealthCheckTimeoutInSeconds = ic.ContainerStartupTimeout.ToSeconds(),
                        ModelDataDownloadTimeoutInSeconds = ic.ModelDownloadTimeout.ToSeconds(),
                    },
                },
                RuntimeConfig = new CfnInferenceComponent.InferenceComponentRuntimeConfigProperty { CopyCount = ic.InitialCopies },
            });
        }

        CreateAlarms(props);
        if (props.Hosting is RealTimeHosting rt) ConfigureGuardrails(rt);
        ConfigureAutoScaling();
        WorstCaseHourlyCostUsd = RecordWorstCaseCost();
        AddDashboardSection();
    }

    /// <summary>Uses an endpoint created elsewhere, e.g. to put an API in front of it.</summary>
    /// <param name="scope">Scope of the import.</param>
    /// <param name="id">Id of the import.</param>
    /// <param name="endpointName">Name of the endpoint.</param>
    /// <param name="inferenceComponentNames">Its inference components, if any, so grants cover them.</param>
    /// <param name="isAsync">Whether it is an async endpoint.</param>
    /// <param name="invocations">The SageMaker calls it serves; default: <see cref="EndpointInvocations.Async"/> when <paramref name="isAsync"/>, else sync and stream (give <see cref="EndpointInvocations.Sync"/> alone for a serverless endpoint).</param>
    public static IGpuModelEndpoint FromEndpointName(Construct scope, string id, string endpointName, IEnumerable<string>? inferenceComponentNames = null, bool isAsync = false,
        EndpointInvocations? invocations = null)
    {
        CheckEndpointName(endpointName, "GpuModelEndpoint.FromEndpointName: endpointName");
        var served = invocations ?? (isAsync ? EndpointInvocations.Async : EndpointInvocations.Sync | EndpointInvocations.Stream);
        Validate.That(served != EndpointInvocations.None && isAsync == served.HasFlag(EndpointInvocations.Async) && (!isAsync || served == EndpointInvocations.Async),
            $"GpuModelEndpoint.FromEndpointName: invocations = {served} does not fit isAsync = {isAsync}: an async endpoint serves exactly EndpointInvocations.Async; any other serves Sync, with or without Stream.");
        return new ImportedEndpoint(scope, id, endpointName, inferenceComponentNames?.ToArray() ?? Array.Empty<string>(), isAsync, served);
    }

    /// <inheritdoc />
    public Grant GrantInvoke(IGrantable grantee) => GrantInvokeOn(this, grantee, EndpointName, InferenceComponentNames);

    /// <summary>Prefix of <see cref="DataBucket"/> where callers put async request payloads (the model may read it).</summary>
    public const string AsyncInputPrefix = AsyncLayout.InputPrefix;

    /// <summary>Prefix of <see cref="DataBucket"/> where SageMaker writes async results.</summary>
    public const string AsyncOutputPrefix = AsyncLayout.OutputPrefix;

    /// <summary>Prefix of <see cref="DataBucket"/> where SageMaker writes async failures.</summary>
    public const string AsyncFailurePrefix = AsyncLayout.FailurePrefix;

    /// <summary>Prefix of <see cref="DataBucket"/> where the API keeps its async request records (<c>{id}.json</c>), under <see cref="AsyncInputPrefix"/>.</summary>
    public const string AsyncRecordPrefix = AsyncLayout.RecordPrefix;

    /// <summary>
    /// Prefixes of <see cref="DataBucket"/> under which the API reads keys that may not exist yet: request records (an
    /// unknown id, a first idempotent submission), results and failures (a pending request).
    /// </summary>
    public static IReadOnlyList<string> AsyncPrefixesReadBeforeTheyExist => AsyncLayout.PrefixesReadBeforeTheyExist;

    /// <summary>
    /// Lets <paramref name="grantee"/> (the API in front of an async endpoint) write request payloads under
    /// <see cref="AsyncInputPrefix"/> and read them back (the API keeps its request records there), read results and
    /// failures, with the platform key; nothing else of the bucket. It may also list <see cref="AsyncPrefixesReadBeforeTheyExist"/>
    /// (<c>s3:ListBucket</c> with an <c>s3:prefix</c> condition): without it S3 answers a read of a missing key with 403
    /// AccessDenied instead of 404, and a pending request or an unknown id would look like a denial.
    /// </summary>
    /// <exception cref="InvalidOperationException">when the endpoint is not async.</exception>
    public Grant GrantAsyncPayloads(IGrantable grantee)
    {
        if (!IsAsync)
            throw new InvalidOperationException($"GpuModelEndpoint {EndpointName} is not async: GrantAsyncPayloads applies to RealTimeHosting with Async set.");
        Grant Add(string[] actions, string[] resources, Dictionary<string, object>? conditions = null) =>
            Grant.AddToPrincipal(new GrantOnPrincipalOptions
            {
                Grantee = grantee, Actions = actions, ResourceArns = resources,
                Conditions = conditions?.ToDictionary(c => c.Key, c => (IDictionary<string, object>)c.Value),
            });
        return Add(new[] { "s3:PutObject" }, new[] { DataBucket.ArnForObjects(AsyncInputPrefix + "*") })
            .Combine(Add(new[] { "s3:GetObject" }, new[] { DataBucket.ArnForObjects(AsyncInputPrefix + "*"), DataBucket.ArnForObjects(AsyncOutputPrefix + "*"), DataBucket.ArnForObjects(AsyncFailurePrefix + "*") }))
            .Combine(Add(new[] { "s3:ListBucket" }, new[] { DataBucket.BucketArn }, S3Conditions.ListOnly(AsyncPrefixesReadBeforeTheyExist)))
            .Combine(Add(new[] { "kms:Decrypt", "kms:GenerateDataKey" }, new[] { Platform.Key.Key.KeyArn }, KmsConditions.ThroughS3(Stack.Of(this))));
    }

    // The config carries the platform key as KmsKeyId wherever SageMaker takes one (EBS-backed instance types); the two
    // cases without it are SageMaker's, and say so on the resource.
    private void SuppressVolumeKeyFinding(EndpointHosting hosting)
    {
        const string apiReference = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html";
        string? reason = hosting switch
        {
            ServerlessHosting =>
                $"KmsKeyId encrypts the storage volume attached to the ML instances that host the endpoint ({apiReference}); a serverless endpoint has no instances " +
                "of its own to attach one to. Its model data stays in S3 under the bucket's encryption.",
            InstanceHosting when _instanceType is { AcceptsVolumeKmsKey: false } =>
                $"{_instanceType.Name} has local NVMe instance storage, encrypted by a hardware module on the instance; SageMaker refuses a KmsKeyId for such " +
                $"instance types and CreateEndpointConfig fails if one is given ({apiReference}). Data capture and async outputs, where the endpoint has them, are written with the platform key.",
            _ => null,
        };
        if (reason is not null) Suppressions.AddCompliance(EndpointConfig, "SageMakerEndpointConfigurationKMSKeyConfigured", reason);
    }

    private CfnEndpointConfigProps BuildEndpointConfig(GpuModelEndpointProps props, IRole role, ISecurityGroup? securityGroup, string[] subnetIds)
    {
        var key = Platform.Key.Key;
        switch (props.Hosting)
        {
            case ServerlessHosting serverless:
                return new CfnEndpointConfigProps
                {
                    ProductionVariants = new object[]
                    {
                        new CfnEndpointConfig.ProductionVariantProperty
                        {
                            VariantName = VariantName,
                            ModelName = Model.AttrModelName,
                            ServerlessConfig = new CfnEndpointConfig.ServerlessConfigProperty
                            {
                                MemorySizeInMb = serverless.MemorySizeMb,
                                MaxConcurrency = serverless.MaxConcurrency,
                                ProvisionedConcurrency = serverless.ProvisionedConcurrency,
                            },
                        },
                    },
                };

            case InferenceComponentHosting ic:
                return new CfnEndpointConfigProps
                {
                    ExecutionRoleArn = role.RoleArn,
                    VpcConfig = new CfnEndpointConfig.VpcConfigProperty { SecurityGroupIds = new[] { securityGroup!.SecurityGroupId }, Subnets = subnetIds },
                    EnableNetworkIsolation = props.NetworkIsolation,
                    KmsKeyId = _instanceType!.AcceptsVolumeKmsKey ? key.KeyArn : null,
                    ProductionVariants = new object[]
                    {
                        new CfnEndpointConfig.ProductionVariantProperty
                        {
                            VariantName = VariantName,
                            InstanceType = ic.InstanceType,
                            InitialInstanceCount = ic.EffectiveInitial,
                            VolumeSizeInGb = ic.VolumeSizeGb,
                            ManagedInstanceScaling = new CfnEndpointConfig.ManagedInstanceScalingProperty
                            {
                                Status = "ENABLED",
                                MinInstanceCount = ic.MinInstances,
                                MaxInstanceCount = ic.EffectiveMax,
                            },
                            RoutingConfig = new CfnEndpointConfig.RoutingConfigProperty { RoutingStrategy = "LEAST_OUTSTANDING_REQUESTS" },
                        },
                    },
                };

            case RealTimeHosting rt:
                var capture = rt.DataCapture ?? (rt.Async is null ? new DataCapture() : DataCapture.Off);
                return new CfnEndpointConfigProps
                {
                    KmsKeyId = _instanceType!.AcceptsVolumeKmsKey ? key.KeyArn : null,
                    ProductionVariants = new object[]
                    {
                        new CfnEndpointConfig.ProductionVariantProperty
                        {
                            VariantName = VariantName,
                            ModelName = Model.AttrModelName,
                            InstanceType = rt.InstanceType,
                            InitialInstanceCount = rt.EffectiveInitial,
                            InitialVariantWeight = 1,
                            VolumeSizeInGb = rt.VolumeSizeGb,
                            ContainerStartupHealthCheckTimeoutInSeconds = rt.ContainerStartupTimeout.ToSeconds(),
                            ModelDataDownloadTimeoutInSeconds = rt.ModelDownloadTimeout.ToSeconds(),
                        },
                    },
                    DataCaptureConfig = capture.Enabled
                        ? new CfnEndpointConfig.DataCaptureConfigProperty
                        {
                            EnableCapture = true,
                            InitialSamplingPercentage = capture.SamplingPercent,
                            DestinationS3Uri = $"s3://{BucketNameOf(DataBucket)}/data-capture",
                            KmsKeyId = key.KeyArn,
                            CaptureOptions = new object[]
                            {
                                capture.CaptureInput ? new CfnEndpointConfig.CaptureOptionProperty { CaptureMode = "Input" } : null!,
                                capture.CaptureOutput ? new CfnEndpointConfig.CaptureOptionProperty { CaptureMode = "Output" } : null!,
                            }.Where(o => o is not null).ToArray(),
                            CaptureContentTypeHeader = new CfnEndpointConfig.CaptureContentTypeHeaderProperty { JsonContentTypes = new[] { "application/json" } },
                        }
                        : null,
                    AsyncInferenceConfig = rt.Async is { } async
                        ? new CfnEndpointConfig.AsyncInferenceConfigProperty
                        {
                            ClientConfig = async.MaxConcurrentInvocationsPerInstance is { } perInstance
                                ? new CfnEndpointConfig.AsyncInferenceClientConfigProperty { MaxConcurrentInvocationsPerInstance = perInstance }
                                : null,
                            OutputConfig = new CfnEndpointConfig.AsyncInferenceOutputConfigProperty
                            {
                                S3OutputPath = $"s3://{BucketNameOf(DataBucket)}/{AsyncOutputPrefix}",
                                S3FailurePath = $"s3://{BucketNameOf(DataBucket)}/{AsyncFailurePrefix}",
                                KmsKeyId = key.KeyArn,
                                NotificationConfig = SuccessTopic is not null
                                    ? new CfnEndpointConfig.AsyncInferenceNotificationConfigProperty
                                    {
                                        SuccessTopic = SuccessTopic.TopicArn,
                                        ErrorTopic = ErrorTopic!.TopicArn,
                                    }
                                    : null,
                            },
                        }
                        : null,
                };

            default:
                throw new ArgumentException($"GpuModelEndpointProps.Hosting = {props.Hosting.GetType().Name} is not a hosting mode this construct knows; use RealTimeHosting, InferenceComponentHosting or ServerlessHosting.");
        }
    }

    private string BucketNameOf(IBucket bucket) => ((CfnBucket)bucket.Node.DefaultChild!).BucketName!;

    private Topic NewTopic(string id, string what) => new(this, id, new TopicProps
    {
        DisplayName = $"Async inference requests that {what} on {EndpointName}",
        MasterKey = Platform.Key.Key,
        EnforceSSL = true,
    });

    private static string LowerName(Construct scope, int maxLength, string? suffix = null)
    {
        var unique = Names.UniqueResourceName(scope, new UniqueResourceNameOptions { MaxLength = maxLength - (suffix is null ? 0 : suffix.Length + 1), Separator = "-" });
        var name = Regex.Replace(unique.ToLowerInvariant(), "[^a-z0-9-]", "-").Trim('-');
        name = Regex.Replace(name, "-{2,}", "-");
        return suffix is null ? name : name + "-" + suffix;
    }

    private static string LogGroupNameOf(string endpointName) => $"/aws/sagemaker/Endpoints/{endpointName}";

    private static string TrimName(string name, int max) => name.Length <= max ? name : name[..max].TrimEnd('-');

    internal static Grant GrantInvokeOn(Construct scope, IGrantable grantee, string endpointName, IReadOnlyList<string> components)
    {
        var stack = Stack.Of(scope);
        string Arn(string resource, string name) =>
            stack.FormatArn(new ArnComponents { Service = "sagemaker", Resource = resource, ResourceName = Token.IsUnresolved(name) ? name : name.ToLowerInvariant() });
        var resources = new[] { Arn("endpoint", endpointName) }.Concat(components.Select(c => Arn("inference-component", c))).ToArray();
        return Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = new[] { "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync", "sagemaker:InvokeEndpointWithResponseStream" },
            ResourceArns = resources,
        });
    }

    private sealed class ImportedEndpoint : Construct, IGpuModelEndpoint
    {
        public string EndpointName { get; }
        public string EndpointArn { get; }
        public IReadOnlyList<string> InferenceComponentNames { get; }
        public bool IsAsync { get; }
        public EndpointInvocations Invocations { get; }

        public ImportedEndpoint(Construct scope, string id, string name, string[] components, bool isAsync, EndpointInvocations invocations) : base(scope, id)
        {
            EndpointName = name;
            EndpointArn = Stack.Of(this).FormatArn(new ArnComponents { Service = "sagemaker", Resource = "endpoint", ResourceName = Token.IsUnresolved(name) ? name : name.ToLowerInvariant() });
            InferenceComponentNames = components;
            IsAsync = isAsync;
            Invocations = invocations;
        }

        public Grant GrantInvoke(IGrantable grantee) => GrantInvokeOn(this, grantee, EndpointName, InferenceComponentNames);
    }
}
