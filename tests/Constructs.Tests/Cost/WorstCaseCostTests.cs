using AwsModelPlatform.Contracts;
using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Tests.Inference;
using AwsModelPlatform.Constructs.Training;
using TrainingProps = AwsModelPlatform.Constructs.Tests.Training.TrainingJobsTests;

namespace AwsModelPlatform.Constructs.Tests.Cost;

/// <summary>Worst-case monthly costs against figures computed by hand from prices.json (us-east-1, 730 h a month).</summary>
public class WorstCaseCostTests
{
    // 12 default interface endpoints × 2 AZs × 730 h × $0.01 = $175.20; key $1 and its first two rotations $2; dashboard $3;
    // billing alarm $0.10; the cost-allocation tag check's 3 alarms × $0.10 and 2 EMF metrics × $0.30 = $0.90.
    private const double DefaultFoundation = 175.20 + 1 + 2 + 3 + 0.10 + 0.90;

    private static double Sum(IEnumerable<CostLine> lines) => CostLine.Total(lines);

    [Fact]
    public void Default_foundation_costs_its_interface_endpoints_per_AZ_key_dashboard_and_billing_alarm()
    {
        var platform = new ModelPlatform(Synth.NewStack(), "Platform");
        var lines = platform.WorstCaseMonthlyCost;
        Assert.Equal(12, lines.Count(l => l.Type == "AWS::EC2::VPCEndpoint"));
        Assert.All(lines.Where(l => l.Type == "AWS::EC2::VPCEndpoint"), l => Assert.Equal(2 * 730 * 0.01, l.MonthlyUsd, 6));
        Assert.Equal(182.20, Sum(lines), 6);
        Assert.Equal(DefaultFoundation, Sum(lines), 6);
    }

    [Fact]
    public void A_rotated_key_bills_a_dollar_a_month_for_each_of_its_first_two_rotations()
    {
        var lines = new ModelPlatform(Synth.NewStack(), "Platform").WorstCaseMonthlyCost;
        var rotation = Assert.Single(lines, l => l.Unit == "rotation-month");
        Assert.Equal("AWS::KMS::Key", rotation.Type);
        Assert.Equal(2, rotation.Quantity);
        Assert.Equal(PriceTable.Default.Get("us-east-1", PriceTable.Kms, "rotation-month").Usd * 2, rotation.MonthlyUsd, 6);
    }

    [Fact]
    public void Egress_adds_a_NAT_gateway_per_AZ_and_a_third_AZ_adds_a_set_of_endpoints()
    {
        var egress = new ModelPlatform(Synth.NewStack(), "Platform", new ModelPlatformProps { NetworkOptions = new PlatformNetworkProps { AllowInternetEgress = true } });
        // + 2 NAT gateways × 730 h × $0.045 = $65.70, + their 2 public IPv4 addresses × 730 h × $0.005 = $7.30
        Assert.Equal(DefaultFoundation + 65.70 + 7.30, Sum(egress.WorstCaseMonthlyCost), 6);
        Assert.Equal(2, egress.WorstCaseMonthlyCost.Count(l => l.Type == "AWS::EC2::NatGateway"));
        Assert.Equal(2, egress.WorstCaseMonthlyCost.Count(l => l.Type == "AWS::EC2::EIP" && l.Unit == "IPv4-address-hour" && l.Quantity == 730));

        var threeAzs = new ModelPlatform(new Stack(new App(), "Test", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "us-east-1" } }),
            "Platform", new ModelPlatformProps { NetworkOptions = new PlatformNetworkProps { MaxAzs = 3 } });
        // 12 × 3 AZs × 730 h × $0.01 = $262.80, + the rest of the default foundation
        Assert.Equal(262.80 + (DefaultFoundation - 175.20), Sum(threeAzs.WorstCaseMonthlyCost), 6);
    }

    [Fact]
    public void Training_costs_every_vCPU_of_each_compute_environment_at_on_demand_with_root_volumes()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var training = new TrainingJobs(stack, "Training", TrainingProps.SpotOnlyProps(platform));
        var lines = training.WorstCaseMonthlyCost;
        // g5.12xlarge ($5.672/h, 48 vCPUs) costs more than g6.12xlarge ($4.6016/h) for 96 vCPUs: ceil(96/48) = 2 instances.
        var compute = Assert.Single(lines, l => l.Unit == "instance-hour");
        Assert.Equal("Training/Spot", compute.Resource);
        Assert.Equal(2 * 730, compute.Quantity);
        Assert.Equal(2 * 730 * 5.672, compute.MonthlyUsd, 6); // 8281.12
        Assert.Contains("g5.12xlarge", compute.Basis);
        // 2 root volumes × 200 GiB × $0.08 = $32
        Assert.Equal(32, Assert.Single(lines, l => l.Unit == "GB-month").MonthlyUsd, 6);
        // Failed-jobs, stuck-jobs and idle-compute alarms, $0.10 each.
        Assert.Equal(8281.12 + 32 + 0.30, Sum(lines), 6);
    }

    [Fact]
    public void An_on_demand_fallback_doubles_the_compute_and_vCPUs_round_up_to_whole_instances()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var training = new TrainingJobs(stack, "Training", TrainingProps.SpotOnlyProps(platform) with
        {
            InstanceTypes = new[] { "g5.xlarge" },
            MaxVCpus = 10,
            OnDemandFallback = true,
            RootVolumeSize = Size.Gibibytes(100),
            JobDefinitions = new[] { new TrainingJobDefinitionOptions { Name = "small", Image = Amazon.CDK.AWS.ECS.ContainerImage.FromRegistry("example.com/train:1"), Gpus = 1, VCpus = 4, Memory = Size.Gibibytes(8) } },
        });
        var compute = training.WorstCaseMonthlyCost.Where(l => l.Unit == "instance-hour").ToList();
        Assert.Equal(new[] { "Training/Spot", "Training/OnDemand" }, compute.Select(l => l.Resource));
        // ceil(10 / 4) = 3 instances × 730 h × $1.006 = $2203.14 per environment
        Assert.All(compute, l => Assert.Equal(3 * 730 * 1.006, l.MonthlyUsd, 6));
        // + 2 × 3 × 100 GiB × $0.08 = $48, + 4 alarms (failed, stuck, one idle-compute per environment)
        Assert.Equal(2 * 2203.14 + 48 + 0.40, Sum(training.WorstCaseMonthlyCost), 6);
    }

    [Fact]
    public void Endpoint_costs_its_maximum_instances_all_month_and_its_alarms()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var endpoint = new GpuModelEndpoint(stack, "Llm", new GpuModelEndpointProps
        {
            Platform = platform,
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 1, MaxInstances = 2 },
        });
        var lines = endpoint.WorstCaseMonthlyCost;
        var instances = Assert.Single(lines, l => l.Type == "AWS::SageMaker::Endpoint");
        // 2 × 730 h × $1.408 = $2055.68, the figure the endpoint already reports.
        Assert.Equal(2055.68, instances.MonthlyUsd, 6);
        Assert.Equal(endpoint.WorstCaseMonthlyCostUsd, instances.MonthlyUsd, 2);
        // CloudWatch bills an alarm per metric it reads, not per math expression: server errors (m1 + m2: 2 metrics),
        // model latency (1), GPU memory (1), idle GPU (2) = 6 alarm-metrics × $0.10 = $0.60.
        Assert.Equal(4, endpoint.Node.FindAll().OfType<CfnAlarm>().Count());
        Assert.Equal(2, Assert.Single(lines, l => l.Resource == "Llm/ServerErrorsAlarm").Quantity);
        Assert.Equal(6, lines.Where(l => l.Type == "AWS::CloudWatch::Alarm").Sum(l => l.Quantity));
        Assert.Equal(2055.68 + 0.60, Sum(lines), 6);
    }

    [Fact]
    public void Async_endpoint_costs_its_maximum_instances_and_its_backlog_failure_GPU_idle_and_scaling_alarms()
    {
        var stack = Synth.NewStack();
        var endpoint = new GpuModelEndpoint(stack, "Batch", new GpuModelEndpointProps
        {
            Platform = new ModelPlatform(stack, "Platform"),
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 0, MaxInstances = 2, Async = new AsyncInference() },
        });
        var lines = endpoint.WorstCaseMonthlyCost;
        Assert.Equal(2055.68, Assert.Single(lines, l => l.Type == "AWS::SageMaker::Endpoint").MonthlyUsd, 6);
        // Backlog age (1 metric), failed invocations (1), GPU memory (1), idle GPU (2), scale out from zero (1)
        // = 6 alarm-metrics × $0.10 = $0.60.
        Assert.Equal(5, endpoint.Node.FindAll().OfType<CfnAlarm>().Count());
        Assert.Equal(1, Assert.Single(lines, l => l.Resource == "Batch/AsyncInvocationFailuresAlarm").Quantity);
        Assert.Equal(6, lines.Where(l => l.Type == "AWS::CloudWatch::Alarm").Sum(l => l.Quantity));
        Assert.Equal(2055.68 + 0.60, Sum(lines), 6);
    }

    [Fact]
    public void Serverless_endpoint_costs_max_concurrency_busy_all_month()
    {
        var stack = Synth.NewStack();
        var endpoint = new GpuModelEndpoint(stack, "Small", new GpuModelEndpointProps
        {
            Platform = new ModelPlatform(stack, "Platform"),
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            Hosting = new ServerlessHosting { MemorySize = Size.Gibibytes(2), MaxConcurrency = 5 },
        });
        // 5 × 2 GB × 3600 s × 730 h = 26,280,000 GB-s × $0.00002 = $525.60
        var line = Assert.Single(endpoint.WorstCaseMonthlyCost, l => l.Type == "AWS::SageMaker::Endpoint");
        Assert.Equal(26_280_000, line.Quantity, 3);
        Assert.Equal(525.60, line.MonthlyUsd, 6);
    }
}
