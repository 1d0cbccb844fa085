using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.CDK.AWS.Batch;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using BatchAction = Amazon.CDK.AWS.Batch.Action;
using EcsContainerImage = Amazon.CDK.AWS.ECS.ContainerImage;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// AWS Batch GPU training: the queues and job definitions jobs are submitted to, the buckets they read and write, and
/// who may submit. What a <see cref="TrainingApi"/> needs: a <see cref="TrainingJobs"/>, jobs of another stack or app
/// (<see cref="TrainingJobs.FromTrainingJobsAttributes"/>), or job infrastructure of your own implementing it.
/// </summary>
public interface ITrainingJobs
{
    /// <summary>The platform whose key encrypts the buckets and the job secrets; the training API runs on it.</summary>
    IModelPlatform Platform { get; }

    /// <summary>ARN of the job queue.</summary>
    string JobQueueArn { get; }

    /// <summary>ARN of the queue of multi-node jobs when they have one of their own; null when <see cref="JobQueueArn"/> takes them.</summary>
    string? MultiNodeJobQueueArn { get; }

    /// <summary>The instance types the compute environments launch.</summary>
    IReadOnlyList<string> InstanceTypes { get; }

    /// <summary>What the main job queue's compute environments buy: the training API prices its jobs by it.</summary>
    /// <remarks>
    /// Default: <see cref="JobCapacity.OnDemand"/>: a queue that says nothing is priced at on-demand, the most a Batch Spot
    /// instance costs, so an estimate never falls short. Multi-node jobs are priced on demand whatever it is.
    /// </remarks>
    JobCapacity JobQueueCapacity => JobCapacity.OnDemand;

    /// <summary>The job definitions: the names callers use, the Batch definitions (name, ARN with revision), nodes, GPUs, attempt timeout.</summary>
    IReadOnlyList<TrainingJobDefinitionAttributes> JobDefinitions { get; }

    /// <summary>The value of the <see cref="JobTags.TrainingJobs"/> tag on every job submitted here: the training API's role stops only jobs that carry it.</summary>
    string JobTagValue { get; }

    /// <summary>Bucket of training data.</summary>
    IBucket DatasetsBucket { get; }

    /// <summary>Bucket of checkpoints.</summary>
    IBucket CheckpointsBucket { get; }

    /// <summary>Bucket of trained models.</summary>
    IBucket OutputBucket { get; }

    /// <summary>Lets <paramref name="grantee"/> submit jobs to this construct's queues with these job definitions, and nothing else.</summary>
    Grant GrantSubmitJob(IGrantable grantee);
}

/// <summary>Properties of <see cref="TrainingJobs"/>.</summary>
public sealed record TrainingJobsProps : PlatformConstructProps
{
    /// <summary>EC2 GPU instance types jobs may run on (see <see cref="GpuInstanceTypes"/>).</summary>
    public required IReadOnlyList<string> InstanceTypes { get; init; }

    /// <summary>Most vCPUs each compute environment may run at once: the cost guard. Required, so the worst case is a decision, not an accident.</summary>
    public required int MaxVCpus { get; init; }

    /// <summary>The job definitions jobs are submitted with.</summary>
    public required IReadOnlyList<TrainingJobDefinitionOptions> JobDefinitions { get; init; }

    /// <summary>Whether jobs run on Spot instances (allocation <c>SPOT_PRICE_CAPACITY_OPTIMIZED</c>).</summary>
    /// <remarks>Default: true: training checkpoints and resumes, and Spot costs a fraction of on-demand.</remarks>
    public bool UseSpot { get; init; } = true;

    /// <summary>With <see cref="UseSpot"/>, also an on-demand environment after the Spot one in the queue order, for when Spot has no capacity.</summary>
    /// <remarks>
    /// Default: false: on-demand GPUs cost several times more; ask for them explicitly. Required with Spot when a job
    /// definition is multi-node: AWS Batch does not run multi-node parallel jobs on Spot, so they get a queue of their
    /// own on the on-demand environment (<see cref="TrainingJobs.MultiNodeJobQueue"/>).
    /// </remarks>
    public bool OnDemandFallback { get; init; }

    /// <summary>Size of each instance's encrypted root volume (whole GiB, 30 to 16384).</summary>
    /// <remarks>Default: <c>Size.Gibibytes(200)</c>: CUDA training images are often 10–20 GB, and layers are extracted next to the compressed copy.</remarks>
    public Size RootVolumeSize { get; init; } = Size.Gibibytes(200);

    /// <summary>
    /// How long a job may block the head of its queue in RUNNABLE (no capacity, or asking for more than an environment can
    /// give) before the queue's job-state time limit cancels it, with the reason recorded (whole seconds, 10 minutes to
    /// 24 hours: Batch's <c>maxTimeSeconds</c> range). Time spent behind other jobs does not count: Batch measures it at
    /// the head of the queue.
    /// </summary>
    /// <remarks>Default: <c>Duration.Minutes(60)</c>: long enough for Spot capacity to come back, short enough that nobody waits a day for a job that never starts.</remarks>
    public Duration MaxRunnableTime { get; init; } = Duration.Minutes(60);

    /// <summary>Priority of the queue among the account's queues sharing the compute environments.</summary>
    /// <remarks>Default: 1.</remarks>
    public int QueuePriority { get; init; } = 1;

    /// <summary>
    /// Whether instances are placed in one cluster placement group (lowest latency between the nodes of a multi-node
    /// job). A cluster placement group lives in one Availability Zone, so the compute environments then launch only in
    /// the platform's workload subnet(s) of <see cref="PlacementAvailabilityZone"/>.
    /// </summary>
    /// <remarks>Default: false; required for EFA job definitions.</remarks>
    public bool ClusterPlacement { get; init; }

    /// <summary>With <see cref="ClusterPlacement"/>, the Availability Zone the compute environments launch in: one of the zones of the platform's workload subnets, by name (e.g. <c>eu-west-1b</c>).</summary>
    /// <remarks>
    /// Default: the first zone of the workload subnets. A name can be checked only in a stack with a concrete account
    /// and region (an environment-agnostic stack knows its zones only at deployment); pick another zone when the GPU
    /// type has no capacity in the first.
    /// </remarks>
    public string? PlacementAvailabilityZone { get; init; }

    /// <summary>How long a checkpoint object is kept (whole days, 1 to 3650).</summary>
    /// <remarks>Default: <c>Duration.Days(30)</c>: checkpoints resume interrupted jobs; the final model goes to the output bucket.</remarks>
    public Duration CheckpointExpireAfter { get; init; } = Duration.Days(30);

    /// <summary>How long a compute environment may keep instances with no job on them before the idle-compute alarm fires (whole minutes, 5 to 1440).</summary>
    /// <remarks>Default: <c>Duration.Minutes(30)</c>: Batch scales idle instances in within minutes; half an hour of idle GPUs means something holds them.</remarks>
    public Duration IdleComputeAlarmAfter { get; init; } = Duration.Minutes(30);

    /// <summary>Failed jobs within an hour that raise the failed-jobs alarm.</summary>
    /// <remarks>Default: 1: every failure is seen.</remarks>
    public int FailedJobsAlarmThreshold { get; init; } = 1;
}

/// <summary>
/// AWS Batch GPU training, secure and cost-guarded by default: datasets, checkpoint and output buckets (KMS,
/// TLS-only, access-logged, data events in the trail); Spot GPU compute that scales to zero, capped in vCPUs,
/// on IMDSv2-only instances with encrypted root volumes in the platform's private subnets; a queue that cancels
/// jobs stuck without capacity (and, with Spot, a second one on the on-demand environment for multi-node jobs, which
/// Batch does not run on Spot); single- and multi-node job definitions that retry only on instance loss; job
/// state changes to the alarm topic; alarms on failed and stuck jobs.
/// </summary>
public sealed partial class TrainingJobs : PlatformConstruct, ITrainingJobs
{
    /// <summary>Directory inside the container where jobs write checkpoints; a retried attempt finds them again through <c>CHECKPOINT_S3_URI</c>.</summary>
    internal const string CheckpointDir = TrainingLayout.CheckpointDirectory;

    /// <summary>Days a replaced or deleted checkpoint object stays restorable in the versioned checkpoints bucket.</summary>
    public const int CheckpointNoncurrentVersionDays = 1;

    private readonly List<TrainingJobDefinitionAttributes> _jobDefinitions = new();
    private readonly IReadOnlyList<GpuInstanceType> _instanceTypes;
    private readonly int _maxVCpus;
    private readonly int _rootVolumeGiB;
    private readonly List<Policy> _executionPolicies = new();
    private Policy _instancePolicy = null!;
    private readonly Rule _failedRule;
    private readonly Rule _stuckRule;

    /// <summary>Bucket of training data; jobs read it, nothing else writes it.</summary>
    public Bucket DatasetsBucket { get; }
    /// <summary>Bucket of checkpoints; jobs read and write it; objects expire.</summary>
    public Bucket CheckpointsBucket { get; }
    /// <summary>Bucket of trained models; jobs write it.</summary>
    public Bucket OutputBucket { get; }
    /// <summary>The job queue: every job's, unless <see cref="MultiNodeJobQueue"/> takes the multi-node ones.</summary>
    public JobQueue JobQueue { get; }
    /// <summary>
    /// The queue of multi-node jobs when the main queue starts with Spot (<c>UseSpot</c> with <c>OnDemandFallback</c>) and a
    /// definition is multi-node: its only compute environment is the on-demand one, since AWS Batch does not run
    /// multi-node parallel jobs on Spot. Null otherwise (without Spot, the main queue is on-demand already).
    /// </summary>
    public JobQueue? MultiNodeJobQueue { get; }
    /// <summary>ARN of <see cref="MultiNodeJobQueue"/>, or null.</summary>
    public string? MultiNodeJobQueueArn => MultiNodeJobQueue?.JobQueueArn;
    /// <summary>Every queue of this construct: <see cref="JobQueue"/>, then <see cref="MultiNodeJobQueue"/> when there is one.</summary>
    public IReadOnlyList<JobQueue> JobQueues { get; }
    /// <summary>The compute environments, in queue order.</summary>
    public IReadOnlyList<ManagedEc2EcsComputeEnvironment> ComputeEnvironments { get; }
    /// <summary>The role jobs run with: the three buckets and the platform key, nothing more.</summary>
    public Role JobRole { get; }
    /// <summary>The encrypted log group of the jobs' output.</summary>
    public LogGroup LogGroup { get; }
    /// <summary>The security group of the training instances.</summary>
    public SecurityGroup SecurityGroup { get; }
    /// <summary>The instance types the compute environments launch.</summary>
    public IReadOnlyList<string> InstanceTypes { get; }
    /// <summary>
    /// What <see cref="JobQueue"/>'s compute environments buy: Spot, Spot then on-demand
    /// (<see cref="TrainingJobsProps.OnDemandFallback"/>), or on-demand.
    /// </summary>
    public JobCapacity JobQueueCapacity { get; }
    /// <summary>The job definitions as created (the names callers use, the Batch names and ARNs): what <see cref="FromTrainingJobsAttributes"/> takes.</summary>
    public IReadOnlyList<TrainingJobDefinitionAttributes> JobDefinitions => _jobDefinitions;
    /// <summary>With <see cref="TrainingJobsProps.ClusterPlacement"/>, the one Availability Zone the compute environments launch in (a token in an environment-agnostic stack); null otherwise.</summary>
    public string? PlacementAvailabilityZone { get; private set; }

    /// <inheritdoc />
    public string JobQueueArn => JobQueue.JobQueueArn;
    IBucket ITrainingJobs.DatasetsBucket => DatasetsBucket;
    IBucket ITrainingJobs.CheckpointsBucket => CheckpointsBucket;
    IBucket ITrainingJobs.OutputBucket => OutputBucket;
    /// <summary>Job definition ARNs (with revision) by the names of <see cref="TrainingJobsProps.JobDefinitions"/>.</summary>
    public IReadOnlyDictionary<string, string> JobDefinitionArns => _jobDefinitions.ToDictionary(d => d.Name, d => d.JobDefinitionArn);

    /// <summary>Creates the storage, compute, queue, job definitions, events and alarms.</summary>
    public TrainingJobs(Construct scope, string id, TrainingJobsProps props) : base(scope, id, props, "training")
    {
        var instanceTypes = ValidateInstanceTypes(props);
        var units = ValidateProps(props, instanceTypes);
        InstanceTypes = props.InstanceTypes;
        JobQueueCapacity = !props.UseSpot ? JobCapacity.OnDemand : props.OnDemandFallback ? JobCapacity.SpotThenOnDemand : JobCapacity.Spot;
        (_instanceTypes, _maxVCpus, _rootVolumeGiB) = (instanceTypes, props.MaxVCpus, units.RootVolumeGiB);

        var key = Platform.Key;
        DatasetsBucket = CreateBucket("Datasets", "datasets");
        // Versioned like every platform bucket (an overwritten or deleted checkpoint can be restored), but jobs rewrite
        // checkpoints many times a day: replaced versions go after a day, so versions never multiply the bill.
        CheckpointsBucket = CreateBucket("Checkpoints", "checkpoints", new LifecycleRule
        {
            Id = "ExpireCheckpoints",
            Expiration = Duration.Days(units.CheckpointDays),
            NoncurrentVersionExpiration = Duration.Days(CheckpointNoncurrentVersionDays),
            AbortIncompleteMultipartUploadAfter = Duration.Days(1),
        });
        OutputBucket = CreateBucket("Output", "output");
        LogGroup = LogGroupDefaults.Create(this, "Logs", key, Platform.LogRetention, Platform.RemovalPolicy);

        JobRole = TrainingJobRole.Create(this, "JobRole", key, DatasetsBucket, CheckpointsBucket, OutputBucket);

        SecurityGroup = CreateSecurityGroup(props);
        ComputeEnvironments = CreateComputeEnvironments(props, instanceTypes, units.RootVolumeGiB);
        JobQueue = TrainingJobQueue.Create(this, "Queue", ComputeEnvironments, props.QueuePriority, units.MaxRunnableSeconds);
        // Batch does not run multi-node parallel jobs on Spot: behind a Spot environment they would wait in RUNNABLE
        // until the time limit cancels them. Their own queue holds only the on-demand environment (validated to exist).
        if (props.UseSpot && props.JobDefinitions.Any(d => d.Nodes > 1))
            MultiNodeJobQueue = TrainingJobQueue.Create(this, "MultiNodeQueue", ComputeEnvironments.Where(e => e.Spot != true), props.QueuePriority, units.MaxRunnableSeconds);
        JobQueues = MultiNodeJobQueue is null ? new[] { JobQueue } : new[] { JobQueue, MultiNodeJobQueue };

        foreach (var definition in props.JobDefinitions)
            _jobDefinitions.Add(new TrainingJobDefinitionAttributes
            {
                Name = definition.Name,
                JobDefinitionName = JobDefinitionName(definition.Name),
                JobDefinitionArn = CreateJobDefinition(definition, props, instanceTypes),
                Gpus = definition.Gpus,
                Nodes = definition.Nodes,
                MaxNodes = definition.MaxNodes,
                AttemptTimeout = definition.AttemptTimeout,
            });
        // Read once every definition exists, so each container has bound its image and granted its pull.
        BatchInstanceRole.AllowImagePulls(_instancePolicy, _executionPolicies.SelectMany(PulledRepositories).Distinct().ToList());

        RecordWorstCaseCost();
        (_failedRule, _stuckRule) = CreateEventRules();
        CreateAlarms(props, units);
    }

    /// <inheritdoc />
    public Grant GrantSubmitJob(IGrantable grantee) => GrantSubmitJobOn(grantee, JobQueues.Select(q => q.JobQueueArn), _jobDefinitions);

    /// <summary>Jobs that ended FAILED, per period.</summary>
    public Metric MetricFailedJobs(IMetricOptions? props = null) => RuleMetric(_failedRule, props);

    /// <summary>Jobs the queues' time limit cancelled after blocking the queue in RUNNABLE longer than <see cref="TrainingJobsProps.MaxRunnableTime"/>, per period.</summary>
    public Metric MetricJobsStuckRunnable(IMetricOptions? props = null) => RuleMetric(_stuckRule, props);

    /// <summary>The physical name of a job definition of this construct.</summary>
    public string JobDefinitionName(string name) => $"{JobTagValue}-{name}";

    /// <summary>
    /// The value of the <see cref="JobTags.TrainingJobs"/> tag the training API puts on every job it submits here, and
    /// the only value its role may stop jobs by: a literal known at synthesis, the stem of the job definitions' names
    /// (stack and construct path, so unique wherever those names are).
    /// </summary>
    public string JobTagValue => Names.UniqueResourceName(this, new UniqueResourceNameOptions { MaxLength = 60, Separator = "-" });

    // Named with the platform's prefix, so the platform's trail logs their data events from any stack.
    private Bucket CreateBucket(string id, string purpose, params ILifecycleRule[] rules) =>
        BucketDefaults.Create(this, id, Platform.Key, Platform.AccessLogs, $"training/{purpose}/", Platform.RemovalPolicy,
            rules.Length > 0 ? rules : null, PlatformNames.Bucket(Platform, this, purpose));

    private SecurityGroup CreateSecurityGroup(TrainingJobsProps props)
    {
        var group = new SecurityGroup(this, "InstanceSecurityGroup", new SecurityGroupProps
        {
            Vpc = Platform.Network.Vpc,
            Description = "Training instances: HTTPS out to AWS endpoints; node-to-node traffic of multi-node jobs",
            AllowAllOutbound = false,
        });
        // 443 to any address: the workload subnets have no route to the internet, so this reaches only the VPC's
        // interface endpoints and the S3 gateway endpoint (whose prefix list an environment-agnostic synth cannot name).
        group.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS to AWS APIs through the VPC endpoints");
        if (props.JobDefinitions.Any(d => d.Nodes > 1))
        {
            group.AddIngressRule(group, Port.AllTraffic(), "Nodes of a multi-node job (NCCL, rendezvous)");
            group.AddEgressRule(group, Port.AllTraffic(), "Nodes of a multi-node job (NCCL, rendezvous)");
            foreach (var selfIngress in group.Node.Children.OfType<CfnSecurityGroupIngress>())
                Suppressions.AddCompliance(selfIngress, "EC2RestrictedCommonPorts",
                    "All traffic from members of this security group only, never from an address range: the nodes of a multi-node job talk NCCL and rendezvous on ports " +
                    "chosen at run time, and EFA needs a security group that allows all traffic to and from itself " +
                    "(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-start.html, https://docs.aws.amazon.com/pcs/latest/userguide/working-with_networking_efa_create-sg.html).");
        }
        return group;
    }

    /// <summary>
    /// The most the training compute can cost in an hour, in USD: every compute environment at <c>MaxVCpus</c> with its
    /// root volumes, at on-demand prices from the library's price table (see docs/cost.md). Also in each compute
    /// environment's <c>AwsModelPlatform:Cost</c> template metadata.
    /// </summary>
    public double WorstCaseHourlyCostUsd =>
        Math.Round(CapacityCostLines(Cost.CostEstimator.PricedRegion(this)).Sum(l => l.MonthlyUsd) / PriceTable.HoursPerMonth, 4);

    // The worst case of each compute environment, on the environment itself, for reviewers and the cost reports.
    private void RecordWorstCaseCost()
    {
        var region = Cost.CostEstimator.PricedRegion(this);
        foreach (var group in CapacityCostLines(region).GroupBy(l => l.Resource))
        {
            var environment = ComputeEnvironments.Single(e => Cost.CostEstimator.PathInStack(e) == group.Key);
            var monthly = group.Sum(l => l.MonthlyUsd);
            ((CfnResource)environment.Node.DefaultChild!).AddMetadata(CostMetadata.ResourceKey, new ResourceCostRecord(
                Math.Round(monthly / PriceTable.HoursPerMonth, 4), Math.Round(monthly, 2), region, PriceTable.Default.Version,
                group.Select(l => (object)new Dictionary<string, object>
                {
                    ["quantity"] = l.Quantity, ["unit"] = l.Unit, ["unitPriceUsd"] = l.UnitPriceUsd, ["basis"] = l.Basis,
                }).ToList()).ToMetadata());
        }
    }

    /// <summary>
    /// Per compute environment, every vCPU it may run busy all month: <c>ceil(MaxVCpus / vCPUs)</c> instances of the
    /// allowed type that costs most that way, with their root volumes. A Spot environment is priced at on-demand,
    /// the most AWS Batch bids by default (100 % of on-demand); its expected price is in the cost reports.
    /// </summary>
    protected override IEnumerable<Cost.CostLine> CapacityCostLines(string region)
    {
        var table = PriceTable.Default;
        var ebs = table.Get(region, PriceTable.Ebs, "gp3.storage");
        foreach (var environment in ComputeEnvironments)
        {
            var spot = environment.Spot == true;
            var path = Cost.CostEstimator.PathInStack(environment);
            var (type, instances, price) = _instanceTypes
                .Select(t => (Type: t, Instances: (_maxVCpus + t.VCpus - 1) / t.VCpus, Price: table.Get(region, PriceTable.Ec2OnDemand, t.Name)))
                .OrderByDescending(x => x.Instances * x.Price.Usd).ThenBy(x => x.Type.Name, StringComparer.Ordinal).First();
            yield return Cost.CostLine.Of(path, "AWS::Batch::ComputeEnvironment", instances * PriceTable.HoursPerMonth, price,
                $"{instances} × {type.Name} (ceil({_maxVCpus} MaxVCpus / {type.VCpus} vCPUs)) × {PriceTable.HoursPerMonth} h{(spot ? ", Spot priced at on-demand (Batch's default bid cap)" : ", on-demand")}");
            yield return Cost.CostLine.Of(path, "AWS::Batch::ComputeEnvironment", instances * _rootVolumeGiB, ebs,
                $"{instances} root volume(s) × {_rootVolumeGiB} GiB gp3, all month");
        }
    }

    private IReadOnlyList<ManagedEc2EcsComputeEnvironment> CreateComputeEnvironments(TrainingJobsProps props, IReadOnlyList<GpuInstanceType> instanceTypes, int rootVolumeGiB)
    {
        Platform.Key.AllowEbsEncryption();
        var launchTemplate = new LaunchTemplate(this, "LaunchTemplate", new LaunchTemplateProps
        {
            RequireImdsv2 = true,
            // One hop: containers cannot reach the instance's credentials; jobs use their job role.
            HttpPutResponseHopLimit = 1,
            BlockDevices = new IBlockDevice[]
            {
                new BlockDevice
                {
                    DeviceName = "/dev/xvda",
                    Volume = BlockDeviceVolume.Ebs(rootVolumeGiB, new EbsDeviceOptions
                    {
                        Encrypted = true,
                        KmsKey = Platform.Key.Key,
                        VolumeType = EbsDeviceVolumeType.GP3,
                        DeleteOnTermination = true,
                    }),
                },
            },
        });
        var efa = props.JobDefinitions.Any(d => d.Efa);
        if (efa)
        {
            // EFA needs the interface declared in the launch template, with the security group on it.
            ((CfnLaunchTemplate)launchTemplate.Node.DefaultChild!).AddPropertyOverride("LaunchTemplateData.NetworkInterfaces", new[]
            {
                new Dictionary<string, object>
                {
                    ["DeviceIndex"] = 0,
                    ["InterfaceType"] = "efa",
                    ["Groups"] = new[] { SecurityGroup.SecurityGroupId },
                    ["DeleteOnTermination"] = true,
                },
            });
        }

        (var instanceRole, _instancePolicy) = BatchInstanceRole.Create(this, "InstanceRole", LogGroup);
        var placement = props.ClusterPlacement
            ? new PlacementGroup(this, "Placement", new PlacementGroupProps { Strategy = PlacementGroupStrategy.CLUSTER })
            : null;
        var subnets = props.ClusterPlacement ? OneZoneSubnets(props.PlacementAvailabilityZone) : Platform.Network.WorkloadSubnets;

        var environments = new List<ManagedEc2EcsComputeEnvironment>();
        if (props.UseSpot) environments.Add(ComputeEnvironment("Spot", spot: true));
        if (!props.UseSpot || props.OnDemandFallback) environments.Add(ComputeEnvironment("OnDemand", spot: false));
        return environments;

        ManagedEc2EcsComputeEnvironment ComputeEnvironment(string id, bool spot)
        {
            var environment = new ManagedEc2EcsComputeEnvironment(this, id, new ManagedEc2EcsComputeEnvironmentProps
            {
                Vpc = Platform.Network.Vpc,
                VpcSubnets = subnets,
                SecurityGroups = new ISecurityGroup[] { SecurityGroup },
                InstanceTypes = instanceTypes.Select(t => new InstanceType(t.Name)).ToArray(),
                UseOptimalInstanceClasses = false,
                MinvCpus = 0,
                MaxvCpus = props.MaxVCpus,
                Spot = spot,
                AllocationStrategy = spot ? AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED : AllocationStrategy.BEST_FIT_PROGRESSIVE,
                LaunchTemplate = launchTemplate,
                InstanceRole = instanceRole,
                PlacementGroup = placement,
                UpdateToLatestImageVersion = true,
            });
            var cfn = (CfnComputeEnvironment)environment.Node.DefaultChild!;
            // The GPU AMI on Amazon Linux 2023 (CDK 2.160 only names the Amazon Linux 2 one, out of support since 2026-06-30).
            cfn.AddPropertyOverride("ComputeResources.Ec2Configuration", new[] { new Dictionary<string, object> { ["ImageType"] = GpuInstanceTypes.ImageType } });
            if (efa) cfn.AddPropertyDeletionOverride("ComputeResources.SecurityGroupIds");
            return environment;
        }
    }

    // A cluster placement group is "a logical grouping of instances within a single Availability Zone", and EC2 Auto
    // Scaling refuses multiple zones with one (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-placementgroup.html,
    // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html): the workload subnets of one zone.
    private SubnetSelection OneZoneSubnets(string? wanted)
    {
        var selected = Platform.Network.Vpc.SelectSubnets(Platform.Network.WorkloadSubnets).Subnets;
        var zones = selected.Select(s => s.AvailabilityZone).Distinct().ToList();
        Check.That(zones.Count > 0, "TrainingJobsProps.ClusterPlacement = true: the platform's workload subnets select no subnet, so there is no Availability Zone to place the instances in.");
        var zone = zones[0];
        if (wanted is not null)
        {
            var unknown = zones.All(Token.IsUnresolved);
            Check.That(!unknown || Token.IsUnresolved(wanted),
                $"TrainingJobsProps.PlacementAvailabilityZone = '{wanted}': this stack is environment-agnostic, so its Availability Zones are known only at deployment and '{wanted}' cannot be matched to a subnet. " +
                "Give the stack an account and region (Env), or leave PlacementAvailabilityZone unset for the first zone of the workload subnets.");
            Check.That(zones.Contains(wanted),
                $"TrainingJobsProps.PlacementAvailabilityZone = '{wanted}' is not a zone of the platform's workload subnets ({string.Join(", ", zones)}); use one of them.");
            zone = wanted;
        }
        PlacementAvailabilityZone = zone;
        return new SubnetSelection { Subnets = selected.Where(s => s.AvailabilityZone == zone).ToArray() };
    }

    private string CreateJobDefinition(TrainingJobDefinitionOptions options, TrainingJobsProps props, IReadOnlyList<GpuInstanceType> instanceTypes)
    {
        var vcpus = options.VCpus ?? 4 * options.Gpus;
        var memory = MemoryMiB(options);
        var linux = new LinuxParameters(this, options.Name + "Linux", new LinuxParametersProps
        {
            SharedMemorySize = options.SharedMemorySize ?? Size.Mebibytes(memory / 4),
            InitProcessEnabled = true,
        });
        if (options.Efa)
            linux.AddDevices(new Device { HostPath = "/dev/infiniband/uverbs0", Permissions = new[] { DevicePermission.READ, DevicePermission.WRITE, DevicePermission.MKNOD } });

        var environment = new Dictionary<string, string>
        {
            [JobEnvironment.DatasetsBucket] = DatasetsBucket.BucketName,
            [JobEnvironment.CheckpointsBucket] = CheckpointsBucket.BucketName,
            [JobEnvironment.OutputBucket] = OutputBucket.BucketName,
            [JobEnvironment.CheckpointDir] = CheckpointDir,
            [JobEnvironment.ProcessesPerNode] = options.Gpus.ToString(CultureInfo.InvariantCulture),
            [JobEnvironment.Nodes] = options.Nodes.ToString(CultureInfo.InvariantCulture),
            [JobEnvironment.MasterPort] = "29500",
            [JobEnvironment.NcclDebug] = "WARN",
        };
        if (options.Efa) environment[JobEnvironment.FabricProvider] = "efa";
        foreach (var (variable, value) in options.Environment ?? new Dictionary<string, string>()) environment[variable] = value;

        var container = new EcsEc2ContainerDefinition(this, options.Name + "Container", new EcsEc2ContainerDefinitionProps
        {
            Image = options.Image,
            Cpu = vcpus,
            Memory = Size.Mebibytes(memory),
            Gpu = options.Gpus,
            JobRole = JobRole,
            Logging = Amazon.CDK.AWS.ECS.LogDriver.AwsLogs(new Amazon.CDK.AWS.ECS.AwsLogDriverProps { LogGroup = LogGroup, StreamPrefix = options.Name }),
            LinuxParameters = linux,
            Ulimits = new IUlimit[]
            {
                new Ulimit { Name = UlimitName.MEMLOCK, SoftLimit = -1, HardLimit = -1 }, // pinned memory for NCCL and EFA
                new Ulimit { Name = UlimitName.STACK, SoftLimit = 67_108_864, HardLimit = 67_108_864 },
                new Ulimit { Name = UlimitName.NOFILE, SoftLimit = 65_536, HardLimit = 65_536 },
            },
            Environment = environment,
        });

        if (container.ExecutionRole.Node.TryFindChild("DefaultPolicy") is Policy executionPolicy)
        {
            Suppressions.Add(executionPolicy, "AwsSolutions-IAM5",
                "ecr:GetAuthorizationToken has no resource-level permissions; the image pulls themselves are limited to this definition's repository.",
                "Resource::*");
            _executionPolicies.Add(executionPolicy);
        }

        // Retry only what is not the job's fault: the instance went away (Spot reclamation, host failure).
        // Anything else (the application's own exit code, out of memory) exits at once.
        var retries = new[]
        {
            RetryStrategy.Of(BatchAction.RETRY, Reason.SPOT_INSTANCE_RECLAIMED),
            RetryStrategy.Of(BatchAction.EXIT, Reason.NON_ZERO_EXIT_CODE),
            RetryStrategy.Of(BatchAction.EXIT, Reason.Custom(new CustomReason { OnReason = "*" })),
        };
        var name = JobDefinitionName(options.Name);
        if (options.Nodes == 1)
            return new EcsJobDefinition(this, options.Name, new EcsJobDefinitionProps
            {
                JobDefinitionName = name,
                Container = container,
                RetryAttempts = options.Attempts,
                RetryStrategies = retries,
                Timeout = options.AttemptTimeout,
                PropagateTags = true,
            }).JobDefinitionArn;

        var multiNode = new MultiNodeJobDefinition(this, options.Name, new MultiNodeJobDefinitionProps
        {
            JobDefinitionName = name,
            InstanceType = new InstanceType(options.NodeInstanceType ?? instanceTypes[0].Name),
            MainNode = 0,
            Containers = new IMultiNodeContainer[] { new MultiNodeContainer { StartNode = 0, EndNode = options.Nodes - 1, Container = container } },
            RetryAttempts = options.Attempts,
            RetryStrategies = retries,
            Timeout = options.AttemptTimeout,
            PropagateTags = true,
        });
        // Open-ended range: Batch lets a submission change numNodes only when a node range has no upper bound.
        ((CfnJobDefinition)multiNode.Node.DefaultChild!).AddPropertyOverride("NodeProperties.NodeRangeProperties.0.TargetNodes", "0:");
        return multiNode.JobDefinitionArn;
    }

    // The ECR repositories an image granted its pull on: CDK's ECR images (FromEcrRepository, FromAsset) grant
    // ecr:BatchGetImage on their repository to the container's execution role when they are bound, and expose the
    // repository nowhere else. An image from another registry grants nothing and needs no ECR permission.
    private static IEnumerable<string> PulledRepositories(Policy executionPolicy)
    {
        if (executionPolicy.Document.ToJSON() is not IDictionary<string, object> document || !document.TryGetValue("Statement", out var all) || all is not IEnumerable<object> statements)
            yield break;
        static IEnumerable<string> Strings(object? value) => value switch
        {
            string one => new[] { one },
            IEnumerable<object> many => many.OfType<string>(),
            _ => Array.Empty<string>(),
        };
        foreach (var statement in statements.OfType<IDictionary<string, object>>())
            if (Strings(statement.TryGetValue("Action", out var actions) ? actions : null).Contains("ecr:BatchGetImage"))
                foreach (var resource in Strings(statement.TryGetValue("Resource", out var resources) ? resources : null))
                    yield return resource;
    }

    private (Rule Failed, Rule Stuck) CreateEventRules()
    {
        var topic = Platform.AlarmTopic;
        topic.AllowServiceToPublish("events.amazonaws.com");
        var message = RuleTargetInput.FromText(
            $"Training job {EventField.FromPath("$.detail.jobName")} ({EventField.FromPath("$.detail.jobId")}) " +
            $"{EventField.FromPath("$.detail.status")}: {EventField.FromPath("$.detail.statusReason")}");
        var queues = JobQueues.Select(q => q.JobQueueArn).ToArray();
        Rule StateRule(string id, string description, object detail, bool notify)
        {
            var rule = new Rule(this, id, new RuleProps
            {
                Description = description,
                EventPattern = new EventPattern
                {
                    Source = new[] { "aws.batch" },
                    DetailType = new[] { "Batch Job State Change" },
                    Detail = (IDictionary<string, object>)detail,
                },
            });
            if (notify) rule.AddTarget(new SnsTopic(topic.Topic, new SnsTopicProps { Message = message }));
            return rule;
        }

        StateRule("Succeeded", "Training job succeeded: tell the alarm topic",
            new Dictionary<string, object> { ["jobQueue"] = queues, ["status"] = new[] { "SUCCEEDED" } }, notify: true);
        var failed = StateRule("Failed", "Training job failed: tell the alarm topic; counted by the failed-jobs alarm",
            new Dictionary<string, object> { ["jobQueue"] = queues, ["status"] = new[] { "FAILED" } }, notify: true);
        // A job the queue's time limit cancels ends FAILED with "Canceled by JobStateTimeLimit action due to reason: <reason>".
        var stuck = StateRule("StuckRunnable", "Training job cancelled by the queue's time limit after blocking it in RUNNABLE; counted by the stuck-jobs alarm",
            new Dictionary<string, object>
            {
                ["jobQueue"] = queues,
                ["status"] = new[] { "FAILED" },
                ["statusReason"] = new object[] { new Dictionary<string, object> { ["prefix"] = TrainingJobQueue.TimeLimitCancelReasonPrefix } },
            }, notify: false);
        return (failed, stuck);
    }

    private void CreateAlarms(TrainingJobsProps props, CheckedUnits units)
    {
        var failed = MetricFailedJobs(new MetricOptions { Period = Duration.Hours(1) }).CreateAlarm(this, "FailedJobsAlarm", new CreateAlarmOptions
        {
            AlarmDescription = $"{props.FailedJobsAlarmThreshold} or more training jobs failed within an hour (job names and reasons are on the alarm topic).",
            Threshold = props.FailedJobsAlarmThreshold,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        var stuck = MetricJobsStuckRunnable(new MetricOptions { Period = Duration.Hours(1) }).CreateAlarm(this, "StuckJobsAlarm", new CreateAlarmOptions
        {
            AlarmDescription = string.Create(CultureInfo.InvariantCulture, $"A training job blocked its queue in RUNNABLE for more than {units.MaxRunnableSeconds / 60.0:0.#} minutes and was cancelled: no GPU capacity, or it asks for more than the compute environments allow."),
            Threshold = 1,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        Platform.AlarmTopic.Notify(failed);
        Platform.AlarmTopic.Notify(stuck);
        foreach (var environment in ComputeEnvironments)
            Platform.AlarmTopic.Notify(IdleComputeAlarm.Create(this, environment.Node.Id + "IdleComputeAlarm", environment, units.IdleComputeMinutes));
        Platform.Dashboard.AddSection(this, $"Training: {Node.Path}",
            new GraphWidget(new GraphWidgetProps { Title = "Failed jobs", Left = new IMetric[] { MetricFailedJobs() }, Width = 12 }),
            new GraphWidget(new GraphWidgetProps { Title = "Jobs cancelled in RUNNABLE", Left = new IMetric[] { MetricJobsStuckRunnable() }, Width = 12 }));
    }

    private static Metric RuleMetric(Rule rule, IMetricOptions? props) => new(new MetricProps
    {
        Namespace = "AWS/Events",
        MetricName = "TriggeredRules",
        DimensionsMap = new Dictionary<string, string> { ["RuleName"] = rule.RuleName },
        Statistic = "Sum",
        Period = props?.Period ?? Duration.Minutes(5),
        Label = props?.Label,
    });

    private IReadOnlyList<GpuInstanceType> ValidateInstanceTypes(TrainingJobsProps props)
    {
        Check.That(props.InstanceTypes.Count > 0, "TrainingJobsProps.InstanceTypes is empty; name at least one GPU instance type, e.g. g5.12xlarge.");
        return props.InstanceTypes.Select(name => GpuInstanceTypes.Find(name) ?? throw Check.Error(
            GpuInstanceTypes.WhyNotSupported(name) is { } why
                ? $"TrainingJobsProps.InstanceTypes: '{name}' cannot run training jobs: {why}."
                : $"TrainingJobsProps.InstanceTypes: '{name}' is not a supported GPU instance type; use one of {string.Join(", ", GpuInstanceTypes.Supported.Select(t => t.Name))}.")).ToList();
    }

    // The props' sizes and spans in the whole units AWS takes, checked.
    private readonly record struct CheckedUnits(int RootVolumeGiB, int MaxRunnableSeconds, int IdleComputeMinutes, int CheckpointDays);

    private CheckedUnits ValidateProps(TrainingJobsProps props, IReadOnlyList<GpuInstanceType> types)
    {
        var largest = types.Max(t => t.VCpus);
        Check.That(props.MaxVCpus >= largest,
            $"TrainingJobsProps.MaxVCpus = {props.MaxVCpus} is less than the {largest} vCPUs of the largest allowed instance type; no instance could ever start. Raise MaxVCpus or allow smaller types.");
        var units = new CheckedUnits(
            Check.WholeGibibytes(props.RootVolumeSize, 30, 16384, "TrainingJobsProps.RootVolumeSize", "the GPU AMI needs 30 GiB and gp3 volumes end at 16 TiB"),
            // AWS Batch takes a job-state time limit (maxTimeSeconds) of 600 to 86400 seconds.
            Check.WholeSeconds(props.MaxRunnableTime, 600, 86_400, "TrainingJobsProps.MaxRunnableTime"),
            Check.WholeMinutes(props.IdleComputeAlarmAfter, 5, 1440, "TrainingJobsProps.IdleComputeAlarmAfter", "idle instances before the alarm"),
            Check.WholeDays(props.CheckpointExpireAfter, 1, 3650, "TrainingJobsProps.CheckpointExpireAfter", "checkpoints must expire, after whole days"));
        Check.That(props.FailedJobsAlarmThreshold >= 1, $"TrainingJobsProps.FailedJobsAlarmThreshold = {props.FailedJobsAlarmThreshold} must be at least 1.");
        Check.That(props.ClusterPlacement || props.PlacementAvailabilityZone is null,
            $"TrainingJobsProps.PlacementAvailabilityZone = '{props.PlacementAvailabilityZone}' needs ClusterPlacement = true: it picks the zone of the cluster placement group, and without one the compute environments use every zone of the workload subnets. Set ClusterPlacement = true or leave PlacementAvailabilityZone unset.");
        Check.That(props.UseSpot || !props.OnDemandFallback,
            "TrainingJobsProps.OnDemandFallback = true needs UseSpot = true: it orders an on-demand environment after the Spot one. Without Spot, jobs already run on demand.");
        Check.That(props.JobDefinitions.Count > 0, "TrainingJobsProps.JobDefinitions is empty; define at least one job definition.");
        var duplicate = props.JobDefinitions.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1);
        Check.That(duplicate is null, $"TrainingJobsProps.JobDefinitions: the name '{duplicate?.Key}' is used twice; names select the definition and must be unique.");

        foreach (var d in props.JobDefinitions)
        {
            var prop = $"TrainingJobDefinitionOptions '{d.Name}'";
            Check.That(Regex.IsMatch(d.Name, "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"), $"{prop}: Name must be 1 to 64 letters, digits, '-' or '_'.");
            Check.InRange(d.Attempts, 1, 10, $"{prop}.Attempts", "AWS Batch allows 1 to 10 attempts");
            Check.InRange(d.Nodes, 1, 1000, $"{prop}.Nodes", "nodes of a job");
            if (d.MaxNodes is { } maxNodes)
            {
                Check.That(d.Nodes > 1 || maxNodes == 1,
                    $"{prop}.MaxNodes = {maxNodes} needs Nodes > 1: only a multi-node definition can change its node count at submission.");
                Check.InRange(maxNodes, d.Nodes, 1000, $"{prop}.MaxNodes", "at least Nodes, at most Batch's 1000 nodes of a job");
            }
            if (d.Nodes > 1) ValidateMultiNode(props, types, d, prop);
            AttemptTimeoutSeconds(Check, d.AttemptTimeout, $"{prop}.AttemptTimeout");
            var placeable = d.Nodes > 1
                ? new[] { types.FirstOrDefault(t => t.Name == (d.NodeInstanceType ?? types[0].Name)) ?? throw Check.Error(
                    $"{prop}.NodeInstanceType = '{d.NodeInstanceType}' is not one of TrainingJobsProps.InstanceTypes ({string.Join(", ", props.InstanceTypes)}).") }
                : types.ToArray();
            var vcpus = d.VCpus ?? 4 * d.Gpus;
            var memory = MemoryMiB(d);
            if (d.SharedMemorySize is { } shm) Check.WholeMebibytes(shm, 1, memory, $"{prop}.SharedMemorySize", "a part of the node's memory");
            Check.That(d.Gpus >= 1 && placeable.Any(t => t.Gpus >= d.Gpus && t.VCpus >= vcpus && t.MemoryMiB >= memory),
                $"{prop} asks for {d.Gpus} GPU(s), {vcpus} vCPUs and {memory} MiB per node, which no allowed instance type ({string.Join(", ", placeable.Select(t => $"{t.Name}: {t.Gpus} GPU, {t.VCpus} vCPU, {t.MemoryMiB} MiB"))}) can hold; the job would wait in RUNNABLE forever.");
            if (d.Efa)
            {
                Check.That(d.Nodes > 1, $"{prop}.Efa = true is for multi-node jobs (Nodes > 1); a single node has no fabric to use.");
                Check.That(props.ClusterPlacement, $"{prop}.Efa = true needs TrainingJobsProps.ClusterPlacement = true: EFA only reaches instances in one cluster placement group.");
                Check.That(types.All(t => t.Efa),
                    $"{prop}.Efa = true needs every allowed instance type to support EFA; these do not: {string.Join(", ", types.Where(t => !t.Efa).Select(t => t.Name))}.");
            }
        }
        return units;
    }

    // Memory per node in the whole MiB Batch takes, at least 4 ("You must specify at least 4 MiB of memory for a job",
    // https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html): the definition's, or 15 GiB per GPU.
    private int MemoryMiB(TrainingJobDefinitionOptions d) => d.Memory is { } memory
        ? Check.WholeMebibytes(memory, 4, int.MaxValue, $"TrainingJobDefinitionOptions '{d.Name}'.Memory", "AWS Batch takes at least 4 MiB per container")
        : 15 * 1024 * d.Gpus;

    // Multi-node jobs run only on on-demand capacity (Batch does not schedule them on Spot), and all their nodes at once.
    private void ValidateMultiNode(TrainingJobsProps props, IReadOnlyList<GpuInstanceType> types, TrainingJobDefinitionOptions d, string prop)
    {
        Check.That(!props.UseSpot || props.OnDemandFallback,
            $"{prop} is multi-node (Nodes = {d.Nodes}), and AWS Batch does not run multi-node parallel jobs on Spot compute environments: " +
            "with TrainingJobsProps.UseSpot = true and no on-demand environment its jobs would wait in RUNNABLE until the queue cancels them. " +
            "Set TrainingJobsProps.OnDemandFallback = true (multi-node jobs then run on the on-demand environment, through their own queue) or UseSpot = false.");
        // A submission may pick any allowed type for the nodes: each node is at least one instance of the smallest
        // allowed type that has the definition's GPUs.
        var smallest = types.Where(t => t.Gpus >= d.Gpus).OrderBy(t => t.VCpus).FirstOrDefault();
        if (smallest is null) return; // no type holds the GPUs at all: the placement check below says so
        var (nodes, nodesProp) = d.MaxNodes is { } m ? (m, "MaxNodes") : (d.Nodes, "Nodes");
        var needed = (long)nodes * smallest.VCpus;
        Check.That(needed <= props.MaxVCpus,
            $"{prop}.{nodesProp} = {nodes}: that many nodes need at least {needed} vCPUs at once ({nodes} × {smallest.VCpus} vCPUs of {smallest.Name}, the smallest allowed type with {d.Gpus} GPU(s)), " +
            $"more than the on-demand environment's TrainingJobsProps.MaxVCpus = {props.MaxVCpus}; such a job would wait in RUNNABLE until the queue cancels it. " +
            $"Raise MaxVCpus to at least {needed} or lower {nodesProp}.");
    }
}
