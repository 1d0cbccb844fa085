using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using static AwsModelPlatform.CostReports.Tests.Assemblies;

namespace AwsModelPlatform.CostReports.Tests;

/// <summary>The CLI end to end on a small hand-made assembly: Markdown, CSV, SVG and diff.</summary>
public sealed class GeneratedReports : IDisposable
{
    public string Assembly { get; }
    public string Out { get; }
    public string UsagePath { get; }
    public string Stdout { get; }

    public static StackTemplate Base() => Stack("Demo",
        ("Key", Resource("AWS::KMS::Key", "Platform/Key")),
        ("Kms", Resource("AWS::EC2::VPCEndpoint", "Platform/Kms", new { VpcEndpointType = "Interface", SubnetIds = new[] { "a", "b" } })),
        ("Llm", Resource("AWS::SageMaker::Endpoint", "Llm/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.2xlarge", 1, 2))),
        ("Alarm", Resource("AWS::CloudWatch::Alarm", "Llm/ErrorsAlarm", new { Period = 60 })));

    public GeneratedReports()
    {
        var stack = Base();
        // The worst-case record as the library writes it: 2 × 730 h × $1.515 + 2 × 730 × $0.01 + $1 + $0.10.
        stack.Template["Metadata"] = JsonNode.Parse("""
            {"AwsModelPlatform:WorstCaseMonthlyCost":{"priceTableVersion":"test","pricedRegion":"us-east-1","totalMonthlyUsd":"2227.90",
             "lines":[{"resource":"Llm/Endpoint","type":"AWS::SageMaker::Endpoint","quantity":"1460","unit":"instance-hour","unitPriceUsd":"1.515","monthlyUsd":"2211.9000","basis":"2 instances"},
                      {"resource":"Platform/Kms","type":"AWS::EC2::VPCEndpoint","quantity":"1460","unit":"endpoint-AZ-hour","unitPriceUsd":"0.01","monthlyUsd":"14.6000","basis":"2 AZs"},
                      {"resource":"Platform/Key","type":"AWS::KMS::Key","quantity":"1","unit":"key-month","unitPriceUsd":"1","monthlyUsd":"1.0000","basis":"key"},
                      {"resource":"Llm/ErrorsAlarm","type":"AWS::CloudWatch::Alarm","quantity":"1","unit":"alarm-metric-month","unitPriceUsd":"0.1","monthlyUsd":"0.1000","basis":"alarm"}],
             "usageBased":["1 × AWS::KMS::Key: requests $0.000003/request"],"ceilings":[{"construct":"Llm","maxMonthlyUsd":"2500"}]}}
            """);
        Assembly = Assemblies.Write(stack);
        Out = Path.Combine(Assembly, "reports");
        UsagePath = Path.Combine(Assembly, "usage.json");
        File.WriteAllText(UsagePath, """
            {"description":"test profile","endpoints":{"*":{"requestsPerMonth":1500000,"modelLatencyMs":800,"concurrencyPerInstance":4}},
             "interfaceEndpointGbPerMonth":100,"kmsRequestsPerKeyPerMonth":500000,
             "breakeven":{"instanceType":"ml.g5.2xlarge","alwaysOnInstances":1,"maxInstances":4,"modelLatencyMs":800,"concurrencyPerInstance":4,"maxRequestsPerMonth":30000000}}
            """);
        var stdout = new StringWriter();
        Assert.Equal(0, Cli.Run(new[] { "--assembly", Assembly, "--usage", UsagePath, "--out", Out }, stdout, new StringWriter()));
        Stdout = stdout.ToString();
    }

    public void Dispose() => Directory.Delete(Assembly, recursive: true);
}

public class ReportTests(GeneratedReports reports) : IClassFixture<GeneratedReports>
{
    private string Md => File.ReadAllText(Path.Combine(reports.Out, "Demo.md"));
    private string[] Csv => File.ReadAllLines(Path.Combine(reports.Out, "Demo.csv"));

    private static decimal MdTotal(string md) =>
        decimal.Parse(Regex.Match(md, @"Total expected monthly cost: \*\*\$([0-9.]+)\*\*").Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void The_CSV_has_exactly_the_columns_asked_for()
    {
        Assert.Equal("stack,resource,type,quantity,unit,unit_price_usd,monthly_usd", Csv[0]);
        Assert.All(Csv.Skip(1), row => Assert.Equal(7, row.Split(',').Length));
    }

    [Fact]
    public void The_CSV_parses_and_sums_to_the_Markdown_total()
    {
        var rows = Csv.Skip(1).Select(r => r.Split(',')).ToList();
        var sum = rows.Sum(r => decimal.Parse(r[6], CultureInfo.InvariantCulture));
        Assert.All(rows, r => Assert.Equal(Math.Round(double.Parse(r[3], CultureInfo.InvariantCulture) * double.Parse(r[5], CultureInfo.InvariantCulture), 2), double.Parse(r[6], CultureInfo.InvariantCulture), 2));
        Assert.Equal(MdTotal(Md), sum);
        // Key $1 + 500,000 requests $1.50; KMS endpoint $14.60 + 100 GB × $0.01 = $1.00; endpoint 730 h × $1.515 = $1105.95,
        // data processed 1.5 M × 4 KB = 5.72 GB in ($0.09) and × 8 KB = 11.44 GB out ($0.18) at $0.016, no ML volume on ml.g5; alarm $0.10
        Assert.Equal(1.00m + 1.50m + 14.60m + 1.00m + 1105.95m + 0.09m + 0.18m + 0.10m, sum);
    }

    [Fact]
    public void The_Markdown_report_lists_each_resource_the_assumptions_and_the_worst_case()
    {
        var md = Md;
        Assert.Contains("| Llm/Endpoint | AWS::SageMaker::Endpoint | 730 | instance-hour | 1.515 | 1105.95 |", md);
        Assert.Contains("## Assumptions", md);
        Assert.Contains("Usage profile: test profile", md);
        Assert.Contains("on-demand × (1 − 0.6)", md);
        Assert.Contains("**$2227.90** a month", md);
        Assert.Contains("Ceiling: `Llm` MaxMonthlyCostUsd = 2500.00", md);
        Assert.Contains("| Llm/Endpoint | AWS::SageMaker::Endpoint | 1460 | instance-hour | 1.515 | 2211.90 | 2 instances |", md);
        Assert.Contains("- 1 × AWS::KMS::Key: requests $0.000003/request", md);
        Assert.DoesNotMatch(@"20\d\d-\d\d-\d\dT", md); // no timestamps
    }

    [Fact]
    public void The_breakeven_SVG_is_valid_XML_with_the_four_series_and_the_breakeven_points()
    {
        var svg = XDocument.Load(Path.Combine(reports.Out, "inference-breakeven.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        var text = svg.ToString();
        foreach (var key in Breakeven.SeriesKeys) Assert.Contains(key, text);
        Assert.Contains("M req: $", text);
        Assert.Contains("breakeven: Always-on", reports.Stdout);
    }

    [Fact]
    public void Breakeven_points_are_where_two_modes_cost_the_same()
    {
        var b = new Breakeven(new BreakevenUsage { InstanceType = "ml.g5.2xlarge", AlwaysOnInstances = 1, MaxInstances = 4, ModelLatencyMs = 800, ConcurrencyPerInstance = 4, TargetUtilization = 0.7, ScaleToZeroIdleHoursPerMonth = 60, MaxRequestsPerMonth = 30_000_000 }, PriceTable.Default);
        var points = b.Points();
        Assert.NotEmpty(points);
        Assert.All(points, p =>
        {
            var a = b.Series.Single(s => s.Name == p.A).Cost(p.Requests);
            var c = b.Series.Single(s => s.Name == p.B).Cost(p.Requests);
            Assert.True(Math.Abs(a - c) < 0.5, $"{p.A} ${a} vs {p.B} ${c} at {p.Requests}");
        });
        // Scale-to-zero meets always-on when busy / 0.7 + 60 idle h = 730 h: busy = 469 h = r × 0.8 s / 4 / 3600, r = 8,442,000
        var stz = Assert.Single(points, p => p.A.StartsWith("Always-on") && p.B.StartsWith("Scale-to-zero"));
        Assert.InRange(stz.Requests, 8_441_990, 8_442_010);
        Assert.Equal(730 * 1.515, stz.MonthlyUsd, 1);
    }

    [Fact]
    public void Two_runs_write_identical_files()
    {
        var again = Path.Combine(reports.Assembly, "again");
        Assert.Equal(0, Cli.Run(new[] { "--assembly", reports.Assembly, "--usage", reports.UsagePath, "--out", again }, new StringWriter(), new StringWriter()));
        foreach (var file in new[] { "Demo.md", "Demo.csv", Reports.SummaryFile, "inference-breakeven.svg" })
            Assert.Equal(File.ReadAllText(Path.Combine(reports.Out, file)), File.ReadAllText(Path.Combine(again, file)));
    }

    [Fact]
    public void Unknown_arguments_and_a_missing_assembly_fail_with_the_usage()
    {
        var err = new StringWriter();
        Assert.Equal(2, Cli.Run(new[] { "--assembly", "x", "--usage", reports.UsagePath, "--bogus", "1" }, new StringWriter(), err));
        Assert.Contains("unknown argument '--bogus'", err.ToString());
        err = new StringWriter();
        Assert.Equal(2, Cli.Run(new[] { "--assembly", Path.Combine(reports.Assembly, "nope"), "--usage", reports.UsagePath }, new StringWriter(), err));
        Assert.Contains("has no manifest.json", err.ToString());
    }
}

public class AssemblyTests
{
    [Fact]
    public void Resource_paths_come_from_the_manifest_when_templates_carry_no_path_metadata()
    {
        var dir = Assemblies.Write(Stack("Demo", ("KeyABC123", new JsonObject { ["Type"] = "AWS::KMS::Key" })));
        try
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!;
            manifest["artifacts"]!["Demo"]!["metadata"] = JsonNode.Parse("""{"/Demo/Platform/Key/Resource":[{"type":"aws:cdk:logicalId","data":"KeyABC123"}]}""");
            File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
            var stack = Assert.Single(CloudAssembly.Read(dir));
            var line = new Pricers(PriceTable.Default, new UsageProfile()).Price(stack).First();
            Assert.Equal("Platform/Key", line.Resource);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

public class DiffTests
{
    [Fact]
    public void Diff_prints_the_monthly_delta_of_each_changed_resource_and_the_totals()
    {
        var before = Assemblies.Write(GeneratedReports.Base());
        var changed = GeneratedReports.Base();
        // The endpoint moves to a bigger instance, an alarm is removed, a NAT gateway is added.
        changed.Template["Resources"]!["Llm"] = Resource("AWS::SageMaker::Endpoint", "Llm/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.4xlarge", 1, 2));
        changed.Template["Resources"]!.AsObject().Remove("Alarm");
        changed.Template["Resources"]!["Nat"] = Resource("AWS::EC2::NatGateway", "Platform/Nat");
        var after = Assemblies.Write(changed);
        var usage = Path.Combine(before, "usage.json");
        File.WriteAllText(usage, """{"endpoints":{"*":{"requestsPerMonth":1000}}}""");
        try
        {
            var stdout = new StringWriter();
            Assert.Equal(0, Cli.Run(new[] { "--assembly", after, "--usage", usage, "--diff", before }, stdout, new StringWriter()));
            var text = stdout.ToString();
            // 730 h × ($2.03 − $1.515) = $375.95
            Assert.Contains("| Demo | Llm/Endpoint | AWS::SageMaker::Endpoint | instance-hour | 1105.95 | 1481.90 | +375.95 |", text);
            Assert.Contains("| Demo | Llm/ErrorsAlarm | AWS::CloudWatch::Alarm | alarm-metric-month | 0.10 | 0.00 | -0.10 |", text);
            // 730 h × $0.045 = $32.85; its GB line is $0 and does not change
            Assert.Contains("| Demo | Platform/Nat | AWS::EC2::NatGateway | NAT-gateway-hour | 0.00 | 32.85 | +32.85 |", text);
            Assert.DoesNotContain("Platform/Kms", text);
            // before: 1 + 14.60 + 1105.95 + 0.10 = 1121.65; after: 1 + 14.60 + 1481.90 + 32.85 = 1530.35
            Assert.Contains("Expected total: 1121.65 -> 1530.35 (+408.70) USD/month", text);
            var pricers = new Pricers(PriceTable.Default, UsageProfile.Parse(File.ReadAllText(usage)));
            Assert.Equal(3, Diff.Compute(pricers.Price(CloudAssembly.Read(before)[0]).Select(CostLine.Of), pricers.Price(CloudAssembly.Read(after)[0]).Select(CostLine.Of)).Count);
        }
        finally
        {
            Directory.Delete(before, true);
            Directory.Delete(after, true);
        }
    }
}
