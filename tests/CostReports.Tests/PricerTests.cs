using System.Text.Json.Nodes;
using static AwsModelPlatform.CostReports.Tests.Assemblies;

namespace AwsModelPlatform.CostReports.Tests;

/// <summary>Each pricer against figures computed by hand from prices.json (us-east-1) and the profile below.</summary>
public class PricerTests
{
    internal static readonly UsageProfile Usage = new()
    {
        Endpoints = new()
        {
            ["*"] = new EndpointUsage { RequestsPerMonth = 1_500_000, ModelLatencyMs = 800, ConcurrencyPerInstance = 4, TargetUtilization = 0.7, ScaleToZeroIdleHoursPerMonth = 60 },
            ["Test/Async"] = new EndpointUsage { RequestsPerMonth = 50_000, ModelLatencyMs = 20_000, ConcurrencyPerInstance = 1, ScaleToZeroIdleHoursPerMonth = 30 },
            ["Test/Busy"] = new EndpointUsage { RequestsPerMonth = 30_000_000, ModelLatencyMs = 800, ConcurrencyPerInstance = 4, TargetUtilization = 0.7 },
        },
        Apis = new() { ["*"] = new ApiUsage { RequestsPerMonth = 2_000_000 } },
        Functions = new() { ["Test/Api/Handler"] = new FunctionUsage { InvocationsPerMonth = 2_000_000, DurationMs = 120 } },
        Training = new TrainingUsage { GpuHoursPerMonth = 400, SpotShare = 0.8 },
        S3GbPerBucket = 100,
        LogIngestedGbPerLogGroup = 2,
        LogStoredGbPerLogGroup = 12,
        InterfaceEndpointGbPerMonth = 100,
        NatGatewayGbPerMonth = 40,
        TrailDataEventsPerMonth = 5_000_000,
        KmsRequestsPerKeyPerMonth = 500_000,
        SnsPublishesPerTopicPerMonth = 1000,
    };

    private static readonly Pricers Pricers = new(PriceTable.Default, Usage);

    private static List<ReportLine> Price(params (string, System.Text.Json.Nodes.JsonObject)[] resources) => Pricers.Price(Stack("Test", resources));

    private static decimal Usd(List<ReportLine> lines, string unit) => Assert.Single(lines, l => l.Unit == unit).MonthlyUsd;

    [Fact]
    public void Interface_endpoint_bills_each_AZ_every_hour_and_its_share_of_the_GB()
    {
        var e = new { VpcEndpointType = "Interface", SubnetIds = new[] { "a", "b" } };
        var lines = Price(("E1", Resource("AWS::EC2::VPCEndpoint", "Net/Kms", e)), ("E2", Resource("AWS::EC2::VPCEndpoint", "Net/Sts", e)),
            ("S3", Resource("AWS::EC2::VPCEndpoint", "Net/S3", new { VpcEndpointType = "Gateway" })));
        // 2 AZs × 730 h × $0.01 = $14.60 each; 100 GB over 2 endpoints = 50 GB × $0.01 = $0.50 each; the gateway endpoint is free.
        Assert.Equal(4, lines.Count);
        Assert.Equal(2 * 14.60m + 2 * 0.50m, Reports.Total(lines));
        Assert.Equal(1460, lines.First(l => l.Unit == "endpoint-AZ-hour").Quantity);
    }

    [Fact]
    public void NAT_gateway_bills_every_hour_and_the_GB_processed()
    {
        var lines = Price(("Nat", Resource("AWS::EC2::NatGateway", "Net/Nat")));
        Assert.Equal(32.85m, Usd(lines, "NAT-gateway-hour")); // 730 h × $0.045
        Assert.Equal(1.80m, Usd(lines, "GB"));                // 40 GB × $0.045
    }

    [Fact]
    public void KMS_key_bills_the_key_month_and_the_requests()
    {
        var lines = Price(("Key", Resource("AWS::KMS::Key", "Key")));
        Assert.Equal(1.00m, Usd(lines, "key-month"));
        Assert.Equal(1.50m, Usd(lines, "request")); // 500,000 × $0.03 / 10,000
    }

    [Fact]
    public void Alarms_bill_per_metric_and_at_the_high_resolution_rate_under_a_minute()
    {
        var lines = Price(
            ("A1", Resource("AWS::CloudWatch::Alarm", "Simple", new { Period = 300 })),
            ("A2", Resource("AWS::CloudWatch::Alarm", "Math", new { Metrics = new object[] { new { Id = "m1", MetricStat = new { Period = 300 } }, new { Id = "m2", MetricStat = new { Period = 300 } }, new { Id = "m3", MetricStat = new { Period = 300 } }, new { Id = "e", Expression = "m1+m2+m3" } } })),
            ("A3", Resource("AWS::CloudWatch::Alarm", "Fast", new { Period = 10 })),
            ("D", Resource("AWS::CloudWatch::Dashboard", "Dash")));
        Assert.Equal(0.10m, lines.Single(l => l.Resource == "Simple").MonthlyUsd);
        Assert.Equal(0.30m, lines.Single(l => l.Resource == "Math").MonthlyUsd); // 3 metrics × $0.10
        Assert.Equal(0.30m, lines.Single(l => l.Resource == "Fast").MonthlyUsd); // high resolution, $0.30
        Assert.Equal(3.00m, lines.Single(l => l.Resource == "Dash").MonthlyUsd);
    }

    [Fact]
    public void Logs_buckets_trail_and_topics_bill_their_usage()
    {
        var lines = Price(("L", Resource("AWS::Logs::LogGroup", "Logs")), ("B", Resource("AWS::S3::Bucket", "Bucket")),
            ("T", Resource("AWS::CloudTrail::Trail", "Trail")), ("N", Resource("AWS::SNS::Topic", "Topic")));
        Assert.Equal(1.00m, lines.Single(l => l.Unit == "GB" && l.Resource == "Logs").MonthlyUsd);   // 2 GB × $0.50
        Assert.Equal(0.36m, lines.Single(l => l.Unit == "GB-month" && l.Resource == "Logs").MonthlyUsd); // 12 GB × $0.03
        Assert.Equal(2.30m, lines.Single(l => l.Resource == "Bucket").MonthlyUsd);                   // 100 GB × $0.023
        Assert.Equal(5.00m, lines.Single(l => l.Resource == "Trail").MonthlyUsd);                    // 5 M × $0.10 / 100,000
        Assert.Equal(0.00m, lines.Single(l => l.Resource == "Topic").MonthlyUsd);                    // 1,000 × $0.50 / 1 M = $0.0005
    }

    [Fact]
    public void Lambda_API_Gateway_and_WAF_bill_the_profiles_requests()
    {
        var lines = Price(
            ("F", Resource("AWS::Lambda::Function", "Api/Handler", new { MemorySize = 1024, Architectures = new[] { "arm64" } })),
            ("P", Resource("AWS::Lambda::Function", "Provider/Handler", new { MemorySize = 128 })),
            ("R", Resource("AWS::ApiGateway::RestApi", "Api/Rest")),
            ("W", Resource("AWS::WAFv2::WebACL", "Api/Waf", new { Rules = new object[] { new { }, new { }, new { } } })));
        var fn = lines.Where(l => l.Resource == "Api/Handler").ToList();
        Assert.Equal(0.40m, Usd(fn, "request"));   // 2 M × $0.20 / 1 M
        Assert.Equal(3.20m, Usd(fn, "GB-second")); // 2 M × 0.12 s × 1 GB = 240,000 GB-s × $0.0000133334 (Arm) = $3.200016
        Assert.Equal(0m, Reports.Total(lines.Where(l => l.Resource == "Provider/Handler"))); // not in the profile: deploy-time only
        Assert.Equal(7.00m, lines.Single(l => l.Resource == "Api/Rest").MonthlyUsd); // 2 M × $3.50 / 1 M
        // $5 web ACL + 3 rules × $1 + 2 M × $0.60 / 1 M
        Assert.Equal(5.00m + 3.00m + 1.20m, Reports.Total(lines.Where(l => l.Resource == "Api/Waf")));
    }

    [Fact]
    public void A_handlers_custom_metrics_bill_once_its_API_has_traffic_with_the_per_team_ones_for_each_team()
    {
        JsonObject Metrics(int metrics, int perTeam) => new()
        {
            [CostMetadata.CustomMetricsKey] = new JsonObject
            {
                ["metrics"] = metrics, ["basis"] = "2 model(s) × 4 metrics", ["metricsPerTeam"] = perTeam, ["perTeamBasis"] = "5 team metrics",
            },
        };
        var teams = new Dictionary<string, TeamUsage>
        {
            ["research"] = new() { RequestShare = 0.5 }, ["support"] = new() { RequestShare = 0.3 }, ["sales"] = new() { RequestShare = 0.2 },
        };
        var usage = Usage with
        {
            Apis = new()
            {
                ["Test/Busy"] = new ApiUsage { RequestsPerMonth = 1000, Teams = teams },
                ["Test/Idle"] = new ApiUsage { RequestsPerMonth = 0, Teams = teams },
                ["Test/Anonymous"] = new ApiUsage { RequestsPerMonth = 1000 },
            },
        };
        var lines = new Pricers(PriceTable.Default, usage).Price(Stack("Test",
            ("B", Resource("AWS::ApiGateway::RestApi", "Busy/Api", metadata: Metrics(8, 5))),
            ("I", Resource("AWS::ApiGateway::RestApi", "Idle/Api", metadata: Metrics(8, 5))),
            ("A", Resource("AWS::ApiGateway::RestApi", "Anonymous/Api", metadata: Metrics(8, 5)))));
        var metrics = lines.Where(l => l.Type == CostMetadata.CustomMetricsType).ToList();
        Assert.Equal(["Busy/Api", "Anonymous/Api"], metrics.Select(m => m.Resource));
        Assert.Equal(8 + 5 * 3, metrics[0].Quantity);
        Assert.Equal(6.90m, metrics[0].MonthlyUsd); // 23 metrics × $0.30
        Assert.Contains("× 3 team(s)", metrics[0].Note);
        // An API whose profile names no team still reports for one.
        Assert.Equal(8 + 5, metrics[1].Quantity);
        Assert.Contains("one assumed", metrics[1].Note);
    }

    [Fact]
    public void Always_on_endpoint_bills_its_minimum_until_the_work_needs_more_and_never_more_than_its_maximum()
    {
        var lines = Price(
            ("E", Resource("AWS::SageMaker::Endpoint", "Llm/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.2xlarge", 1, 2))),
            ("B", Resource("AWS::SageMaker::Endpoint", "Busy/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.2xlarge", 1, 2))));
        // 1.5 M × 0.8 s / 4 / 3600 = 83.33 busy h; / 0.7 = 119.05 h < 1 × 730 h: 730 h × $1.515 = $1105.95
        Assert.Equal(1105.95m, lines.Single(l => l.Resource == "Llm/Endpoint" && l.Unit == "instance-hour").MonthlyUsd);
        // 30 M × 0.8 s / 4 / 3600 = 1666.67 busy h; / 0.7 = 2380.95 h, capped at 2 × 730 = 1460 h × $1.515 = $2211.90
        Assert.Equal(2211.90m, lines.Single(l => l.Resource == "Busy/Endpoint" && l.Unit == "instance-hour").MonthlyUsd);
    }

    [Fact]
    public void Scale_to_zero_async_and_serverless_endpoints_bill_the_work()
    {
        var lines = Price(
            ("I", Resource("AWS::SageMaker::Endpoint", "Components/Endpoint", null, EndpointCost("InferenceComponentHosting", "ml.g5.2xlarge", 0, 4))),
            ("A", Resource("AWS::SageMaker::Endpoint", "Async/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.2xlarge", 0, 2, isAsync: true))),
            ("S", Resource("AWS::SageMaker::Endpoint", "Small/Endpoint", null, EndpointCost("ServerlessHosting", "", 0, 0, memoryMb: 6144))));
        // 83.333 busy h / 0.7 = 119.048 h + 60 idle h = 179.048 h × $1.515 = $271.257
        Assert.Equal(271.26m, lines.Single(l => l.Resource == "Components/Endpoint" && l.Unit == "instance-hour").MonthlyUsd);
        // 50,000 × 20 s / 3600 = 277.778 busy h (queue keeps instances full) + 30 idle h = 307.778 h × $1.515 = $466.283
        Assert.Equal(466.28m, lines.Single(l => l.Resource == "Async/Endpoint" && l.Unit == "instance-hour").MonthlyUsd);
        // 1.5 M × 0.8 s × 6 GB = 7,200,000 GB-s × $0.00002 = $144.00
        var serverless = lines.Single(l => l.Resource == "Small/Endpoint" && l.Unit == "GB-second");
        Assert.Equal(7_200_000, serverless.Quantity, 3);
        Assert.Equal(144.00m, serverless.MonthlyUsd);
    }

    [Fact]
    public void A_warm_window_bills_the_instances_it_keeps_above_the_floor_for_its_hours_on_top_of_the_work()
    {
        var lines = Price(
            ("I", Resource("AWS::SageMaker::Endpoint", "Components/Endpoint", null, EndpointCost("InferenceComponentHosting", "ml.g5.2xlarge", 0, 4, warmInstances: 2, warmHours: 217.5))),
            ("R", Resource("AWS::SageMaker::Endpoint", "Llm/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.2xlarge", 2, 4, warmInstances: 2, warmHours: 217.5))));
        // The instance-hour lines (data processed and ML storage have their own).
        var components = lines.Where(l => l.Resource == "Components/Endpoint" && l.Unit == "instance-hour").ToList();
        Assert.Equal(2, components.Count);
        // The work as without a window (179.048 h × $1.515 = $271.26), plus 2 instances × 217.5 h = 435 h × $1.515 = $659.03.
        Assert.Equal(271.26m, components[0].MonthlyUsd);
        Assert.Equal(435, components[1].Quantity, 3);
        Assert.Equal(659.03m, components[1].MonthlyUsd);
        Assert.Contains("warm window", components[1].Note);
        // A window no higher than an always-on floor costs nothing more.
        Assert.Single(lines, l => l.Resource == "Llm/Endpoint" && l.Unit == "instance-hour");
    }

    [Fact]
    public void Training_splits_GPU_hours_between_Spot_at_the_assumed_discount_and_on_demand_with_root_volumes()
    {
        var lt = new { LaunchTemplateData = new { BlockDeviceMappings = new[] { new { DeviceName = "/dev/xvda", Ebs = new { VolumeSize = 200 } } } } };
        object Ce(string type) => new { Type = "MANAGED", ComputeResources = new { Type = type, InstanceTypes = new[] { "g5.12xlarge" }, LaunchTemplate = new { LaunchTemplateId = new Dictionary<string, string> { ["Ref"] = "Lt" } } } };
        var lines = Price(("Lt", Resource("AWS::EC2::LaunchTemplate", "Training/LaunchTemplate", lt)),
            ("Spot", Resource("AWS::Batch::ComputeEnvironment", "Training/Spot", Ce("SPOT"))),
            ("OnDemand", Resource("AWS::Batch::ComputeEnvironment", "Training/OnDemand", Ce("EC2"))));
        var spot = lines.Where(l => l.Resource == "Training/Spot").ToList();
        var onDemand = lines.Where(l => l.Resource == "Training/OnDemand").ToList();
        // 400 GPU-h × 0.8 / 4 GPUs = 80 instance-h × $5.672 × (1 − 0.6) = $181.504
        Assert.Equal(80, Assert.Single(spot, l => l.Unit == "instance-hour").Quantity, 6);
        Assert.Equal(181.50m, Usd(spot, "instance-hour"));
        // 400 × 0.2 / 4 = 20 instance-h × $5.672 = $113.44
        Assert.Equal(113.44m, Usd(onDemand, "instance-hour"));
        // root volumes while running: 80 / 730 × 200 GiB × $0.08 = $1.753; 20 / 730 × 200 × $0.08 = $0.438
        Assert.Equal(1.75m, Usd(spot, "GB-month"));
        Assert.Equal(0.44m, Usd(onDemand, "GB-month"));
    }

    [Fact]
    public void Usage_keys_match_the_longest_path_prefix_and_star_matches_the_rest()
    {
        var map = new Dictionary<string, ApiUsage> { ["*"] = new() { RequestsPerMonth = 1 }, ["Inference/"] = new() { RequestsPerMonth = 2 }, ["Inference/Api"] = new() { RequestsPerMonth = 3 } };
        Assert.Equal(3, UsageProfile.Match(map, "Inference/Api/Rest")!.RequestsPerMonth);
        Assert.Equal(2, UsageProfile.Match(map, "Inference/Other")!.RequestsPerMonth);
        Assert.Equal(1, UsageProfile.Match(map, "Training/Api")!.RequestsPerMonth);
    }

    [Fact]
    public void A_usage_profile_with_an_unknown_property_is_refused()
    {
        var error = Assert.Throws<CliException>(() => UsageProfile.Parse("""{"s3GbPerBuckets": 5}"""));
        Assert.Contains("s3GbPerBuckets", error.Message);
    }
}
