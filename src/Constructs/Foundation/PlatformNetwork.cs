using Amazon.CDK.AWS.EC2;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>The network the platform's functions, endpoints and training jobs run in.</summary>
public interface IPlatformNetwork
{
    /// <summary>The VPC.</summary>
    IVpc Vpc { get; }

    /// <summary>The subnets workloads are placed in (private; isolated unless egress was asked for).</summary>
    SubnetSelection WorkloadSubnets { get; }
}

/// <summary>Properties of <see cref="PlatformNetwork"/>.</summary>
public sealed record PlatformNetworkProps
{
    /// <summary>The key that encrypts the flow-log group.</summary>
    /// <remarks>Default: a new <see cref="PlatformKey"/> owned by the network.</remarks>
    public IPlatformKey? Key { get; init; }

    /// <summary>Number of Availability Zones (at least 2).</summary>
    /// <remarks>Default: 2: enough for SageMaker and Lambda to survive an AZ outage, and each extra AZ adds a set of interface endpoints to the bill.</remarks>
    public int MaxAzs { get; init; } = 2;

    /// <summary>CIDR of the VPC.</summary>
    /// <remarks>Default: <c>10.64.0.0/16</c>.</remarks>
    public string Cidr { get; init; } = "10.64.0.0/16";

    /// <summary>Whether workloads get internet egress through NAT gateways.</summary>
    /// <remarks>Default: false. Every AWS API the platform calls is reached through VPC endpoints, so GPU workloads never need the internet; a NAT gateway costs money and widens the exfiltration path.</remarks>
    public bool AllowInternetEgress { get; init; }

    /// <summary>Interface endpoints to create.</summary>
    /// <remarks>Default: <see cref="PlatformNetwork.DefaultInterfaceEndpoints"/>: everything the platform's functions, endpoints and Batch jobs call.</remarks>
    public IReadOnlyList<InterfaceVpcEndpointAwsService>? InterfaceEndpoints { get; init; }

    /// <summary>Retention of the VPC flow logs (bounded: <see cref="Amazon.CDK.AWS.Logs.RetentionDays.INFINITE"/> is refused).</summary>
    /// <remarks>Default: <see cref="Amazon.CDK.AWS.Logs.RetentionDays.ONE_YEAR"/>.</remarks>
    public Amazon.CDK.AWS.Logs.RetentionDays FlowLogRetention { get; init; } = LogGroupDefaults.Retention;

    /// <summary>Which traffic the flow logs record.</summary>
    /// <remarks>Default: <see cref="FlowLogTrafficType.ALL"/>: rejected traffic alone misses data leaving through an allowed path.</remarks>
    public FlowLogTrafficType FlowLogTraffic { get; init; } = FlowLogTrafficType.ALL;

    /// <summary>What happens to the flow-log group when it leaves the stack.</summary>
    /// <remarks>Default: <see cref="RemovalPolicy.RETAIN"/>.</remarks>
    public RemovalPolicy RemovalPolicy { get; init; } = RemovalPolicy.RETAIN;
}

/// <summary>
/// A VPC for GPU workloads that never needs the internet: private isolated subnets in at least two AZs, no NAT
/// gateway, an S3 gateway endpoint and interface endpoints for every AWS API the platform calls (admitting 443
/// from the VPC only), the default security group stripped of its rules, and flow logs to an encrypted log group.
/// </summary>
public sealed class PlatformNetwork : Construct, IPlatformNetwork
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private ConstructChecks Check => Validate.Of(this);

    /// <summary>The interface endpoints created by default: SageMaker runtime and API, Batch, ECS, ECR, CloudWatch Logs and monitoring, KMS, STS.</summary>
    public static IReadOnlyList<InterfaceVpcEndpointAwsService> DefaultInterfaceEndpoints { get; } = new[]
    {
        InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME,
        InterfaceVpcEndpointAwsService.SAGEMAKER_API,
        InterfaceVpcEndpointAwsService.BATCH,
        InterfaceVpcEndpointAwsService.ECS,
        InterfaceVpcEndpointAwsService.ECS_AGENT,
        InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
        InterfaceVpcEndpointAwsService.ECR,
        InterfaceVpcEndpointAwsService.ECR_DOCKER,
        InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
        InterfaceVpcEndpointAwsService.KMS,
        InterfaceVpcEndpointAwsService.STS,
    };

    /// <inheritdoc />
    public IVpc Vpc { get; }

    /// <inheritdoc />
    public SubnetSelection WorkloadSubnets { get; }

    /// <summary>The security group of the interface endpoints: 443 from the VPC CIDR in, nothing out.</summary>
    public SecurityGroup EndpointSecurityGroup { get; }

    /// <summary>The encrypted log group receiving the VPC flow logs.</summary>
    public Amazon.CDK.AWS.Logs.LogGroup FlowLogGroup { get; }

    /// <summary>Creates the VPC, its endpoints and its flow logs.</summary>
    public PlatformNetwork(Construct scope, string id, PlatformNetworkProps? props = null) : base(scope, id)
    {
        props ??= new PlatformNetworkProps();
        Check.That(props.MaxAzs >= 2,
            $"PlatformNetworkProps.MaxAzs = {props.MaxAzs}: the platform needs at least 2 Availability Zones so an AZ outage does not take the API and endpoints down; set MaxAzs to 2 or more.");
        LogGroupDefaults.CheckRetention(Check, props.FlowLogRetention, "PlatformNetworkProps.FlowLogRetention");
        var key = props.Key ?? new PlatformKey(this, "Key");
        var workloadSubnetType = props.AllowInternetEgress ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED;

        var subnets = new List<ISubnetConfiguration>
        {
            new SubnetConfiguration { Name = "Workload", SubnetType = workloadSubnetType, CidrMask = 20 },
        };
        if (props.AllowInternetEgress)
            subnets.Add(new SubnetConfiguration { Name = "Egress", SubnetType = SubnetType.PUBLIC, CidrMask = 24, MapPublicIpOnLaunch = false });

        var vpc = new Vpc(this, "Vpc", new VpcProps
        {
            IpAddresses = IpAddresses.Cidr(props.Cidr),
            MaxAzs = props.MaxAzs,
            NatGateways = props.AllowInternetEgress ? props.MaxAzs : 0,
            SubnetConfiguration = subnets.ToArray(),
            RestrictDefaultSecurityGroup = true,
            EnableDnsHostnames = true,
            EnableDnsSupport = true,
        });
        Vpc = vpc;
        WorkloadSubnets = new SubnetSelection { SubnetType = workloadSubnetType };

        FlowLogGroup = LogGroupDefaults.Create(this, "FlowLogs", key, props.FlowLogRetention, props.RemovalPolicy);
        vpc.AddFlowLog("FlowLog", new FlowLogOptions
        {
            Destination = FlowLogDestination.ToCloudWatchLogs(FlowLogGroup),
            TrafficType = props.FlowLogTraffic,
        });

        vpc.AddGatewayEndpoint("S3", new GatewayVpcEndpointOptions
        {
            Service = GatewayVpcEndpointAwsService.S3,
            Subnets = new ISubnetSelection[] { WorkloadSubnets },
        });

        EndpointSecurityGroup = new SecurityGroup(this, "EndpointSecurityGroup", new SecurityGroupProps
        {
            Vpc = vpc,
            Description = "VPC interface endpoints: HTTPS from inside the VPC only",
            AllowAllOutbound = false,
        });
        // The CIDR as given rather than the VPC's CidrBlock attribute: the same value, and one a template check can read.
        EndpointSecurityGroup.AddIngressRule(Peer.Ipv4(props.Cidr), Port.Tcp(443), "HTTPS from the VPC");

        foreach (var service in props.InterfaceEndpoints ?? DefaultInterfaceEndpoints)
        {
            vpc.AddInterfaceEndpoint(EndpointId(service), new InterfaceVpcEndpointOptions
            {
                Service = service,
                Subnets = WorkloadSubnets,
                SecurityGroups = new ISecurityGroup[] { EndpointSecurityGroup },
                Open = false,
                PrivateDnsEnabled = true,
            });
        }
        PlatformAspects.ApplyOnce(this);
    }

    /// <summary>
    /// Uses an existing VPC. It must span at least two AZs with subnets of <paramref name="workloadSubnets"/>; its
    /// endpoints, flow logs and default security group are the owner's to manage.
    /// </summary>
    public static IPlatformNetwork FromVpc(IVpc vpc, SubnetSelection? workloadSubnets = null)
    {
        var selection = workloadSubnets ?? new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED };
        var selected = vpc.SelectSubnets(selection);
        var azs = selected.AvailabilityZones.Distinct().Count();
        Validate.That(vpc, selected.HasPublic == false,
            "PlatformNetwork.FromVpc: the workload subnets selected are public; select private subnets (isolated or with egress).");
        Validate.That(vpc, azs >= 2 || Token.IsUnresolved(selected.AvailabilityZones.FirstOrDefault() ?? ""),
            $"PlatformNetwork.FromVpc: the workload subnets of VPC {vpc.Node.Path} span {azs} Availability Zone(s); the platform needs at least 2. Select private subnets in 2 or more AZs.");
        return new ImportedNetwork(vpc, selection);
    }

    private static string EndpointId(InterfaceVpcEndpointAwsService service) =>
        string.Concat(service.ShortName.Split('.', '-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    private sealed record ImportedNetwork(IVpc Vpc, SubnetSelection WorkloadSubnets) : IPlatformNetwork;
}
