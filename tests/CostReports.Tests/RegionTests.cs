using System.Text.Json.Nodes;
using AwsModelPlatform.Contracts;
using static AwsModelPlatform.CostReports.Tests.Assemblies;

namespace AwsModelPlatform.CostReports.Tests;

/// <summary>Reports price each stack in its own region, and say so in their first line when the table does not price it.</summary>
public class RegionTests
{
    private static readonly PriceTable Table = PriceTable.Default;

    private static StackTemplate In(string? region, params (string, JsonObject)[] resources) => Stack("Test", resources) with { Region = region };

    // A new node each time: a JSON node belongs to one template.
    private static (string, JsonObject) Endpoint() =>
        ("E", Resource("AWS::SageMaker::Endpoint", "Llm/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.2xlarge", 1, 2)));

    [Fact]
    public void A_stack_in_a_priced_region_is_priced_at_its_regions_prices()
    {
        var pricers = new Pricers(Table, PricerTests.Usage);
        var tokyo = pricers.Price(In("ap-northeast-1", Endpoint())).Single(l => l.Unit == "instance-hour");
        var virginia = pricers.Price(In("us-east-1", Endpoint())).Single(l => l.Unit == "instance-hour");
        Assert.Equal(Table.Get("ap-northeast-1", PriceTable.SageMakerHosting, "ml.g5.2xlarge").Usd, tokyo.UnitPriceUsd);
        Assert.True(tokyo.UnitPriceUsd > virginia.UnitPriceUsd, "Tokyo GPU hours cost more than Virginia's");
        Assert.Equal("ap-northeast-1", tokyo.Price!.Region);
    }

    [Fact]
    public void A_stack_in_a_region_without_prices_says_so_in_the_first_line_of_its_report()
    {
        var stack = In("eu-south-1", Endpoint());
        var lines = new Pricers(Table, PricerTests.Usage).Price(stack);
        Assert.All(lines, l => Assert.Equal(Table.DefaultRegion, l.Price!.Region));
        var md = Reports.Markdown(stack.Name, lines, null, PricerTests.Usage, "usage.json", Table, stack.Region);
        Assert.StartsWith("> **UNPRICED REGION eu-south-1", md.Split('\n')[0]);
        Assert.Contains("us-east-1 prices", md.Split('\n')[0]);
    }

    [Fact]
    public void A_report_in_a_priced_or_unknown_region_opens_with_its_title()
    {
        var lines = new Pricers(Table, PricerTests.Usage).Price(In("eu-west-1", Endpoint()));
        Assert.StartsWith("# Cost report: Test", Reports.Markdown("Test", lines, null, PricerTests.Usage, "usage.json", Table, "eu-west-1").Split('\n')[0]);
        var agnostic = Reports.Markdown("Test", lines, null, PricerTests.Usage, "usage.json", Table, null);
        Assert.StartsWith("# Cost report: Test", agnostic);
        Assert.Contains("us-east-1 prices: the stack's region is not known at synth time", agnostic);
    }

    [Fact]
    public void The_report_lists_every_unverified_price_it_uses()
    {
        var lines = new Pricers(Table, PricerTests.Usage).Price(In("eu-west-1", Endpoint()));
        var unverified = Reports.UnverifiedPrices(lines);
        Assert.Contains("sagemaker.hosting ml.g5.2xlarge", unverified); // derived from the regional EC2 price
        Assert.All(unverified, u => Assert.False(Table.Get("eu-west-1", u.Split(' ')[0], u.Split(' ')[1]).Verified));
        var md = Reports.Markdown("Test", lines, null, PricerTests.Usage, "usage.json", Table, "eu-west-1");
        Assert.Contains("no public source confirmed for eu-west-1", md);
    }

    [Fact]
    public void The_cloud_assembly_gives_each_stack_its_manifest_region()
    {
        var dir = Write(Stack("Demo", Endpoint()));
        try
        {
            var manifestPath = Path.Combine(dir, "manifest.json");
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
            manifest["artifacts"]!["Demo"]!["environment"] = "aws://111111111111/eu-central-1";
            File.WriteAllText(manifestPath, manifest.ToJsonString());
            Assert.Equal("eu-central-1", CloudAssembly.Read(dir).Single().Region);
            manifest["artifacts"]!["Demo"]!["environment"] = "aws://unknown-account/unknown-region";
            File.WriteAllText(manifestPath, manifest.ToJsonString());
            Assert.Null(CloudAssembly.Read(dir).Single().Region);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_CLI_prints_the_unpriced_region_before_the_stacks_totals()
    {
        var dir = Write(Stack("Demo", Endpoint()));
        try
        {
            var manifestPath = Path.Combine(dir, "manifest.json");
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
            manifest["artifacts"]!["Demo"]!["environment"] = "aws://111111111111/sa-east-1";
            File.WriteAllText(manifestPath, manifest.ToJsonString());
            var usage = Path.Combine(dir, "usage.json");
            File.WriteAllText(usage, "{}");
            var stdout = new StringWriter();
            Assert.Equal(0, Cli.Run(new[] { "--assembly", dir, "--usage", usage, "--out", Path.Combine(dir, "out") }, stdout, new StringWriter()));
            var output = stdout.ToString().Split('\n');
            Assert.StartsWith("Demo: UNPRICED REGION sa-east-1", output[0]);
            Assert.StartsWith("> **UNPRICED REGION sa-east-1", File.ReadAllLines(Path.Combine(dir, "out", "Demo.md"))[0]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
