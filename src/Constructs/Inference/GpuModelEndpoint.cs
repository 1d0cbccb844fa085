using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.Sagemaker;
using Amazon.CDK.AWS.SNS;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Defaults;
using AwsModelPlatform.Constructs.Foundation;
using Constructs;

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
public sealed class GpuModelEndpoint : PlatformConstruct, IGpuModelEndpoint, IConnectable
{
    /// <summary>The name of the one production variant.</summary>
    public const string VariantName = "AllTraffic";

    /// <summary>The metadata key, on the endpoint resource, of the worst-case cost record.</summary>
    public const string CostMetadataKey = "AwsModelPlatform:Cost";

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

    /// <summary>The execution role of the model.</summary>
    public IRole Role { get; }

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

    /// <summary>The alarms the construct created, by purpose (<c>ServerErrors</c>, <c>ModelLatency</c>, <c>GpuMemory</c>, <c>BacklogAge</c>, <c>IdleGpu</c>).</summary>
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
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EndpointLogs",
            Actions = new[] { "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams" },
            Resources = new[] { $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:/aws/sagemaker/Endpoints/{EndpointName}:*" },
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
            $"/^Resource::arn:{AnyPartition}:s3:::{Regex.Escape(bucketName[..bucketName.IndexOf("-data-", StringComparison.Ordinal)])}-data-.*\\/(data-capture|async-output|async-failures|async-input)\\/\\*$/g",
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
            Image = props.Image.ImageUri,
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
        Endpoint = new CfnEndpoint(this, "Endpoint", new CfnEndpointProps
        {
            EndpointName = EndpointName,
            EndpointConfigName = EndpointConfig.AttrEndpointConfigName,
        });

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
    public static IGpuModelEndpoint FromEndpointName(Construct scope, string id, string endpointName, IEnumerable<string>? inferenceComponentNames = null, bool isAsync = false)
    {
        CheckEndpointName(endpointName, "GpuModelEndpoint.FromEndpointName: endpointName");
        return new ImportedEndpoint(scope, id, endpointName, inferenceComponentNames?.ToArray() ?? Array.Empty<string>(), isAsync);
    }

    /// <inheritdoc />
    public Grant GrantInvoke(IGrantable grantee) => GrantInvokeOn(this, grantee, EndpointName, InferenceComponentNames);

    /// <summary>Prefix of <see cref="DataBucket"/> where callers put async request payloads (the model may read it).</summary>
    public const string AsyncInputPrefix = "async-input/";

    /// <summary>Prefix of <see cref="DataBucket"/> where SageMaker writes async results.</summary>
    public const string AsyncOutputPrefix = "async-output/";

    /// <summary>Prefix of <see cref="DataBucket"/> where SageMaker writes async failures.</summary>
    public const string AsyncFailurePrefix = "async-failures/";

    /// <summary>
    /// Lets <paramref name="grantee"/> (the API in front of an async endpoint) write request payloads under
    /// <see cref="AsyncInputPrefix"/> and read them back (the API keeps its request records there), read results and
    /// failures, with the platform key; nothing else of the bucket.
    /// </summary>
    /// <exception cref="InvalidOperationException">when the endpoint is not async.</exception>
    public Grant GrantAsyncPayloads(IGrantable grantee)
    {
        if (!IsAsync)
            throw new InvalidOperationException($"GpuModelEndpoint {EndpointName} is not async: GrantAsyncPayloads applies to RealTimeHosting with Async set.");
        Grant Add(string[] actions, string[] resources) =>
            Grant.AddToPrincipal(new GrantOnPrincipalOptions { Grantee = grantee, Actions = actions, ResourceArns = resources });
        return Add(new[] { "s3:PutObject" }, new[] { DataBucket.ArnForObjects(AsyncInputPrefix + "*") })
            .Combine(Add(new[] { "s3:GetObject" }, new[] { DataBucket.ArnForObjects(AsyncInputPrefix + "*"), DataBucket.ArnForObjects(AsyncOutputPrefix + "*"), DataBucket.ArnForObjects(AsyncFailurePrefix + "*") }))
            .Combine(Add(new[] { "kms:Decrypt", "kms:GenerateDataKey" }, new[] { Platform.Key.Key.KeyArn }));
    }

    // ---------------------------------------------------------------- metrics

    /// <summary>
    /// A metric of this endpoint in <paramref name="namespace"/> with the endpoint's dimensions: the inference
    /// component for <c>AWS/SageMaker</c> metrics of an inference-component endpoint, else the endpoint and variant.
    /// </summary>
    /// <param name="metricName">The metric.</param>
    /// <param name="namespace">Its namespace.</param>
    /// <param name="statistic">The statistic used unless <paramref name="props"/> sets one.</param>
    /// <param name="props">Overrides (statistic, period, label...).</param>
    public Metric Metric(string metricName, string @namespace = "AWS/SageMaker", string statistic = "Sum", IMetricOptions? props = null)
    {
        var dimensions = _inferenceComponentName is not null && @namespace == "AWS/SageMaker"
            ? new Dictionary<string, string> { ["InferenceComponentName"] = _inferenceComponentName }
            : new Dictionary<string, string> { ["EndpointName"] = EndpointName, ["VariantName"] = VariantName };
        return MetricWith(metricName, @namespace, dimensions, statistic, props);
    }

    /// <summary>Requests sent to the model (sum).</summary>
    public Metric MetricInvocations(IMetricOptions? props = null) => Metric("Invocations", props: props);

    /// <summary>Requests per instance (sum), the real-time scaling metric.</summary>
    public Metric MetricInvocationsPerInstance(IMetricOptions? props = null) => Metric("InvocationsPerInstance", props: props);

    /// <summary>Time the model took to answer, in microseconds (average; pass <c>Statistic = "p99"</c> for a percentile).</summary>
    public Metric MetricModelLatency(IMetricOptions? props = null) => Metric("ModelLatency", statistic: "Average", props: props);

    /// <summary>Time SageMaker added around the model, in microseconds (average).</summary>
    public Metric MetricOverheadLatency(IMetricOptions? props = null) => Metric("OverheadLatency", statistic: "Average", props: props);

    /// <summary>Requests answered with a 4xx (sum).</summary>
    public Metric MetricInvocation4xxErrors(IMetricOptions? props = null) => Metric("Invocation4XXErrors", props: props);

    /// <summary>Requests answered with a 5xx (sum).</summary>
    public Metric MetricInvocation5xxErrors(IMetricOptions? props = null) => Metric("Invocation5XXErrors", props: props);

    /// <summary>GPU utilization, summed over the instance's GPUs (0 to 100 × GPUs; average).</summary>
    public Metric MetricGpuUtilization(IMetricOptions? props = null) => InstanceMetric("GPUUtilization", props);

    /// <summary>GPU memory utilization, summed over the instance's GPUs (0 to 100 × GPUs; average).</summary>
    public Metric MetricGpuMemoryUtilization(IMetricOptions? props = null) => InstanceMetric("GPUMemoryUtilization", props);

    /// <summary>Disk utilization of the instances, in percent (average).</summary>
    public Metric MetricDiskUtilization(IMetricOptions? props = null) => InstanceMetric("DiskUtilization", props);

    /// <summary>CPU utilization of the instances (average); its sample count shows whether instances run at all.</summary>
    public Metric MetricCpuUtilization(IMetricOptions? props = null) => InstanceMetric("CPUUtilization", props);

    /// <summary>Requests queued on an async endpoint (average).</summary>
    public Metric MetricBacklogSize(IMetricOptions? props = null) => EndpointMetric("ApproximateBacklogSize", "Average", props);

    /// <summary>Requests queued per instance on an async endpoint (average), the async scaling metric.</summary>
    public Metric MetricBacklogSizePerInstance(IMetricOptions? props = null) => EndpointMetric("ApproximateBacklogSizePerInstance", "Average", props);

    /// <summary>Age of the oldest queued request on an async endpoint, in seconds (maximum).</summary>
    public Metric MetricBacklogAge(IMetricOptions? props = null) => EndpointMetric("ApproximateAgeOfOldestRequest", "Maximum", props);

    /// <summary>1 while an async endpoint has queued requests and no instance (average).</summary>
    public Metric MetricHasBacklogWithoutCapacity(IMetricOptions? props = null) => EndpointMetric("HasBacklogWithoutCapacity", "Average", props);

    /// <summary>Async requests processed (sum).</summary>
    public Metric MetricInvocationsProcessed(IMetricOptions? props = null) => EndpointMetric("InvocationsProcessed", "Sum", props);

    /// <summary>Requests refused because an inference component had no copy to serve them (sum): the scale-from-zero signal.</summary>
    public Metric MetricNoCapacityInvocationFailures(IMetricOptions? props = null) =>
        MetricWith("NoCapacityInvocationFailures", "AWS/SageMaker",
            new Dictionary<string, string> { ["InferenceComponentName"] = _inferenceComponentName ?? EndpointName }, "Sum", props);

    private Metric InstanceMetric(string name, IMetricOptions? props) =>
        MetricWith(name, "/aws/sagemaker/Endpoints", new Dictionary<string, string> { ["EndpointName"] = EndpointName, ["VariantName"] = VariantName }, "Average", props);

    private Metric EndpointMetric(string name, string statistic, IMetricOptions? props) =>
        MetricWith(name, "AWS/SageMaker", new Dictionary<string, string> { ["EndpointName"] = EndpointName }, statistic, props);

    private static Metric MetricWith(string name, string @namespace, Dictionary<string, string> dimensions, string statistic, IMetricOptions? props)
    {
        var metric = new Metric(new MetricProps
        {
            Namespace = @namespace,
            MetricName = name,
            DimensionsMap = dimensions,
            Statistic = statistic,
            Period = Duration.Minutes(5),
        });
        return props is null ? metric : metric.With(props);
    }

    // ---------------------------------------------------------------- endpoint config

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

    // ---------------------------------------------------------------- alarms, guardrails, scaling

    private void CreateAlarms(GpuModelEndpointProps props)
    {
        var period = Duration.Minutes(5);
        if (!IsAsync)
        {
            AddAlarm("ServerErrors", new MathExpression(new MathExpressionProps
            {
                Expression = "IF(invocations > 0, 100 * errors / invocations, 0)",
                UsingMetrics = new Dictionary<string, IMetric> { ["errors"] = MetricInvocation5xxErrors(), ["invocations"] = MetricInvocations() },
                Label = "5xx rate (%)",
                Period = period,
            }), props.ServerErrorRateAlarmPercent, 3,
                $"More than {props.ServerErrorRateAlarmPercent} % of requests to {EndpointName} failed with a 5xx for 15 minutes: the model container is failing.");
            AddAlarm("ModelLatency", MetricModelLatency(new MetricOptions { Statistic = "p99" }), props.ModelLatencyP99AlarmThreshold.ToMilliseconds() * 1000.0, 3,
                $"p99 model latency of {EndpointName} has been above {props.ModelLatencyP99AlarmThreshold.ToMilliseconds() / 1000.0} s for 15 minutes: the endpoint is saturated or the model is stuck.");
        }
        else
        {
            var async = ((RealTimeHosting)props.Hosting).Async!;
            AddAlarm("BacklogAge", MetricBacklogAge(), async.BacklogAgeAlarmThreshold.ToSeconds(), 3,
                $"The oldest queued request of {EndpointName} has waited more than {async.BacklogAgeAlarmThreshold.ToSeconds()} s for 15 minutes: the endpoint cannot keep up, or cannot scale out from zero.");
        }

        if (_instanceType is { IsGpu: true } gpu)
        {
            AddAlarm("GpuMemory", new MathExpression(new MathExpressionProps
            {
                Expression = $"memory / {gpu.Accelerators}",
                UsingMetrics = new Dictionary<string, IMetric> { ["memory"] = MetricGpuMemoryUtilization() },
                Label = "GPU memory used (% of the instance's GPU memory)",
                Period = period,
            }), props.GpuMemoryAlarmPercent, 3,
                $"GPU memory of {EndpointName} has been above {props.GpuMemoryAlarmPercent} % for 15 minutes: requests risk out-of-memory failures.");
        }

        if (_instanceType is not null)
        {
            var hours = (int)props.IdleAlarmAfter.ToHours();
            var idle = new Alarm(this, "IdleGpuAlarm", new AlarmProps
            {
                AlarmDescription = $"{EndpointName} has had instances running and no invocation for {hours} hours: you are paying for an idle {_instanceType.Name}. Scale it down, switch to inference components (scale to zero), or delete it.",
                Metric = new MathExpression(new MathExpressionProps
                {
                    Expression = "IF(FILL(instances, 0) > 0 AND FILL(invocations, 0) == 0, 1, 0)",
                    UsingMetrics = new Dictionary<string, IMetric>
                    {
                        ["instances"] = MetricCpuUtilization(new MetricOptions { Statistic = "SampleCount", Period = Duration.Hours(1) }),
                        ["invocations"] = IsAsync ? MetricInvocationsProcessed(new MetricOptions { Period = Duration.Hours(1) }) : MetricInvocations(new MetricOptions { Period = Duration.Hours(1) }),
                    },
                    Label = "Idle instance hours",
                    Period = Duration.Hours(1),
                }),
                Threshold = 1,
                EvaluationPeriods = hours,
                DatapointsToAlarm = hours,
                ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                TreatMissingData = TreatMissingData.NOT_BREACHING,
            });
            _alarms["IdleGpu"] = idle;
            Platform.AlarmTopic.Notify(idle);
        }
    }

    private void AddAlarm(string purpose, IMetric metric, double threshold, int periods, string description)
    {
        var alarm = new Alarm(this, purpose + "Alarm", new AlarmProps
        {
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold,
            EvaluationPeriods = periods,
            DatapointsToAlarm = periods,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        _alarms[purpose] = alarm;
        Platform.AlarmTopic.Notify(alarm);
    }

    private void ConfigureGuardrails(RealTimeHosting rt)
    {
        var guardrails = rt.Guardrails ?? (rt.Async is null ? new DeploymentGuardrails() : DeploymentGuardrails.None);
        if (!guardrails.Enabled) return;
        var traffic = guardrails.Traffic ?? (rt.EffectiveInitial >= 2 ? TrafficShift.Canary(10, Duration.Minutes(10)) : TrafficShift.AllAtOnce(Duration.Minutes(10)));
        var routing = new CfnEndpoint.TrafficRoutingConfigProperty
        {
            Type = traffic.Type,
            WaitIntervalInSeconds = traffic.Wait.ToSeconds(),
            CanarySize = traffic.Type == "CANARY" ? new CfnEndpoint.CapacitySizeProperty { Type = "CAPACITY_PERCENT", Value = traffic.Percent!.Value } : null,
            LinearStepSize = traffic.Type == "LINEAR" ? new CfnEndpoint.CapacitySizeProperty { Type = "CAPACITY_PERCENT", Value = traffic.Percent!.Value } : null,
        };
        var rollbackAlarms = guardrails.RollbackOnAlarms
            ? _alarms.Where(a => a.Key is "ServerErrors" or "ModelLatency" or "BacklogAge")
                .Select(a => (object)new CfnEndpoint.AlarmProperty { AlarmName = a.Value.AlarmName }).ToArray()
            : Array.Empty<object>();
        Endpoint.DeploymentConfig = new CfnEndpoint.DeploymentConfigProperty
        {
            BlueGreenUpdatePolicy = new CfnEndpoint.BlueGreenUpdatePolicyProperty
            {
                TrafficRoutingConfiguration = routing,
                TerminationWaitInSeconds = guardrails.TerminationWait.ToSeconds(),
                MaximumExecutionTimeoutInSeconds = guardrails.MaximumExecutionTimeout.ToSeconds(),
            },
            AutoRollbackConfiguration = rollbackAlarms.Length > 0 ? new CfnEndpoint.AutoRollbackConfigProperty { Alarms = rollbackAlarms } : null,
        };
    }

    private void ConfigureAutoScaling()
    {
        switch (_hosting)
        {
            case InferenceComponentHosting ic:
            {
                var maxCopies = ic.MaxCopies ?? MaxCopiesThatFit(ic);
                var target = ScalableTarget("CopyScaling", $"inference-component/{_inferenceComponentName}", "sagemaker:inference-component:DesiredCopyCount",
                    ic.MinCopies, maxCopies, InferenceComponent!);
                TargetTracking("InvocationsPerCopy", target, ic, ic.MaxRequestsPerSecondPerCopy * 60 * ic.TargetUtilizationPercent / 100.0,
                    new CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty
                    {
                        PredefinedMetricSpecification = new CfnScalingPolicy.PredefinedMetricSpecificationProperty { PredefinedMetricType = "SageMakerInferenceComponentInvocationsPerCopy" },
                    });
                if (ic.MinCopies == 0)
                    ScaleOutFromZero("ScaleOutFromZero", target, ic, MetricNoCapacityInvocationFailures(new MetricOptions { Period = Duration.Minutes(1) }),
                        $"Requests to {_inferenceComponentName} find no copy to serve them: add one (scale out from zero).");
                break;
            }
            case RealTimeHosting { Async: { } async } rt:
            {
                if (rt.EffectiveMax == rt.MinInstances) break;
                var target = ScalableTarget("InstanceScaling", $"endpoint/{EndpointName}/variant/{VariantName}", "sagemaker:variant:DesiredInstanceCount",
                    rt.MinInstances, rt.EffectiveMax, Endpoint);
                TargetTracking("BacklogPerInstance", target, rt, async.TargetBacklogPerInstance,
                    new CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty
                    {
                        CustomizedMetricSpecification = new CfnScalingPolicy.CustomizedMetricSpecificationProperty
                        {
                            Namespace = "AWS/SageMaker",
                            MetricName = "ApproximateBacklogSizePerInstance",
                            Dimensions = new object[] { new CfnScalingPolicy.MetricDimensionProperty { Name = "EndpointName", Value = EndpointName } },
                            Statistic = "Average",
                        },
                    });
                if (rt.MinInstances == 0)
                    ScaleOutFromZero("ScaleOutFromZero", target, rt, MetricHasBacklogWithoutCapacity(new MetricOptions { Period = Duration.Minutes(1) }),
                        $"{EndpointName} has queued requests and no instance: add one (scale out from zero).");
                break;
            }
            case RealTimeHosting rt:
            {
                if (rt.EffectiveMax == rt.MinInstances) break;
                var target = ScalableTarget("InstanceScaling", $"endpoint/{EndpointName}/variant/{VariantName}", "sagemaker:variant:DesiredInstanceCount",
                    rt.MinInstances, rt.EffectiveMax, Endpoint);
                TargetTracking("InvocationsPerInstance", target, rt, rt.MaxRequestsPerSecondPerInstance * 60 * rt.TargetUtilizationPercent / 100.0,
                    new CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty
                    {
                        PredefinedMetricSpecification = new CfnScalingPolicy.PredefinedMetricSpecificationProperty { PredefinedMetricType = "SageMakerVariantInvocationsPerInstance" },
                    });
                break;
            }
        }
    }

    private int MaxCopiesThatFit(InferenceComponentHosting ic) =>
        ic.AcceleratorsPerCopy > 0 ? Math.Max(1, ic.EffectiveMax * (_instanceType!.Accelerators / ic.AcceleratorsPerCopy)) : ic.EffectiveMax;

    // The service-linked role AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint is used: no RoleARN is given.
    private CfnScalableTarget ScalableTarget(string id, string resourceId, string dimension, int min, int max, CfnResource scaled)
    {
        var target = new CfnScalableTarget(this, id, new CfnScalableTargetProps
        {
            ServiceNamespace = "sagemaker",
            ResourceId = resourceId,
            ScalableDimension = dimension,
            MinCapacity = min,
            MaxCapacity = max,
        });
        target.AddDependency(scaled);
        return target;
    }

    private void TargetTracking(string id, CfnScalableTarget target, InstanceHosting hosting, double targetValue, CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty config)
    {
        config.TargetValue = Math.Round(targetValue, 3);
        config.ScaleInCooldown = hosting.ScaleInCooldown.ToSeconds();
        config.ScaleOutCooldown = hosting.ScaleOutCooldown.ToSeconds();
        _ = new CfnScalingPolicy(this, id + "Scaling", new CfnScalingPolicyProps
        {
            PolicyName = $"{EndpointName}-{id}",
            PolicyType = "TargetTrackingScaling",
            ScalingTargetId = target.Ref,
            TargetTrackingScalingPolicyConfiguration = config,
        });
    }

    private void ScaleOutFromZero(string id, CfnScalableTarget target, InstanceHosting hosting, Metric signal, string description)
    {
        var policy = new CfnScalingPolicy(this, id + "Scaling", new CfnScalingPolicyProps
        {
            PolicyName = $"{EndpointName}-{id}",
            PolicyType = "StepScaling",
            ScalingTargetId = target.Ref,
            StepScalingPolicyConfiguration = new CfnScalingPolicy.StepScalingPolicyConfigurationProperty
            {
                AdjustmentType = "ChangeInCapacity",
                MetricAggregationType = "Maximum",
                Cooldown = hosting.ScaleOutCooldown.ToSeconds(),
                StepAdjustments = new object[] { new CfnScalingPolicy.StepAdjustmentProperty { MetricIntervalLowerBound = 0, ScalingAdjustment = 1 } },
            },
        });
        var alarm = new Alarm(this, id + "Alarm", new AlarmProps
        {
            AlarmDescription = description,
            Metric = signal,
            Threshold = 1,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(new PolicyAction(policy.Ref));
    }

    private sealed class PolicyAction(string policyArn) : Amazon.JSII.Runtime.Deputy.DeputyBase, IAlarmAction
    {
        public IAlarmActionConfig Bind(Construct scope, IAlarm alarm) => new AlarmActionConfig { AlarmActionArn = policyArn };
    }

    // ---------------------------------------------------------------- dashboard and cost

    private void AddDashboardSection()
    {
        var widgets = new List<IWidget>
        {
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Invocations and errors",
                Left = IsAsync
                    ? new IMetric[] { MetricInvocationsProcessed(), MetricBacklogSize() }
                    : new IMetric[] { MetricInvocations(), MetricInvocation4xxErrors(), MetricInvocation5xxErrors() },
                Width = 8,
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Latency (µs)",
                Left = new IMetric[] { MetricModelLatency(new MetricOptions { Statistic = "p50" }), MetricModelLatency(new MetricOptions { Statistic = "p99" }), MetricOverheadLatency() },
                Width = 8,
            }),
        };
        if (_instanceType is not null)
            widgets.Add(new GraphWidget(new GraphWidgetProps
            {
                Title = "Instances: GPU, GPU memory, disk (%)",
                Left = _instanceType.IsGpu
                    ? new IMetric[] { MetricGpuUtilization(), MetricGpuMemoryUtilization(), MetricDiskUtilization() }
                    : new IMetric[] { MetricCpuUtilization(), MetricDiskUtilization() },
                Width = 8,
            }));
        Platform.Dashboard.AddSection(this, $"SageMaker endpoint {EndpointName} ({_hosting.PropName}, worst case ${WorstCaseHourlyCostUsd.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}/h)", widgets.ToArray());
    }

    private (double Hourly, string Region, List<Dictionary<string, object>> Items) ComputeWorstCase()
    {
        var table = PriceTable.Default;
        var stackRegion = Stack.Of(this).Region;
        var region = table.PricedRegion(Token.IsUnresolved(stackRegion) ? null : stackRegion);
        var items = new List<Dictionary<string, object>>();
        double Add(Price price, double quantity, string what)
        {
            items.Add(new Dictionary<string, object>
            {
                ["what"] = what,
                ["service"] = price.Service,
                ["sku"] = price.Sku,
                ["quantity"] = quantity,
                ["unit"] = price.Unit,
                ["unitPriceUsd"] = price.Usd,
                ["source"] = price.Source,
                ["date"] = price.Date,
                ["estimated"] = price.Estimated,
            });
            return quantity * price.Usd;
        }
        double hourly = _hosting switch
        {
            InstanceHosting ih => Add(table.Get(region, PriceTable.SageMakerHosting, ih.InstanceType), ih.EffectiveMax, "MaxInstances instances, every hour"),
            ServerlessHosting s => Add(table.Get(region, PriceTable.SageMakerServerless, "inference.gb-second"), s.MaxConcurrency * s.MemorySizeMb / 1024.0 * 3600, "MaxConcurrency invocations busy every second of the hour")
                + (s.ProvisionedConcurrency is { } pc ? Add(table.Get(region, PriceTable.SageMakerServerless, "provisioned-concurrency.gb-second"), pc * s.MemorySizeMb / 1024.0 * 3600, "provisioned concurrency, every second of the hour") : 0),
            _ => 0,
        };
        return (Math.Round(hourly, 4), region, items);
    }

    private double RecordWorstCaseCost()
    {
        var (hourly, region, items) = ComputeWorstCase();
        var stackRegion = Stack.Of(this).Region;
        if (!Token.IsUnresolved(stackRegion) && stackRegion != region)
            Annotations.Of(this).AddWarningV2("AwsModelPlatform:PriceRegion",
                $"The price table has no prices for {stackRegion}; the worst-case cost of {EndpointName} uses {region} prices.");
        Endpoint.AddMetadata(CostMetadataKey, new Dictionary<string, object>
        {
            ["worstCaseHourlyUsd"] = hourly,
            ["worstCaseMonthlyUsd"] = Math.Round(hourly * PriceTable.HoursPerMonth, 2),
            ["pricedRegion"] = region,
            ["priceTableVersion"] = PriceTable.Default.Version,
            ["items"] = items.Cast<object>().ToArray(),
            // What the cost reports need to price expected use (CostReports' endpoint pricer).
            ["hosting"] = _hosting.PropName,
            ["async"] = IsAsync,
            ["instanceType"] = _hosting is InstanceHosting h ? h.InstanceType : "",
            ["minInstances"] = _hosting is InstanceHosting m ? m.MinInstances : 0,
            ["maxInstances"] = _hosting is InstanceHosting x ? x.EffectiveMax : 0,
            ["serverlessMemoryMb"] = _hosting is ServerlessHosting sm ? sm.MemorySizeMb : 0,
            ["serverlessMaxConcurrency"] = _hosting is ServerlessHosting sc ? sc.MaxConcurrency : 0,
            ["serverlessProvisionedConcurrency"] = _hosting is ServerlessHosting sp ? sp.ProvisionedConcurrency ?? 0 : 0,
        });
        return hourly;
    }

    /// <summary>Every instance (or concurrent serverless invocation) autoscaling may run, busy all month (<see cref="WorstCaseHourlyCostUsd"/> × 730 h, per price).</summary>
    protected override IEnumerable<CostLine> CapacityCostLines(string region)
    {
        var (_, _, items) = ComputeWorstCase();
        return items.Select(i => new CostLine(CostEstimator.PathInStack(Endpoint), Endpoint.CfnResourceType,
            (double)i["quantity"] * PriceTable.HoursPerMonth, (string)i["unit"], (double)i["unitPriceUsd"],
            $"{i["quantity"]} {i["unit"]} per hour ({i["what"]}) × {PriceTable.HoursPerMonth} h"));
    }

    // ---------------------------------------------------------------- validation

    // Runs before the base constructor, so a bad prop fails synthesis before any resource (or standalone platform) is made.
    private static GpuModelEndpointProps Checked(GpuModelEndpointProps props)
    {
        ArgumentNullException.ThrowIfNull(props);
        Validate.That(props.Hosting is not null, "GpuModelEndpointProps.Hosting is required: RealTimeHosting, InferenceComponentHosting or ServerlessHosting.");
        Validate.That(props.Image is not null, "GpuModelEndpointProps.Image is required: ModelImage.FromEcrRepository or ModelImage.FromImageUri.");
        ValidateProps(props);
        return props;
    }

    private static void ValidateProps(GpuModelEndpointProps props)
    {
        if (props.EndpointName is { } name) CheckEndpointName(name, "GpuModelEndpointProps.EndpointName");
        Validate.That(props.ServerErrorRateAlarmPercent is > 0 and <= 100,
            $"GpuModelEndpointProps.ServerErrorRateAlarmPercent = {props.ServerErrorRateAlarmPercent} is out of range: a percentage above 0 and at most 100.");
        Validate.That(props.GpuMemoryAlarmPercent is > 0 and <= 100,
            $"GpuModelEndpointProps.GpuMemoryAlarmPercent = {props.GpuMemoryAlarmPercent} is out of range: a percentage above 0 and at most 100.");
        Validate.That(props.ModelLatencyP99AlarmThreshold.ToMilliseconds() >= 1000,
            $"GpuModelEndpointProps.ModelLatencyP99AlarmThreshold = {props.ModelLatencyP99AlarmThreshold.ToMilliseconds()} ms is too short: at least 1 s.");
        var idleMinutes = props.IdleAlarmAfter.ToMilliseconds() / 60_000.0;
        Validate.That(idleMinutes is >= 60 and <= 24 * 60 && idleMinutes % 60 == 0,
            $"GpuModelEndpointProps.IdleAlarmAfter = {idleMinutes} minutes is out of range: whole hours from 1 to 24 (an alarm evaluates at most 24 hourly periods).");
        Validate.InRange(props.DataRetentionDays, 1, 3650, "GpuModelEndpointProps.DataRetentionDays", "days captured data and async results are kept");

        switch (props.Hosting)
        {
            case ServerlessHosting s:
                Validate.That(s.MemorySizeMb is >= 1024 and <= 6144 && s.MemorySizeMb % 1024 == 0,
                    $"ServerlessHosting.MemorySizeMb = {s.MemorySizeMb} is not a size SageMaker Serverless offers: use 1024, 2048, 3072, 4096, 5120 or 6144.");
                Validate.InRange(s.MaxConcurrency, 1, 200, "ServerlessHosting.MaxConcurrency", "SageMaker Serverless allows 1 to 200 concurrent invocations per endpoint");
                if (s.ProvisionedConcurrency is { } pc)
                    Validate.That(pc >= 1 && pc <= s.MaxConcurrency,
                        $"ServerlessHosting.ProvisionedConcurrency = {pc} is out of range: 1 to MaxConcurrency ({s.MaxConcurrency}).");
                break;

            case InstanceHosting ih:
                ValidateInstanceHosting(ih);
                break;
        }
    }

    private static void ValidateInstanceHosting(InstanceHosting ih)
    {
        var p = ih.PropName;
        Validate.That(SageMakerInstanceTypes.TryGet(ih.InstanceType ?? "", out var type),
            $"{p}.InstanceType = '{ih.InstanceType}' is not a SageMaker hosting instance type this library knows and prices; use one of {SageMakerInstanceTypes.Families} (see SageMakerInstanceTypes.All).");
        var minAllowed = ih is RealTimeHosting { Async: null } ? 1 : 0;
        Validate.That(ih.MinInstances >= minAllowed,
            minAllowed == 1
                ? $"{p}.MinInstances = {ih.MinInstances}: a synchronous real-time endpoint cannot scale to zero; use 1 or more, set Async for an async endpoint, or use InferenceComponentHosting to scale to zero."
                : $"{p}.MinInstances = {ih.MinInstances} is negative; use 0 or more.");
        Validate.That(ih.MaxInstances is null || ih.MaxInstances >= Math.Max(1, ih.MinInstances),
            $"{p}.MinInstances = {ih.MinInstances} and MaxInstances = {ih.MaxInstances}: MaxInstances must be at least MinInstances and at least 1.");
        Validate.That(ih.EffectiveInitial >= 1 && ih.EffectiveInitial >= ih.MinInstances && ih.EffectiveInitial <= ih.EffectiveMax,
            $"{p}.InitialInstances = {ih.EffectiveInitial} is out of range: from max(1, MinInstances) = {Math.Max(1, ih.MinInstances)} to MaxInstances = {ih.EffectiveMax}.");
        Validate.That(!type.IsBurstable || ih.EffectiveMax == ih.MinInstances,
            $"{p}.InstanceType = '{ih.InstanceType}' is burstable: its CPU credits make scaling metrics meaningless, so autoscaling (MinInstances {ih.MinInstances} < MaxInstances {ih.EffectiveMax}) is refused; set MaxInstances = MinInstances or use a non-burstable type such as ml.m5.large.");
        if (ih.VolumeSizeGb is { } volume)
        {
            Validate.That(!type.HasLocalNvmeStorage,
                $"{p}.VolumeSizeGb = {volume} cannot be set for {type.Name}: it has local NVMe instance storage, which SageMaker uses instead of an EBS volume (and refuses VolumeSizeInGB for); leave VolumeSizeGb unset.");
            Validate.InRange(volume, 1, 512, $"{p}.VolumeSizeGb", "SageMaker attaches 1 to 512 GB of EBS per instance");
        }
        CheckSeconds(ih.ContainerStartupTimeout, 60, 3600, $"{p}.ContainerStartupTimeout");
        CheckSeconds(ih.ModelDownloadTimeout, 60, 3600, $"{p}.ModelDownloadTimeout");
        CheckSeconds(ih.ScaleOutCooldown, 0, 86400, $"{p}.ScaleOutCooldown");
        CheckSeconds(ih.ScaleInCooldown, 0, 86400, $"{p}.ScaleInCooldown");
        Validate.InRange(ih.TargetUtilizationPercent, 10, 90, $"{p}.TargetUtilizationPercent", "target tracking needs headroom but must not idle");

        switch (ih)
        {
            case RealTimeHosting rt:
                Validate.That(rt.MaxRequestsPerSecondPerInstance > 0,
                    $"RealTimeHosting.MaxRequestsPerSecondPerInstance = {rt.MaxRequestsPerSecondPerInstance} must be above 0: the requests per second one instance sustains.");
                if (rt.Async is { } async)
                {
                    if (async.MaxConcurrentInvocationsPerInstance is { } c)
                        Validate.InRange(c, 1, 1000, "AsyncInference.MaxConcurrentInvocationsPerInstance", "SageMaker accepts 1 to 1000");
                    Validate.That(async.TargetBacklogPerInstance > 0,
                        $"AsyncInference.TargetBacklogPerInstance = {async.TargetBacklogPerInstance} must be above 0: the queued requests per instance backlog scaling holds.");
                    Validate.That(async.BacklogAgeAlarmThreshold.ToSeconds() >= 60,
                        $"AsyncInference.BacklogAgeAlarmThreshold = {async.BacklogAgeAlarmThreshold.ToSeconds()} s is too short: at least 60 s.");
                }
                if (rt.DataCapture is { Enabled: true } capture)
                {
                    Validate.InRange(capture.SamplingPercent, 1, 100, "DataCapture.SamplingPercent", "a percentage of requests");
                    Validate.That(capture.CaptureInput || capture.CaptureOutput,
                        "DataCapture: CaptureInput and CaptureOutput are both false; capture at least one, or use DataCapture.Off.");
                }
                if (rt.Guardrails is { Enabled: true } g)
                {
                    if (g.Traffic is { } t)
                    {
                        if (t.Percent is { } percent)
                            Validate.InRange(percent, 1, 99, $"DeploymentGuardrails.Traffic ({t.Type}) percent", "a share of the new fleet's capacity, less than all of it");
                        CheckSeconds(t.Wait, 0, 3600, $"DeploymentGuardrails.Traffic ({t.Type}) wait");
                    }
                    CheckSeconds(g.TerminationWait, 0, 3600, "DeploymentGuardrails.TerminationWait");
                    CheckSeconds(g.MaximumExecutionTimeout, 600, 28800, "DeploymentGuardrails.MaximumExecutionTimeout");
                }
                break;

            case InferenceComponentHosting ic:
                Validate.That(type.Accelerators == 0 ? ic.AcceleratorsPerCopy == 0 : ic.AcceleratorsPerCopy >= 1 && ic.AcceleratorsPerCopy <= type.Accelerators,
                    type.Accelerators == 0
                        ? $"InferenceComponentHosting.AcceleratorsPerCopy = {ic.AcceleratorsPerCopy}: {type.Name} has no accelerator; set 0."
                        : $"InferenceComponentHosting.AcceleratorsPerCopy = {ic.AcceleratorsPerCopy} is out of range: {type.Name} has {type.Accelerators} accelerator(s), so 1 to {type.Accelerators}.");
                Validate.That(ic.MemoryPerCopyMb >= 128,
                    $"InferenceComponentHosting.MemoryPerCopyMb = {ic.MemoryPerCopyMb} is too small: SageMaker requires at least 128 MB per copy.");
                if (ic.CpuCoresPerCopy is { } cores)
                    Validate.That(cores >= 0.25, $"InferenceComponentHosting.CpuCoresPerCopy = {cores} is too small: at least 0.25 cores.");
                Validate.That(ic.MinCopies >= 0, $"InferenceComponentHosting.MinCopies = {ic.MinCopies} is negative; use 0 (scale to zero) or more.");
                Validate.That(ic.MaxCopies is null || ic.MaxCopies >= Math.Max(1, ic.MinCopies),
                    $"InferenceComponentHosting.MinCopies = {ic.MinCopies} and MaxCopies = {ic.MaxCopies}: MaxCopies must be at least MinCopies and at least 1.");
                Validate.That(ic.InitialCopies >= ic.MinCopies && (ic.MaxCopies is null || ic.InitialCopies <= ic.MaxCopies),
                    $"InferenceComponentHosting.InitialCopies = {ic.InitialCopies} is out of range: from MinCopies = {ic.MinCopies} to MaxCopies = {ic.MaxCopies?.ToString() ?? "what MaxInstances hold"}.");
                Validate.That(ic.MaxRequestsPerSecondPerCopy > 0,
                    $"InferenceComponentHosting.MaxRequestsPerSecondPerCopy = {ic.MaxRequestsPerSecondPerCopy} must be above 0: the requests per second one copy sustains.");
                break;
        }
    }

    private static void CheckSeconds(Duration duration, int min, int max, string prop)
    {
        var seconds = duration.ToMilliseconds() / 1000.0;
        Validate.That(seconds >= min && seconds <= max && seconds == Math.Floor(seconds), $"{prop} = {seconds} s is out of range: whole seconds from {min} to {max}.");
    }

    private static void CheckEndpointName(string name, string prop) =>
        Validate.That(Token.IsUnresolved(name) || Regex.IsMatch(name, "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"),
            $"{prop} = '{name}' is not a SageMaker endpoint name: 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.");

    private static string LowerName(Construct scope, int maxLength, string? suffix = null)
    {
        var unique = Names.UniqueResourceName(scope, new UniqueResourceNameOptions { MaxLength = maxLength - (suffix is null ? 0 : suffix.Length + 1), Separator = "-" });
        var name = Regex.Replace(unique.ToLowerInvariant(), "[^a-z0-9-]", "-").Trim('-');
        name = Regex.Replace(name, "-{2,}", "-");
        return suffix is null ? name : name + "-" + suffix;
    }

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

        public ImportedEndpoint(Construct scope, string id, string name, string[] components, bool isAsync) : base(scope, id)
        {
            EndpointName = name;
            EndpointArn = Stack.Of(this).FormatArn(new ArnComponents { Service = "sagemaker", Resource = "endpoint", ResourceName = Token.IsUnresolved(name) ? name : name.ToLowerInvariant() });
            InferenceComponentNames = components;
            IsAsync = isAsync;
        }

        public Grant GrantInvoke(IGrantable grantee) => GrantInvokeOn(this, grantee, EndpointName, InferenceComponentNames);
    }
}
