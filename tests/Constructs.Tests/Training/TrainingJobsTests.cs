using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Training;
using AwsModelPlatform.Contracts;

namespace AwsModelPlatform.Constructs.Tests.Training;

/// <summary>The sample-like TrainingJobs, synthesized once for the tests that only read it.</summary>
public sealed class DefaultTraining
{
    public Template Template { get; }
    public string NamePrefix { get; }
    public TrainingJobs Training { get; }

    public DefaultTraining()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var training = Training = new TrainingJobs(stack, "Training", TrainingJobsTests.Props(platform));
        training.GrantSubmitJob(new Role(stack, "Submitter", new RoleProps { AssumedBy = new ServicePrincipal("lambda.amazonaws.com") }));
        NamePrefix = platform.NamePrefix;
        Template = Template.FromStack(stack);
    }
}

public class TrainingJobsTests(DefaultTraining training) : IClassFixture<DefaultTraining>
{
    /// <summary>As the sample: Spot with the on-demand fallback (which the multi-node <c>ddp</c> needs), a single- and a 2-node definition.</summary>
    internal static TrainingJobsProps Props(IModelPlatform? platform = null) => new()
    {
        Platform = platform,
        InstanceTypes = new[] { "g5.12xlarge", "g6.12xlarge" },
        MaxVCpus = 96,
        OnDemandFallback = true,
        JobDefinitions = new[]
        {
            new TrainingJobDefinitionOptions { Name = "finetune", Image = ContainerImage.FromRegistry("example.com/train:1"), Gpus = 4 },
            new TrainingJobDefinitionOptions { Name = "ddp", Image = ContainerImage.FromRegistry("example.com/train:1"), Gpus = 4, Nodes = 2 },
        },
    };

    /// <summary>One Spot environment and the single-node definition only: one compute environment to price.</summary>
    internal static TrainingJobsProps SpotOnlyProps(IModelPlatform? platform = null) =>
        Props(platform) with { OnDemandFallback = false, JobDefinitions = new[] { Props().JobDefinitions[0] } };

    private Template T => training.Template;

    private JsonNode JobDefinition(string name) =>
        T.Resources("AWS::Batch::JobDefinition").Single(d => d.Value["Properties"]!["JobDefinitionName"]!.GetValue<string>().EndsWith("-" + name)).Value["Properties"]!;

    [Fact]
    public void Datasets_checkpoints_and_outputs_live_in_KMS_encrypted_access_logged_buckets_named_for_the_trail()
    {
        var buckets = T.Resources("AWS::S3::Bucket").Where(b => b.Key.StartsWith("Training")).Select(b => b.Value["Properties"]!).ToList();
        Assert.Equal(3, buckets.Count);
        foreach (var bucket in buckets)
        {
            Assert.Contains("aws:kms", bucket["BucketEncryption"].Text());
            Assert.NotNull(bucket["LoggingConfiguration"]);
            Assert.StartsWith($"{{\"Fn::Join\":[\"\",[\"{training.NamePrefix}-", bucket["BucketName"].Text());
        }
        Assert.All(buckets, b => Assert.Equal("Enabled", b["VersioningConfiguration"]!["Status"]!.GetValue<string>()));
    }

    [Fact]
    public void Checkpoints_are_versioned_and_a_replaced_checkpoint_stays_restorable_for_a_day()
    {
        var checkpoints = T.Resources("AWS::S3::Bucket").Select(b => b.Value["Properties"]!).Single(b => b["BucketName"].Text().Contains("-checkpoints-"));
        Assert.Equal("Enabled", checkpoints["VersioningConfiguration"]!["Status"]!.GetValue<string>());
        var rule = Assert.Single(checkpoints["LifecycleConfiguration"]!["Rules"]!.AsArray())!;
        Assert.Equal(30, rule["ExpirationInDays"]!.GetValue<int>());
        Assert.Equal(TrainingJobs.CheckpointNoncurrentVersionDays, rule["NoncurrentVersionExpiration"]!["NoncurrentDays"]!.GetValue<int>());
        Assert.Equal(1, TrainingJobs.CheckpointNoncurrentVersionDays);
    }

    [Fact]
    public void Compute_is_Spot_price_capacity_optimized_scales_to_zero_and_is_capped()
    {
        var environment = T.Resources("AWS::Batch::ComputeEnvironment").Single(c => c.Key.StartsWith("TrainingSpot")).Value["Properties"]!["ComputeResources"]!;
        Assert.Equal("SPOT", environment["Type"]!.GetValue<string>());
        Assert.Equal("SPOT_PRICE_CAPACITY_OPTIMIZED", environment["AllocationStrategy"]!.GetValue<string>());
        Assert.Equal(0, environment["MinvCpus"]!.GetValue<int>());
        Assert.Equal(96, environment["MaxvCpus"]!.GetValue<int>());
        Assert.Equal("""["g5.12xlarge","g6.12xlarge"]""", environment["InstanceTypes"].Text());
        Assert.Equal("ECS_AL2023_NVIDIA", environment["Ec2Configuration"]![0]!["ImageType"]!.GetValue<string>());
        Assert.Contains("WorkloadSubnet", environment["Subnets"].Text());
    }

    [Fact]
    public void Instances_require_IMDSv2_one_hop_and_boot_from_a_200_GiB_volume_encrypted_with_the_platform_key()
    {
        var data = T.Single("AWS::EC2::LaunchTemplate")["Properties"]!["LaunchTemplateData"]!;
        Assert.Equal("required", data["MetadataOptions"]!["HttpTokens"]!.GetValue<string>());
        Assert.Equal(1, data["MetadataOptions"]!["HttpPutResponseHopLimit"]!.GetValue<int>());
        var ebs = data["BlockDeviceMappings"]![0]!["Ebs"]!;
        Assert.True(ebs["Encrypted"]!.GetValue<bool>());
        Assert.Equal(200, ebs["VolumeSize"]!.GetValue<int>());
        Assert.Equal("gp3", ebs["VolumeType"]!.GetValue<string>());
        Assert.Contains("PlatformKey", ebs["KmsKeyId"].Text());
        Assert.Contains(T.KeyPolicyStatements(), s => s["Sid"]?.GetValue<string>() == "EbsEncryptionThroughEc2" && s.Text().Contains("kms:ViaService"));
    }

    [Fact]
    public void Instance_role_has_no_managed_policy_and_only_the_ECS_agents_actions()
    {
        var role = T.Resources("AWS::IAM::Role").Single(r => r.Value.Text().Contains("ec2.amazonaws.com")).Value["Properties"]!;
        Assert.Null(role["ManagedPolicyArns"]);
        var policy = T.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("TrainingInstanceRolePolicy")).Value.Text();
        Assert.Contains("ecs:RegisterContainerInstance", policy);
        Assert.DoesNotContain("ecs:CreateCluster", policy);
        Assert.DoesNotContain("s3:", policy);
    }

    [Fact]
    public void Queues_cancel_jobs_stuck_in_RUNNABLE_after_an_hour_with_the_reason()
    {
        var queues = T.Resources("AWS::Batch::JobQueue");
        Assert.Equal(2, queues.Count); // the main queue and the multi-node queue
        foreach (var queue in queues.Select(q => q.Value["Properties"]!))
        {
            Assert.Equal(1, queue["Priority"]!.GetValue<int>());
            var actions = queue["JobStateTimeLimitActions"]!.AsArray();
            Assert.Equal(3, actions.Count);
            Assert.All(actions, a => Assert.Equal("""{"Action":"CANCEL","MaxTimeSeconds":3600,"Reason":""" + a!["Reason"].Text() + ""","State":"RUNNABLE"}""", a.Text()));
            Assert.Contains(actions, a => a!["Reason"]!.GetValue<string>() == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");
        }
    }

    [Fact]
    public void Multi_node_jobs_get_a_queue_of_their_own_on_the_on_demand_environment_only()
    {
        // Batch does not run multi-node parallel jobs on Spot: the main queue starts with Spot, so they need this one.
        var queues = T.Resources("AWS::Batch::JobQueue");
        var main = queues.Single(q => q.Key.StartsWith("TrainingQueue")).Value["Properties"]!["ComputeEnvironmentOrder"]!.AsArray();
        Assert.Equal(2, main.Count);
        Assert.Contains("TrainingSpot", main[0]!["ComputeEnvironment"].Text());
        var multiNode = queues.Single(q => q.Key.StartsWith("TrainingMultiNodeQueue")).Value["Properties"]!["ComputeEnvironmentOrder"]!.AsArray();
        var only = Assert.Single(multiNode)!;
        Assert.Equal(1, only["Order"]!.GetValue<int>());
        Assert.Contains("TrainingOnDemand", only["ComputeEnvironment"].Text());
        Assert.NotNull(training.Training.MultiNodeJobQueue);
        Assert.Equal(new[] { training.Training.JobQueue, training.Training.MultiNodeJobQueue }, training.Training.JobQueues);
    }

    [Fact]
    public void Job_state_rules_watch_both_queues()
    {
        var rules = T.Resources("AWS::Events::Rule").Select(r => r.Value["Properties"]!["EventPattern"]!["detail"]!["jobQueue"].Text()).ToList();
        Assert.Equal(3, rules.Count); // succeeded, failed, stuck
        Assert.All(rules, queues =>
        {
            Assert.Contains("TrainingQueue", queues);
            Assert.Contains("TrainingMultiNodeQueue", queues);
        });
    }

    [Fact]
    public void Single_node_definition_sizes_GPUs_CPUs_memory_shared_memory_and_ulimits_for_PyTorch()
    {
        var container = JobDefinition("finetune")["ContainerProperties"]!;
        Assert.Equal("""[{"Type":"MEMORY","Value":"61440"},{"Type":"VCPU","Value":"16"},{"Type":"GPU","Value":"4"}]""", container["ResourceRequirements"].Text());
        Assert.Equal(15360, container["LinuxParameters"]!["SharedMemorySize"]!.GetValue<int>());
        Assert.Contains("""{"HardLimit":-1,"Name":"memlock","SoftLimit":-1}""", container["Ulimits"].Text());
        Assert.Contains("awslogs", container["LogConfiguration"].Text());
        var env = container["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"].Text());
        Assert.Equal("\"/opt/ml/checkpoints\"", env["CHECKPOINT_DIR"]);
        Assert.Equal("\"4\"", env["NPROC_PER_NODE"]);
        Assert.Contains("TrainingCheckpoints", env["CHECKPOINTS_BUCKET"]);
    }

    [Fact]
    public void Jobs_retry_only_when_the_instance_goes_away_and_time_out_after_a_day()
    {
        var definition = JobDefinition("finetune");
        Assert.Equal("""{"Attempts":3,"EvaluateOnExit":[{"Action":"RETRY","OnStatusReason":"Host EC2*"},{"Action":"EXIT","OnExitCode":"*"},{"Action":"EXIT","OnReason":"*"}]}""",
            definition["RetryStrategy"].Text());
        Assert.Equal(86400, definition["Timeout"]!["AttemptDurationSeconds"]!.GetValue<int>());
        Assert.True(definition["PropagateTags"]!.GetValue<bool>());
    }

    [Fact]
    public void Multi_node_definition_runs_one_container_range_on_one_instance_type()
    {
        var nodes = JobDefinition("ddp")["NodeProperties"]!;
        Assert.Equal(2, nodes["NumNodes"]!.GetValue<int>());
        Assert.Equal(0, nodes["MainNode"]!.GetValue<int>());
        // Open-ended, so a submission's numNodes may resize the job and every node still gets this container.
        Assert.Equal("0:", Assert.Single(nodes["NodeRangeProperties"]!.AsArray())!["TargetNodes"]!.GetValue<string>());
        Assert.Equal("g5.12xlarge", nodes["NodeRangeProperties"]![0]!["Container"]!["InstanceType"]!.GetValue<string>());
        Assert.Contains("\"NNODES\"", nodes.Text());
    }

    [Fact]
    public void Node_to_node_traffic_is_allowed_only_within_the_training_security_group()
    {
        var group = T.Resources("AWS::EC2::SecurityGroup").Single(g => g.Key.StartsWith("TrainingInstanceSecurityGroup")).Value["Properties"]!;
        Assert.Equal("""[{"CidrIp":"0.0.0.0/0","Description":"HTTPS to AWS APIs through the VPC endpoints","FromPort":443,"IpProtocol":"tcp","ToPort":443}]""", group["SecurityGroupEgress"].Text());
        Assert.Single(T.Resources("AWS::EC2::SecurityGroupIngress"), i => i.Key.StartsWith("TrainingInstanceSecurityGroup"));
    }

    [Fact]
    public void Job_role_names_each_action_on_the_three_buckets_and_the_key()
    {
        var policy = T.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("TrainingJobRolePolicy")).Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        Assert.DoesNotContain(policy, s => s!["Action"].Text().Contains('*'));
        var read = policy.Single(s => s!["Sid"]!.GetValue<string>() == "ReadDatasets")!;
        Assert.Equal("s3:GetObject", read["Action"]!.GetValue<string>());
        Assert.Contains("TrainingDatasets", read["Resource"].Text());
        var objects = policy.Single(s => s!["Sid"]!.GetValue<string>() == "PlatformKeyForTheseObjects")!;
        Assert.Contains("PlatformKey", objects["Resource"].Text());
        Assert.Contains("kms:ViaService", objects["Condition"].Text()); // on S3's behalf only
        var secrets = policy.Single(s => s!["Sid"]!.GetValue<string>() == "DecryptJobSecrets")!;
        Assert.Equal("kms:Decrypt", secrets["Action"]!.GetValue<string>());
        Assert.Contains("\"ForAllValues:StringEquals\":{\"kms:EncryptionContextKeys\":[\"aws-model-platform:job-name\"", secrets["Condition"].Text());
    }

    [Fact]
    public void Job_state_changes_reach_the_alarm_topic_as_a_readable_sentence()
    {
        var rules = T.Resources("AWS::Events::Rule").Select(r => r.Value["Properties"]!).ToList();
        var failed = rules.Single(r => r["EventPattern"]!["detail"]!["status"].Text() == """["FAILED"]""" && r["EventPattern"]!["detail"]!["statusReason"] is null);
        Assert.Contains("Training job <detail-jobName> (<detail-jobId>) <detail-status>: <detail-statusReason>", failed["Targets"]![0]!["InputTransformer"]!["InputTemplate"]!.GetValue<string>());
        Assert.Contains(rules, r => r["EventPattern"]!["detail"]!["status"].Text() == """["SUCCEEDED"]""" && r["Targets"] is not null);
        Assert.Contains("events.amazonaws.com", T.Single("AWS::SNS::TopicPolicy").Text());
    }

    [Fact]
    public void Failed_and_stuck_jobs_raise_alarms_on_the_platform_topic()
    {
        var alarms = T.Resources("AWS::CloudWatch::Alarm").Where(a => a.Key.StartsWith("Training") && !a.Key.Contains("IdleCompute")).Select(a => a.Value["Properties"]!).ToList();
        Assert.Equal(2, alarms.Count);
        Assert.All(alarms, a =>
        {
            Assert.Equal("TriggeredRules", a["MetricName"]!.GetValue<string>());
            Assert.Equal(3600, a["Period"]!.GetValue<int>());
            Assert.Contains("PlatformAlarmsTopic", a["AlarmActions"].Text());
        });
        var stuckRule = T.Resources("AWS::Events::Rule").Single(r => r.Value["Properties"]!["EventPattern"]!["detail"]!["statusReason"] is not null);
        Assert.Contains(alarms, a => a["Dimensions"].Text().Contains(stuckRule.Key));
    }

    [Fact]
    public void Instances_kept_with_no_job_on_them_for_30_minutes_raise_the_idle_compute_alarm()
    {
        var alarm = T.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("TrainingSpotIdleComputeAlarm")).Value["Properties"]!;
        Assert.Equal("AWS/ECS", alarm["Namespace"]!.GetValue<string>());
        Assert.Equal("CPUReservation", alarm["MetricName"]!.GetValue<string>());
        Assert.Equal("LessThanOrEqualToThreshold", alarm["ComparisonOperator"]!.GetValue<string>());
        Assert.Equal(0, alarm["Threshold"]!.GetValue<double>());
        Assert.Equal(6, alarm["EvaluationPeriods"]!.GetValue<int>());
        Assert.Equal("notBreaching", alarm["TreatMissingData"]!.GetValue<string>());
        Assert.Contains("PlatformAlarmsTopic", alarm["AlarmActions"].Text());
        // The cluster Batch created is looked up at deployment: the alarm's dimension is that lookup's answer.
        Assert.Contains("TrainingSpotIdleComputeAlarmClusterLookup", alarm["Dimensions"].Text());
        var lookup = T.Resources("Custom::AWS").Single(r => r.Key.StartsWith("TrainingSpotIdleComputeAlarmClusterLookup")).Value["Properties"]!;
        Assert.Contains("describeComputeEnvironments", lookup["Create"].Text());
        Assert.Contains("TrainingSpot", lookup["Create"].Text());
    }

    [Fact]
    public void Each_compute_environment_records_its_worst_case_cost_in_the_template()
    {
        var environments = T.Resources("AWS::Batch::ComputeEnvironment");
        Assert.Equal(2, environments.Count);
        foreach (var metadata in environments.Select(e => e.Value["Metadata"]!["AwsModelPlatform:Cost"]!))
        {
            // 2 × g5.12xlarge × $5.672 + 2 × 200 GiB × $0.08 / 730 h = 11.344 + 0.0438 = 11.3878 $/h (Spot priced at on-demand)
            Assert.Equal(11.3878, metadata["worstCaseHourlyUsd"]!.GetValue<double>(), 4);
            Assert.Equal(8313.12, metadata["worstCaseMonthlyUsd"]!.GetValue<double>(), 2);
            Assert.Equal(2, metadata["items"]!.AsArray().Count);
        }
    }

    [Fact]
    public void GrantSubmitJob_allows_SubmitJob_on_these_queues_and_the_current_revisions_of_these_definitions_only()
    {
        var policy = T.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("SubmitterDefaultPolicy")).Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        var statement = Assert.Single(policy)!;
        Assert.Equal("batch:SubmitJob", statement["Action"]!.GetValue<string>());
        var resources = statement["Resource"]!.AsArray().Select(r => r.Text()).ToList();
        Assert.Equal(4, resources.Count);
        Assert.Contains(resources, r => r.Contains("TrainingQueue"));
        Assert.Contains(resources, r => r.Contains("TrainingMultiNodeQueue"));
        Assert.Contains(resources, r => r == """{"Ref":"Trainingfinetune13298F6B"}""");
        Assert.Contains(resources, r => r.StartsWith("""{"Ref":"TrainingddpC79B7801"}"""));
    }

    [Fact]
    public void Dashboard_gets_a_training_section()
    {
        Assert.Contains("Jobs cancelled in RUNNABLE", T.Single("AWS::CloudWatch::Dashboard").Text());
    }
}

public class TrainingJobsOptionsTests
{
    private static TrainingJobsProps Props => TrainingJobsTests.Props();

    [Fact]
    public void On_demand_fallback_is_a_second_environment_after_Spot()
    {
        var template = Synth.Template(s => new TrainingJobs(s, "Training", TrainingJobsTests.SpotOnlyProps() with { OnDemandFallback = true }));
        var order = template.Single("AWS::Batch::JobQueue")["Properties"]!["ComputeEnvironmentOrder"]!.AsArray(); // no multi-node definition: one queue
        Assert.Equal(2, order.Count);
        Assert.Contains("TrainingSpot", order[0]!["ComputeEnvironment"].Text());
        Assert.Contains("TrainingOnDemand", order[1]!["ComputeEnvironment"].Text());
        Assert.Contains(template.Resources("AWS::Batch::ComputeEnvironment"), c => c.Value["Properties"]!["ComputeResources"]!["AllocationStrategy"]!.GetValue<string>() == "BEST_FIT_PROGRESSIVE");
    }

    [Fact]
    public void Without_Spot_jobs_run_on_demand_only_and_multi_node_jobs_share_the_one_queue()
    {
        var stack = Synth.NewStack();
        var training = new TrainingJobs(stack, "Training", Props with { UseSpot = false, OnDemandFallback = false });
        var template = Template.FromStack(stack);
        var environment = Assert.Single(template.Resources("AWS::Batch::ComputeEnvironment")).Value["Properties"]!["ComputeResources"]!;
        Assert.Equal("EC2", environment["Type"]!.GetValue<string>());
        template.ResourceCountIs("AWS::Batch::JobQueue", 1);
        Assert.Null(training.MultiNodeJobQueue);
        Assert.Null(training.MultiNodeJobQueueArn);
        Assert.Single(training.JobQueues);
    }

    [Fact]
    public void Spot_with_the_fallback_and_no_multi_node_definition_has_one_queue()
    {
        var training = new TrainingJobs(Synth.NewStack(), "Training", TrainingJobsTests.SpotOnlyProps() with { OnDemandFallback = true });
        Assert.Null(training.MultiNodeJobQueue);
        Assert.Single(training.JobQueues);
    }

    [Fact]
    public void The_samples_multi_node_definition_fits_its_on_demand_environment()
    {
        // cdk/TrainingStack.cs: 192 vCPUs; ddp on 2..4 nodes of 4 GPUs: 4 × 48 vCPUs of g5.12xlarge = 192.
        var stack = Synth.NewStack();
        var training = new TrainingJobs(stack, "Training", Props with
        {
            MaxVCpus = 192,
            JobDefinitions = new[] { Props.JobDefinitions[0], Props.JobDefinitions[1] with { MaxNodes = 4 } },
        });
        Assert.NotNull(training.MultiNodeJobQueue);
        Template.FromStack(stack).ResourceCountIs("AWS::Batch::JobQueue", 2);
    }

    [Fact]
    public void A_multi_node_definition_on_Spot_alone_fails_synthesis_naming_it_and_the_two_ways_out()
    {
        var message = Synth.ErrorOf(() => new TrainingJobs(Synth.NewStack(), "Training", Props with { OnDemandFallback = false }));
        Assert.StartsWith("Test/Training: TrainingJobDefinitionOptions 'ddp' is multi-node (Nodes = 2), and AWS Batch does not run multi-node parallel jobs on Spot compute environments", message);
        Assert.Contains("Set TrainingJobsProps.OnDemandFallback = true (multi-node jobs then run on the on-demand environment, through their own queue) or UseSpot = false.", message);
    }

    [Fact]
    public void EFA_puts_the_fabric_interface_in_the_launch_template_the_device_in_the_container_and_nodes_in_a_cluster()
    {
        var template = Synth.Template(s => new TrainingJobs(s, "Training", Props with
        {
            InstanceTypes = new[] { "p4d.24xlarge" },
            MaxVCpus = 192,
            ClusterPlacement = true,
            JobDefinitions = new[] { new TrainingJobDefinitionOptions { Name = "ddp", Image = ContainerImage.FromRegistry("example.com/train:1"), Gpus = 8, Nodes = 2, Efa = true } },
        }));
        var nic = template.Single("AWS::EC2::LaunchTemplate")["Properties"]!["LaunchTemplateData"]!["NetworkInterfaces"]![0]!;
        Assert.Equal("efa", nic["InterfaceType"]!.GetValue<string>());
        Assert.Contains("TrainingInstanceSecurityGroup", nic["Groups"].Text());
        Assert.All(template.Resources("AWS::Batch::ComputeEnvironment"), e => Assert.Null(e.Value["Properties"]!["ComputeResources"]!["SecurityGroupIds"]));
        template.HasResourceProperties("AWS::EC2::PlacementGroup", new Dictionary<string, object> { ["Strategy"] = "cluster" });
        Assert.Contains("/dev/infiniband/uverbs0", template.Single("AWS::Batch::JobDefinition").Text());
    }

    [Fact]
    public void Worst_case_hourly_cost_counts_every_environment_at_its_vCPU_cap()
    {
        var training = new TrainingJobs(Synth.NewStack(), "Training", Props);
        // Two environments × (2 × g5.12xlarge × $5.672 + 2 × 200 GiB × $0.08 / 730 h) = 2 × 11.3878 $/h
        Assert.Equal(2 * (2 * 5.672 + 2 * 200 * 0.08 / 730), training.WorstCaseHourlyCostUsd, 3);
    }

    [Fact]
    public void Standalone_training_creates_its_own_secure_platform()
    {
        var template = Synth.Template(s => new TrainingJobs(s, "Training", Props));
        template.ResourceCountIs("AWS::CloudTrail::Trail", 1);
        template.ResourceCountIs("AWS::KMS::Key", 1);
    }

    [Theory]
    [InlineData("p3.8xlarge", 4, "g4dn.12xlarge, g5.12xlarge, g6.12xlarge, g6e.12xlarge")]
    [InlineData("p3.2xlarge", 1, "g4dn.xlarge, g5.xlarge, g6.xlarge, g6e.xlarge")]
    [InlineData("p3dn.24xlarge", 8, "g4dn.metal, g5.48xlarge, g6.48xlarge, g6e.48xlarge")]
    [InlineData("g3.16xlarge", 4, "g4dn.12xlarge, g5.12xlarge, g6.12xlarge, g6e.12xlarge")]
    public void A_p3_or_g3_type_fails_synthesis_the_AL2023_NVIDIA_AMI_does_not_run_them_naming_newer_types(string type, int gpus, string instead)
    {
        var message = Synth.ErrorOf(() => new TrainingJobs(Synth.NewStack(), "Training", Props with { InstanceTypes = new[] { "g5.12xlarge", type } }));
        Assert.Equal($"Test/Training: TrainingJobsProps.InstanceTypes: '{type}' cannot run training jobs: the training compute environments run AWS Batch's Amazon Linux 2023 NVIDIA AMI (ECS_AL2023_NVIDIA), " +
            $"which does not support p3 and g3 instance types (AWS Batch API reference, Ec2Configuration); for {gpus} GPU(s) use a newer type such as {instead}.", message);
    }

    [Fact]
    public void Every_supported_type_is_one_the_compute_environments_AMI_runs()
    {
        Assert.DoesNotContain(GpuInstanceTypes.Supported, t => t.Name.StartsWith("p3", StringComparison.Ordinal) || t.Name.StartsWith("g3", StringComparison.Ordinal));
        Assert.All(GpuInstanceTypes.Supported, t => Assert.Null(GpuInstanceTypes.WhyNotSupported(t.Name)));
        var template = Synth.Template(s => new TrainingJobs(s, "Training", Props));
        Assert.All(template.Resources("AWS::Batch::ComputeEnvironment"), e =>
            Assert.Equal(GpuInstanceTypes.ImageType, e.Value["Properties"]!["ComputeResources"]!["Ec2Configuration"]![0]!["ImageType"]!.GetValue<string>()));
    }

    [Fact]
    public void Instances_may_pull_the_job_definitions_ECR_images_from_those_repositories_only()
    {
        // On EC2, ECS pulls from ECR with the container instance role (Amazon ECR User Guide, "Using Amazon ECR images with Amazon ECS").
        var stack = Synth.NewStack();
        var train = Repository.FromRepositoryName(stack, "Train", "train");
        var eval = Repository.FromRepositoryName(stack, "Eval", "eval");
        _ = new TrainingJobs(stack, "Training", Props with
        {
            JobDefinitions = new[]
            {
                Props.JobDefinitions[0] with { Image = ContainerImage.FromEcrRepository(train, "v1") },
                Props.JobDefinitions[1] with { Image = ContainerImage.FromEcrRepository(eval, "v2") },
                Props.JobDefinitions[0] with { Name = "finetune2", Image = ContainerImage.FromEcrRepository(train, "v3") },
            },
        });
        var statements = Template.FromStack(stack).Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("TrainingInstanceRolePolicy")).Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        var pull = statements.Single(s => s!["Sid"]!.GetValue<string>() == "PullJobImages")!;
        Assert.Equal("""["ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"]""", pull["Action"].Text());
        var repositories = pull["Resource"]!.AsArray().Select(r => r.Text()).ToList();
        Assert.Equal(2, repositories.Count); // each repository once
        Assert.Contains(repositories, r => r.EndsWith(""":repository/train"]]}""", StringComparison.Ordinal));
        Assert.Contains(repositories, r => r.EndsWith(""":repository/eval"]]}""", StringComparison.Ordinal));
        var token = statements.Single(s => s!["Sid"]!.GetValue<string>() == "EcrAuthorizationToken")!;
        Assert.Equal("ecr:GetAuthorizationToken", token["Action"]!.GetValue<string>());
        Assert.Equal("*", token["Resource"]!.GetValue<string>());
    }

    [Fact]
    public void Images_from_another_registry_give_the_instances_no_ECR_permission()
    {
        var statements = Synth.Template(s => new TrainingJobs(s, "Training", Props)).Resources("AWS::IAM::Policy")
            .Single(p => p.Key.StartsWith("TrainingInstanceRolePolicy")).Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        Assert.DoesNotContain(statements, s => s!["Action"].Text().Contains("ecr:"));
    }

    public static IEnumerable<object[]> InvalidProps() => new[]
    {
        new object[] { Props with { InstanceTypes = new[] { "m5.large" } }, "TrainingJobsProps.InstanceTypes: 'm5.large' is not a supported GPU instance type" },
        new object[] { Props with { InstanceTypes = Array.Empty<string>() }, "TrainingJobsProps.InstanceTypes is empty" },
        new object[] { Props with { MaxVCpus = 32 }, "TrainingJobsProps.MaxVCpus = 32 is less than the 48 vCPUs of the largest allowed instance type" },
        new object[] { Props with { UseSpot = false, OnDemandFallback = true }, "TrainingJobsProps.OnDemandFallback = true needs UseSpot = true" },
        new object[] { Props with { MaxRunnableTime = Duration.Minutes(5) }, "TrainingJobsProps.MaxRunnableTime = 300 s is out of range: whole seconds from 600 to 86400." },
        new object[] { Props with { RootVolumeSize = Size.Gibibytes(20) }, "TrainingJobsProps.RootVolumeSize = 20 GiB is out of range" },
        new object[] { Props with { RootVolumeSize = Size.Mebibytes(51_300) }, "TrainingJobsProps.RootVolumeSize = 50.09765625 GiB is out of range: the GPU AMI needs 30 GiB and gp3 volumes end at 16 TiB (whole GiB, 30 to 16384)." },
        new object[] { Props with { IdleComputeAlarmAfter = Duration.Minutes(2) }, "TrainingJobsProps.IdleComputeAlarmAfter = 2 minutes is out of range" },
        new object[] { Props with { CheckpointExpireAfter = Duration.Hours(12) }, "TrainingJobsProps.CheckpointExpireAfter = 0.5 days is out of range" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[0] with { AttemptTimeout = Duration.Seconds(59) } } }, "TrainingJobDefinitionOptions 'finetune'.AttemptTimeout = 59 s: AWS Batch needs whole seconds, at least 60." },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[0] with { Memory = Size.Kibibytes(16_000) } } }, "TrainingJobDefinitionOptions 'finetune'.Memory = 15.625 MiB is out of range: AWS Batch takes at least 4 MiB per container" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[0] with { Memory = Size.Gibibytes(8), SharedMemorySize = Size.Gibibytes(9) } } }, "TrainingJobDefinitionOptions 'finetune'.SharedMemorySize = 9216 MiB is out of range: a part of the node's memory (whole MiB, 1 to 8192)." },
        new object[] { Props with { JobDefinitions = Array.Empty<TrainingJobDefinitionOptions>() }, "TrainingJobsProps.JobDefinitions is empty" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[0], Props.JobDefinitions[0] } }, "the name 'finetune' is used twice" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[0] with { Gpus = 8 } } }, "TrainingJobDefinitionOptions 'finetune' asks for 8 GPU(s), 32 vCPUs and 122880 MiB per node, which no allowed instance type" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[0] with { Name = "fine tune" } } }, "TrainingJobDefinitionOptions 'fine tune': Name must be 1 to 64 letters" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[0] with { Attempts = 11 } } }, "TrainingJobDefinitionOptions 'finetune'.Attempts = 11 is out of range" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[1] with { NodeInstanceType = "p5.48xlarge" } } }, "TrainingJobDefinitionOptions 'ddp'.NodeInstanceType = 'p5.48xlarge' is not one of TrainingJobsProps.InstanceTypes" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[1] with { Efa = true } } }, "TrainingJobDefinitionOptions 'ddp'.Efa = true needs TrainingJobsProps.ClusterPlacement = true" },
        new object[] { Props with { ClusterPlacement = true, InstanceTypes = new[] { "g5.12xlarge", "g5.4xlarge" }, JobDefinitions = new[] { Props.JobDefinitions[1] with { Efa = true } } }, "needs every allowed instance type to support EFA; these do not: g5.4xlarge" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[0] with { Efa = true } } }, "TrainingJobDefinitionOptions 'finetune'.Efa = true is for multi-node jobs" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[1] with { MaxNodes = 1 } } }, "TrainingJobDefinitionOptions 'ddp'.MaxNodes = 1 is out of range: at least Nodes" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[1] with { MaxNodes = 1001 } } }, "TrainingJobDefinitionOptions 'ddp'.MaxNodes = 1001 is out of range" },
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[0] with { MaxNodes = 2 } } }, "TrainingJobDefinitionOptions 'finetune'.MaxNodes = 2 needs Nodes > 1" },
        // Every node of a multi-node job at once, each at least the smallest allowed type with its GPUs, within MaxVCpus.
        new object[] { Props with { JobDefinitions = new[] { Props.JobDefinitions[1] with { MaxNodes = 3 } } },
            "TrainingJobDefinitionOptions 'ddp'.MaxNodes = 3: that many nodes need at least 144 vCPUs at once (3 × 48 vCPUs of g5.12xlarge, the smallest allowed type with 4 GPU(s)), more than the on-demand environment's TrainingJobsProps.MaxVCpus = 96" },
        new object[] { Props with { UseSpot = false, OnDemandFallback = false, JobDefinitions = new[] { Props.JobDefinitions[1] with { Nodes = 3 } } },
            "TrainingJobDefinitionOptions 'ddp'.Nodes = 3: that many nodes need at least 144 vCPUs at once" },
        new object[] { Props with { InstanceTypes = new[] { "g5.12xlarge", "g5.48xlarge" }, MaxVCpus = 192, JobDefinitions = new[] { Props.JobDefinitions[1] with { Gpus = 8, NodeInstanceType = "g5.48xlarge" } } },
            "TrainingJobDefinitionOptions 'ddp'.Nodes = 2: that many nodes need at least 384 vCPUs at once (2 × 192 vCPUs of g5.48xlarge, the smallest allowed type with 8 GPU(s)), more than the on-demand environment's TrainingJobsProps.MaxVCpus = 192; such a job would wait in RUNNABLE until the queue cancels it. Raise MaxVCpus to at least 384 or lower Nodes." },
    };

    [Theory]
    [MemberData(nameof(InvalidProps))]
    public void Props_that_cannot_work_fail_synthesis_saying_what_to_change(TrainingJobsProps props, string expected)
    {
        var message = Synth.ErrorOf(() => new TrainingJobs(Synth.NewStack(), "Training", props));
        Assert.Contains(expected, message);
    }
}
