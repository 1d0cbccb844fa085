using System.Text.Json.Nodes;
using AwsModelPlatform.Contracts;
using static AwsModelPlatform.CostReports.Tests.Assemblies;

namespace AwsModelPlatform.CostReports.Tests;

/// <summary>The bill lines a real bill has beyond the resources' own: data processed, ML storage, traces, public IPv4, vended logs, Logs Insights scans, cross-AZ traffic, key rotations.</summary>
public class BillLineTests
{
    private static readonly PriceTable Table = PriceTable.Default;

    private static readonly UsageProfile Usage = PricerTests.Usage with
    {
        Endpoints = new() { ["*"] = new EndpointUsage { RequestsPerMonth = 1_000_000, ModelLatencyMs = 800, ConcurrencyPerInstance = 4, RequestKb = 16, ResponseKb = 64, StorageGbPerInstance = 30 } },
        Apis = new() { ["*"] = new ApiUsage { RequestsPerMonth = 10_000_000 } },
        TrailLogGbPerMonth = 3,
        FlowLogGbPerMonth = 20,
        LogsInsightsGbScannedPerMonth = 50,
        CrossAzGbPerMonth = 100,
        XRay = new XRayUsage { ReservoirPerSecond = 1, FixedRate = 0.05, TracesRetrievedPerMonth = 20_000 },
    };

    private static List<ReportLine> Price(params (string, JsonObject)[] resources) => new Pricers(Table, Usage).Price(Stack("Test", resources));

    private static double Usd(string service, string sku) => Table.Get("us-east-1", service, sku).Usd;

    [Fact]
    public void An_endpoint_bills_the_data_it_processes_in_and_out()
    {
        var lines = Price(("E", Resource("AWS::SageMaker::Endpoint", "Llm/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.2xlarge", 1, 2))));
        var dataIn = Assert.Single(lines, l => l.Price?.Sku == "data-in.gb");
        var dataOut = Assert.Single(lines, l => l.Price?.Sku == "data-out.gb");
        Assert.Equal(1_000_000 * 16 / 1024.0 / 1024, dataIn.Quantity, 6);
        Assert.Equal(1_000_000 * 64 / 1024.0 / 1024, dataOut.Quantity, 6);
        Assert.Equal(Usd(PriceTable.SageMakerEndpoint, "data-out.gb"), dataOut.UnitPriceUsd);
    }

    [Fact]
    public void A_serverless_endpoint_bills_data_processed_too()
    {
        var lines = Price(("S", Resource("AWS::SageMaker::Endpoint", "Small/Endpoint", null, EndpointCost("ServerlessHosting", "", 0, 0, memoryMb: 6144))));
        Assert.Single(lines, l => l.Price?.Sku == "data-in.gb");
        Assert.Single(lines, l => l.Price?.Sku == "data-out.gb");
    }

    [Fact]
    public void An_ML_storage_volume_bills_per_instance_while_it_runs_and_not_on_types_with_local_NVMe()
    {
        var lines = Price(
            ("C", Resource("AWS::SageMaker::Endpoint", "Cpu/Endpoint", null, EndpointCost("RealTimeHosting", "ml.m5.xlarge", 1, 2))),
            ("G", Resource("AWS::SageMaker::Endpoint", "Gpu/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.2xlarge", 1, 2))));
        var hours = lines.Single(l => l.Resource == "Cpu/Endpoint" && l.Unit == "instance-hour").Quantity;
        var cpu = lines.Single(l => l.Resource == "Cpu/Endpoint" && l.Price?.Sku == "storage.gb-month");
        Assert.Equal(hours / PriceTable.HoursPerMonth * 30, cpu.Quantity, 6);
        Assert.Equal(Usd(PriceTable.SageMakerEndpoint, "storage.gb-month"), cpu.UnitPriceUsd);
        Assert.True(Pricers.HasLocalNvme("ml.g5.2xlarge"));
        Assert.False(Pricers.HasLocalNvme("ml.m5.xlarge"));
        Assert.Equal(0, lines.Single(l => l.Resource == "Gpu/Endpoint" && l.Price?.Sku == "storage.gb-month").Quantity);
    }

    [Fact]
    public void A_traced_stage_bills_the_traces_its_sampling_rule_records()
    {
        var lines = Price(
            ("S", Resource("AWS::ApiGateway::Stage", "Api/DeploymentStage.live", new { TracingEnabled = true })),
            ("U", Resource("AWS::ApiGateway::Stage", "Other/DeploymentStage.live", new { TracingEnabled = false })));
        var recorded = Assert.Single(lines, l => l.Price?.Sku == "trace-recorded");
        // 10 M requests over the 730-hour month is about 3.8 a second: the reservoir traces 1 a second, 5 % of the rest.
        var seconds = PriceTable.HoursPerMonth * 3600;
        Assert.Equal(seconds + 0.05 * (10_000_000 - seconds), recorded.Quantity, 3);
        Assert.Equal(Usd(PriceTable.XRay, "trace-recorded"), recorded.UnitPriceUsd);
        Assert.Equal(20_000, Assert.Single(lines, l => l.Price?.Sku == "trace-retrieved").Quantity);
        Assert.DoesNotContain(lines, l => l.Resource.StartsWith("Other/", StringComparison.Ordinal));
    }

    [Fact]
    public void Light_traffic_is_traced_in_full_by_the_reservoir()
    {
        var pricers = new Pricers(Table, Usage);
        Assert.Equal(1000, pricers.Traces(1000));
        Assert.True(pricers.Traces(100_000_000) < 100_000_000 * 0.1);
    }

    [Fact]
    public void A_public_IPv4_address_bills_every_hour_of_the_month()
    {
        var line = Assert.Single(Price(("Ip", Resource("AWS::EC2::EIP", "Net/Eip"))));
        Assert.Equal(PriceTable.HoursPerMonth, line.Quantity);
        Assert.Equal(Usd(PriceTable.PublicIpv4, "address-hour"), line.UnitPriceUsd);
    }

    [Fact]
    public void Trail_and_flow_log_delivery_to_CloudWatch_Logs_is_billed_once_on_the_source()
    {
        var lines = Price(
            ("TrailLogs", Resource("AWS::Logs::LogGroup", "Trail/LogGroup")),
            ("Trail", Resource("AWS::CloudTrail::Trail", "Trail/Trail", new { CloudWatchLogsLogGroupArn = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "TrailLogs", "Arn" } } })),
            ("FlowLogs", Resource("AWS::Logs::LogGroup", "Net/FlowLogs")),
            ("Flow", Resource("AWS::EC2::FlowLog", "Net/FlowLog", new { LogDestinationType = "cloud-watch-logs", LogGroupName = new Dictionary<string, object> { ["Ref"] = "FlowLogs" } })),
            ("S3Flow", Resource("AWS::EC2::FlowLog", "Net/S3FlowLog", new { LogDestinationType = "s3" })),
            ("AppLogs", Resource("AWS::Logs::LogGroup", "App/Logs")));
        var trail = Assert.Single(lines, l => l.Resource == "Trail/Trail" && l.Unit == "GB");
        Assert.Equal(3, trail.Quantity);
        Assert.Equal(Usd(PriceTable.CloudWatch, "logs.ingestion"), trail.UnitPriceUsd);
        var flow = Assert.Single(lines, l => l.Resource == "Net/FlowLog");
        Assert.Equal(20, flow.Quantity);
        Assert.Equal(Usd(PriceTable.CloudWatch, "logs.vended-ingestion"), flow.UnitPriceUsd);
        Assert.DoesNotContain(lines, l => l.Resource == "Net/S3FlowLog");
        // The destinations' own ingestion is not counted again; a log group no trail or flow log writes is.
        Assert.Equal(0, lines.Single(l => l.Resource == "Trail/LogGroup" && l.Unit == "GB").Quantity);
        Assert.Equal(0, lines.Single(l => l.Resource == "Net/FlowLogs" && l.Unit == "GB").Quantity);
        Assert.Equal(Usage.LogIngestedGbPerLogGroup, lines.Single(l => l.Resource == "App/Logs" && l.Unit == "GB").Quantity);
    }

    [Fact]
    public void Logs_Insights_scans_bill_once_per_stack_with_log_groups()
    {
        var lines = Price(("A", Resource("AWS::Logs::LogGroup", "A/Logs")), ("B", Resource("AWS::Logs::LogGroup", "B/Logs")));
        var scans = Assert.Single(lines, l => l.Type == Pricers.LogsInsightsType);
        Assert.Equal(50, scans.Quantity);
        Assert.Equal(Usd(PriceTable.CloudWatch, "logs.insights-scan"), scans.UnitPriceUsd);
        Assert.DoesNotContain(Price(("K", Resource("AWS::KMS::Key", "Key"))), l => l.Type == Pricers.LogsInsightsType);
    }

    [Fact]
    public void Traffic_across_Availability_Zones_bills_out_of_one_and_into_the_other()
    {
        var line = Assert.Single(Price(("Vpc", Resource("AWS::EC2::VPC", "Net/Vpc"))));
        Assert.Equal(2 * 100, line.Quantity);
        Assert.Equal(Usd(PriceTable.DataTransfer, "inter-az.gb"), line.UnitPriceUsd);
    }

    [Fact]
    public void A_key_with_rotation_bills_its_first_two_rotations()
    {
        var rotated = Price(("Key", Resource("AWS::KMS::Key", "Key", new { EnableKeyRotation = true })));
        var rotation = Assert.Single(rotated, l => l.Unit == "rotation-month");
        Assert.Equal(2, rotation.Quantity);
        Assert.Equal(Usd(PriceTable.Kms, "rotation-month"), rotation.UnitPriceUsd);
        Assert.DoesNotContain(Price(("Key", Resource("AWS::KMS::Key", "Key"))), l => l.Unit == "rotation-month");
    }

    [Fact]
    public void The_new_usage_fields_parse_from_the_profile()
    {
        var usage = UsageProfile.Parse("""
            {"trailLogGbPerMonth":3,"flowLogGbPerMonth":20,"logsInsightsGbScannedPerMonth":50,"crossAzGbPerMonth":100,
             "xRay":{"reservoirPerSecond":2,"fixedRate":0.1,"tracesRetrievedPerMonth":5},
             "endpoints":{"*":{"requestKb":16,"responseKb":64,"storageGbPerInstance":8}}}
            """);
        Assert.Equal(2, usage.XRay.ReservoirPerSecond);
        Assert.Equal(64, usage.Endpoints["*"].ResponseKb);
        Assert.Equal(100, usage.CrossAzGbPerMonth);
    }
}
