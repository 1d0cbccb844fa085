using Amazon.CDK.AWS.Logs;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Observability;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>What the platform hands to each of its constructs: one key, one network, one trail, one alarm topic, one dashboard, one cost guard.</summary>
public interface IModelPlatform
{
    /// <summary>Name of the project, written into the <c>Project</c> cost-allocation tag.</summary>
    string ProjectName { get; }

    /// <summary>Cost center written into the <c>CostCenter</c> tag, if any.</summary>
    string? CostCenter { get; }

    /// <summary>Start of the physical name of every bucket and function the platform's constructs name (<see cref="PlatformNames"/>); the trail logs their data events by this prefix.</summary>
    string NamePrefix { get; }

    /// <summary>The customer-managed key that encrypts everything.</summary>
    IPlatformKey Key { get; }

    /// <summary>The VPC and the subnets workloads run in.</summary>
    IPlatformNetwork Network { get; }

    /// <summary>The bucket receiving S3 server access logs.</summary>
    IAccessLogsBucket AccessLogs { get; }

    /// <summary>The audit trail buckets and functions register with for data events.</summary>
    IAuditTrail Trail { get; }

    /// <summary>The topic every alarm notifies.</summary>
    IAlarmTopic AlarmTopic { get; }

    /// <summary>The dashboard every construct adds its widgets to.</summary>
    IPlatformDashboard Dashboard { get; }

    /// <summary>The budgets, anomaly detection and billing alarm of the platform.</summary>
    CostGuard CostGuard { get; }

    /// <summary>Retention of every log group the platform's constructs create.</summary>
    RetentionDays LogRetention { get; }

    /// <summary>Removal policy of data-bearing resources (keys, buckets, log groups).</summary>
    RemovalPolicy RemovalPolicy { get; }
}

/// <summary>Properties of <see cref="ModelPlatform"/>.</summary>
public sealed record ModelPlatformProps
{
    /// <summary>Name of the project, written into the <c>Project</c> tag of every resource.</summary>
    /// <remarks>Default: <c>AwsModelPlatform</c>.</remarks>
    public string ProjectName { get; init; } = "AwsModelPlatform";

    /// <summary>Cost center written into the <c>CostCenter</c> tag.</summary>
    /// <remarks>Default: no <c>CostCenter</c> tag.</remarks>
    public string? CostCenter { get; init; }

    /// <summary>An address that receives every alarm by email.</summary>
    /// <remarks>Default: none.</remarks>
    public string? AlarmEmail { get; init; }

    /// <summary>An existing key to use instead of creating one.</summary>
    /// <remarks>Default: a new <see cref="PlatformKey"/>.</remarks>
    public IPlatformKey? Key { get; init; }

    /// <summary>Options of the key the platform creates (ignored when <see cref="Key"/> is given).</summary>
    public PlatformKeyProps? KeyOptions { get; init; }

    /// <summary>An existing network to use instead of creating one (see <see cref="PlatformNetwork.FromVpc"/>).</summary>
    /// <remarks>Default: a new <see cref="PlatformNetwork"/>.</remarks>
    public IPlatformNetwork? Network { get; init; }

    /// <summary>Options of the network the platform creates (ignored when <see cref="Network"/> is given; its key is the platform's).</summary>
    public PlatformNetworkProps? NetworkOptions { get; init; }

    /// <summary>
    /// ARN of an organization trail that already logs this account. Setting it is the explicit statement that the
    /// platform needs no trail of its own; data events it would log are reported as warnings to configure there.
    /// </summary>
    /// <remarks>Default: none: the platform creates its own <see cref="AuditTrail"/>.</remarks>
    public string? ExistingOrganizationTrailArn { get; init; }

    /// <summary>Options of the trail the platform creates (ignored with <see cref="ExistingOrganizationTrailArn"/>).</summary>
    public AuditTrailProps? TrailOptions { get; init; }

    /// <summary>Retention of every log group the platform's constructs create (bounded: <see cref="RetentionDays.INFINITE"/> is refused).</summary>
    /// <remarks>Default: <see cref="RetentionDays.ONE_YEAR"/>: an incident review and an annual audit, with a bounded bill.</remarks>
    public RetentionDays LogRetention { get; init; } = LogGroupDefaults.Retention;

    /// <summary>Monthly budget of the platform, in USD (shorthand for <c>CostGuard.MonthlyBudgetUsd</c>).</summary>
    /// <remarks>Default: <see cref="CostGuardProps.MonthlyBudgetUsd"/>.</remarks>
    public double? MonthlyBudgetUsd { get; init; }

    /// <summary>Options of the platform's <see cref="Cost.CostGuard"/> (budgets, anomaly detection, billing alarm, tag activation).</summary>
    /// <remarks>Default: <see cref="CostGuardProps"/> defaults.</remarks>
    public CostGuardProps? CostGuard { get; init; }

    /// <summary>Removal policy of data-bearing resources (keys, buckets, log groups).</summary>
    /// <remarks>Default: <see cref="RemovalPolicy.RETAIN"/>: a stack deletion never destroys data or audit evidence.</remarks>
    public RemovalPolicy RemovalPolicy { get; init; } = RemovalPolicy.RETAIN;

    /// <summary>
    /// Whether the platform sets API Gateway's account-wide CloudWatch role (<c>AWS::ApiGateway::Account</c>) for the APIs
    /// built on it. The setting is one per account and region and serves every REST API there: the role the platform
    /// sets may do what AWS documents for it (<c>AmazonAPIGatewayPushToCloudWatchLogs</c>'s actions) on the log groups
    /// of this account and region, and is retained when the stack is deleted. Turn it off where the setting is managed
    /// elsewhere (a landing zone): the account's role must then allow the same, or stages with logging fail to deploy.
    /// </summary>
    /// <remarks>Default: true.</remarks>
    public bool ManageApiGatewayLoggingRole { get; init; } = true;

    /// <summary>
    /// Most the whole platform may cost in a month, in USD: the foundation and every construct built on it, in any
    /// stack of the app. Synthesis fails, naming every resource and its cost, when their summed worst case
    /// (<see cref="ICostedConstruct.WorstCaseMonthlyCost"/>) exceeds it. Usage-priced costs (requests, GB, events)
    /// have no worst case and are not counted; keep <see cref="MonthlyBudgetUsd"/> for them.
    /// </summary>
    /// <remarks>Default: none.</remarks>
    public double? MaxMonthlyCostUsd { get; init; }

    /// <summary>
    /// Lets <see cref="MaxMonthlyCostUsd"/> be checked in a region the library's price table does not price, against
    /// the table's default region (us-east-1) prices. Without it, synthesis in such a region fails when a ceiling is
    /// set: GPU prices differ by region by tens of percent, so the check would pass on prices nobody verified.
    /// </summary>
    /// <remarks>Default: false.</remarks>
    public bool AllowUnpricedRegion { get; init; }
}

/// <summary>
/// The bundle: creates the key, network, access-log bucket, audit trail and alarm topic once, and hands them to
/// every construct given <c>Platform = platform</c>. A construct given no platform creates its own.
/// </summary>
public sealed class ModelPlatform : Construct, IModelPlatform, ICostedConstruct
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private ConstructChecks Check => Validate.Of(this);

    private readonly PlatformDashboard _dashboard;

    /// <summary>The ceiling of the platform and everything on it (<see cref="ModelPlatformProps.MaxMonthlyCostUsd"/>).</summary>
    public double? MaxMonthlyCostUsd { get; }

    /// <summary>
    /// The foundation's worst-case lines: interface endpoints per AZ, NAT gateways when egress is on, the key, the
    /// dashboards (one per stack with sections), the alarms. Computed when read, so read it after the app is built.
    /// </summary>
    public IReadOnlyList<CostLine> WorstCaseMonthlyCost
    {
        get
        {
            var region = CostEstimator.PricedRegion(this);
            return CostEstimator.FixedLines(OwnCostedResources(), region).Concat(MetricLines(region)).ToList();
        }
    }

    /// <summary>The custom metrics the foundation's own functions write (no CloudFormation resource bills them).</summary>
    internal IEnumerable<CostLine> MetricLines(string region) => CostGuard.TagActivation is { } activation
        ? new[] { CostEstimator.CustomMetrics(activation, region, 2, $"EMF metrics {CostAllocationTagActivation.InactiveMetric} and {CostAllocationTagActivation.AccessDeniedMetric}") }
        : Enumerable.Empty<CostLine>();

    /// <inheritdoc />
    public IReadOnlyList<string> UsageBasedCosts =>
        CostEstimator.UsageNotes(OwnCostedResources(), CostEstimator.PricedRegion(this))
            .Concat(CostGuard.TagActivation is null ? Array.Empty<string>() : new[]
            {
                $"Cost Explorer API: $0.01/request, about {2 * 24 / CostAllocationTagActivation.ScheduleHours * 30} requests a month for the cost-allocation tag check (one list, and one activation while a tag is inactive, every {CostAllocationTagActivation.ScheduleHours} hours)",
            }).ToList();

    /// <summary>The costed constructs of the whole app built on this platform (this one included), whose worst cases <see cref="MaxMonthlyCostUsd"/> caps.</summary>
    public IEnumerable<ICostedConstruct> CostedMembers() =>
        CostEstimator.CostedConstructs(Node.Root).Where(c => ReferenceEquals(c, this) || c is PlatformConstruct pc && ReferenceEquals(pc.Platform, this));

    private IEnumerable<CfnResource> OwnCostedResources() =>
        CostEstimator.OwnResources(this).Concat(_dashboard.Dashboards.Where(d => !d.Node.Path.StartsWith(Node.Path + "/", StringComparison.Ordinal))
            .Select(d => (CfnResource)d.Node.DefaultChild!));

    /// <inheritdoc />
    public string ProjectName { get; }
    /// <inheritdoc />
    public string? CostCenter { get; }
    /// <inheritdoc />
    public string NamePrefix { get; }
    /// <inheritdoc />
    public IPlatformKey Key { get; }
    /// <inheritdoc />
    public IPlatformNetwork Network { get; }
    /// <inheritdoc />
    public IAccessLogsBucket AccessLogs { get; }
    /// <inheritdoc />
    public IAuditTrail Trail { get; }
    /// <inheritdoc />
    public IAlarmTopic AlarmTopic { get; }
    /// <inheritdoc />
    public IPlatformDashboard Dashboard { get; }
    /// <inheritdoc />
    public CostGuard CostGuard { get; }
    /// <inheritdoc />
    public RetentionDays LogRetention { get; }
    /// <inheritdoc />
    public RemovalPolicy RemovalPolicy { get; }

    /// <summary>Whether the APIs built on the platform set API Gateway's account-wide CloudWatch role (<see cref="ModelPlatformProps.ManageApiGatewayLoggingRole"/>).</summary>
    public bool ManageApiGatewayLoggingRole { get; }

    /// <summary>Creates the platform's shared resources.</summary>
    public ModelPlatform(Construct scope, string id, ModelPlatformProps? props = null) : base(scope, id)
    {
        props ??= new ModelPlatformProps();
        CostTags.CheckValue(Check, props.ProjectName, "ModelPlatformProps.ProjectName");
        if (props.CostCenter is { } costCenter) CostTags.CheckValue(Check, costCenter, "ModelPlatformProps.CostCenter");
        LogGroupDefaults.CheckRetention(Check, props.LogRetention, "ModelPlatformProps.LogRetention");
        Check.That(props.MonthlyBudgetUsd is null || props.CostGuard is null,
            "ModelPlatformProps: MonthlyBudgetUsd is a shorthand for CostGuard.MonthlyBudgetUsd; set only one of them.");
        Check.That(props.ExistingOrganizationTrailArn is null || props.TrailOptions is null,
            "ModelPlatformProps: TrailOptions configure a trail the platform creates, but ExistingOrganizationTrailArn says it creates none; set only one of them.");
        if (props.ExistingOrganizationTrailArn is { } orgTrail)
            Check.That(Token.IsUnresolved(orgTrail) || System.Text.RegularExpressions.Regex.IsMatch(orgTrail, @"^arn:aws[\w-]*:cloudtrail:[\w-]+:\d{12}:trail/[\w.-]+$"),
                $"ModelPlatformProps.ExistingOrganizationTrailArn = '{orgTrail}' is not a trail ARN (arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME).");

        ProjectName = props.ProjectName;
        CostCenter = props.CostCenter;
        NamePrefix = PlatformNames.Prefix(props.ProjectName, this);
        LogRetention = props.LogRetention;
        RemovalPolicy = props.RemovalPolicy;
        ManageApiGatewayLoggingRole = props.ManageApiGatewayLoggingRole;

        // Alias and trail name carry the platform's prefix: the construct path alone is the same for one app
        // deployed under other stack or project names.
        var keyOptions = props.KeyOptions ?? new PlatformKeyProps { RemovalPolicy = props.RemovalPolicy };
        Key = props.Key ?? new PlatformKey(this, "Key", keyOptions with { Alias = keyOptions.Alias ?? $"alias/{NamePrefix}" });
        var networkOptions = props.NetworkOptions ?? new PlatformNetworkProps
        {
            FlowLogRetention = props.LogRetention,
            RemovalPolicy = props.RemovalPolicy,
        };
        Network = props.Network ?? new PlatformNetwork(this, "Network", networkOptions with { Key = Key });
        AccessLogs = new AccessLogsBucket(this, "AccessLogs", new AccessLogsBucketProps { RemovalPolicy = props.RemovalPolicy });
        var trailOptions = props.TrailOptions ?? new AuditTrailProps { LogRetention = props.LogRetention, RemovalPolicy = props.RemovalPolicy };
        Trail = props.ExistingOrganizationTrailArn is { } arn
            ? AuditTrail.FromOrganizationTrail(this, "OrganizationTrail", arn)
            : new AuditTrail(this, "Trail", trailOptions with
            {
                Key = Key,
                AccessLogs = AccessLogs,
                TrailName = trailOptions.TrailName ?? PlatformNames.AccountWide(this, this, "trail"),
            });
        AccessLogs.AllowLogsFromBucketsNamed(NamePrefix + "-");
        Trail.AddS3DataEvents(NamePrefix + "-");
        Trail.AddLambdaDataEvents(NamePrefix + "-");
        AlarmTopic = new AlarmTopic(this, "Alarms", new AlarmTopicProps { Key = Key, Email = props.AlarmEmail });
        Dashboard = _dashboard = new PlatformDashboard(this, "Dashboard", props.ProjectName);
        var costGuard = props.CostGuard ?? new CostGuardProps();
        CostGuard = new CostGuard(this, "CostGuard", this, props.MonthlyBudgetUsd is { } budget ? costGuard with { MonthlyBudgetUsd = budget } : costGuard);

        CostTags.Apply(this, this, "foundation");
        PlatformAspects.ApplyOnce(this);
        MaxMonthlyCostUsd = props.MaxMonthlyCostUsd;
        CostCeiling.EnforceAcross(this, props.MaxMonthlyCostUsd, "ModelPlatformProps.MaxMonthlyCostUsd",
            $"platform '{Node.Path}' and the constructs built on it", CostedMembers, props.AllowUnpricedRegion);
    }
}
