using System.Text.Json.Nodes;
using AwsModelPlatform.CostReports;
using static AwsModelPlatform.CostReports.Tests.Assemblies;

namespace AwsModelPlatform.CostReports.Tests;

/// <summary>
/// The cost gate end to end through the CLI: the fixture's assembly and the reports written from it are two baselines of the
/// same app; changed assemblies are the pull requests.
/// </summary>
public sealed class CostGateTests(GeneratedReports reports) : IClassFixture<GeneratedReports>, IDisposable
{
    private readonly List<string> _dirs = [];

    public void Dispose()
    {
        foreach (var dir in _dirs) Directory.Delete(dir, recursive: true);
    }

    private (int Exit, string Stdout, string Stderr) Check(string baseline, string assembly, params string[] limits)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = Cli.Run(["check", "--baseline", baseline, "--assembly", assembly, "--usage", reports.UsagePath, .. limits], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The fixture's app with its endpoint on a bigger instance: +$375.95 expected (730 h × ($2.03 − $1.515)), worst case unchanged.</summary>
    private string BiggerEndpoint() => Changed(stack => stack.Template["Resources"]!["Llm"] =
        Resource("AWS::SageMaker::Endpoint", "Llm/Endpoint", null, EndpointCost("RealTimeHosting", "ml.g5.4xlarge", 1, 2)));

    private string Changed(Action<StackTemplate> change)
    {
        var stack = GeneratedReports.Base();
        stack.Template["Metadata"] = JsonNode.Parse(File.ReadAllText(Path.Combine(reports.Assembly, "Demo.template.json")))!["Metadata"]!.DeepClone();
        change(stack);
        var dir = Assemblies.Write(stack);
        _dirs.Add(dir);
        return dir;
    }

    [Fact]
    public void An_unchanged_app_passes_against_its_own_reports_and_its_own_assembly()
    {
        foreach (var baseline in new[] { reports.Out, reports.Assembly })
        {
            var (exit, stdout, _) = Check(baseline, reports.Assembly, "--max-increase-usd", "0");
            Assert.Equal(0, exit);
            Assert.StartsWith("## Cost gate: passed", stdout);
            Assert.Contains("No resource changes its expected monthly cost.", stdout);
        }
    }

    [Fact]
    public void An_increase_past_the_dollar_limit_fails_and_the_comment_names_the_resource()
    {
        var comment = Path.Combine(reports.Assembly, "comment.md");
        var (exit, stdout, _) = Check(reports.Out, BiggerEndpoint(), "--max-increase-usd", "100", "--comment", comment);
        Assert.Equal(1, exit);
        Assert.StartsWith("## Cost gate: FAILED", stdout);
        Assert.Contains("| Expected | 1124.42 | 1500.37 | +375.95 | +375.95 USD exceeds the limit of 100.00 USD |", stdout);
        Assert.Contains("| Worst case | 2227.90 | 2227.90 | 0.00 | within the limit |", stdout);
        Assert.Contains("| Demo | Llm/Endpoint | AWS::SageMaker::Endpoint | instance-hour | 1105.95 | 1481.90 | +375.95 |", stdout);
        Assert.Contains("### Monthly cost change", stdout);
        Assert.Equal(stdout, File.ReadAllText(comment));
    }

    [Fact]
    public void The_same_increase_passes_a_limit_above_it()
    {
        var (exit, stdout, _) = Check(reports.Out, BiggerEndpoint(), "--max-increase-usd", "400", "--max-increase-percent", "50");
        Assert.Equal(0, exit);
        Assert.Contains("| Expected | 1124.42 | 1500.37 | +375.95 | within the limit |", stdout);
    }

    [Fact]
    public void A_percent_limit_fails_what_the_dollar_limit_allows()
    {
        // +375.95 on 1124.42 is +33.4 %.
        var (exit, stdout, _) = Check(reports.Out, BiggerEndpoint(), "--max-increase-usd", "1000", "--max-increase-percent", "10");
        Assert.Equal(1, exit);
        Assert.Contains("+33.4 % exceeds the limit of 10 %", stdout);
    }

    [Fact]
    public void A_rise_of_the_worst_case_alone_fails()
    {
        var raised = Changed(stack => stack.Template["Metadata"]!["AwsModelPlatform:WorstCaseMonthlyCost"]!["totalMonthlyUsd"] = "4439.80");
        var (exit, stdout, _) = Check(reports.Out, raised, "--max-increase-percent", "20");
        Assert.Equal(1, exit);
        Assert.Contains("| Expected | 1124.42 | 1124.42 | 0.00 | within the limit |", stdout);
        Assert.Contains("| Worst case | 2227.90 | 4439.80 | +2211.90 | +99.3 % exceeds the limit of 20 % |", stdout);
        Assert.Contains("Worst case Demo: 2227.90 -> 4439.80 (+2211.90) USD/month", stdout);
    }

    [Fact]
    public void A_cost_decrease_always_passes()
    {
        var (exit, stdout, _) = Check(BiggerEndpoint(), reports.Assembly, "--max-increase-usd", "0", "--max-increase-percent", "0");
        Assert.Equal(0, exit);
        Assert.Contains("| Demo | Llm/Endpoint | AWS::SageMaker::Endpoint | instance-hour | 1481.90 | 1105.95 | -375.95 |", stdout);
    }

    [Theory]
    [InlineData(new string[0], "check needs a limit")]
    [InlineData(new[] { "--max-increase-usd", "-5" }, "--max-increase-usd must be a number of zero or more")]
    [InlineData(new[] { "--max-increase-percent", "ten" }, "--max-increase-percent must be a number of zero or more")]
    [InlineData(new[] { "--max-increase-usd", "5", "--max-increase-eur", "5" }, "unknown argument '--max-increase-eur'")]
    public void Bad_limits_fail_with_the_usage(string[] limits, string message)
    {
        var (exit, _, stderr) = Check(reports.Out, reports.Assembly, limits);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
        Assert.Contains("usage:", stderr);
    }

    [Fact]
    public void A_baseline_that_is_neither_an_assembly_nor_reports_fails_with_what_it_lacks()
    {
        var empty = Directory.CreateTempSubdirectory("cost-gate-empty-").FullName;
        _dirs.Add(empty);
        var (exit, _, stderr) = Check(empty, reports.Assembly, "--max-increase-usd", "1");
        Assert.Equal(2, exit);
        Assert.Contains("neither a cloud assembly (no manifest.json) nor a reports directory (no summary.csv)", stderr);
        (exit, _, stderr) = Check(Path.Combine(empty, "missing"), reports.Assembly, "--max-increase-usd", "1");
        Assert.Equal(2, exit);
        Assert.Contains("does not exist", stderr);
    }

    [Theory]
    [InlineData("stack,resource,type,quantity,unit,unit_price_usd\nDemo,Key,AWS::KMS::Key,1,key-month,1\n", "the first line must be")]
    [InlineData("stack,resource,type,quantity,unit,unit_price_usd,monthly_usd\nDemo,Key,AWS::KMS::Key,1,key-month,1,one dollar\n", "'one dollar' is not an amount in USD")]
    [InlineData("stack,resource,type,quantity,unit,unit_price_usd,monthly_usd\nDemo,Key,AWS::KMS::Key,1,key-month\n", "Demo.csv")]
    [InlineData("stack,resource,type,quantity,unit,unit_price_usd,monthly_usd\nDemo,\"Key,AWS::KMS::Key,1,key-month,1,1.00\n", "Demo.csv")]
    public void A_damaged_baseline_report_fails_naming_the_file(string csv, string message)
    {
        var dir = Directory.CreateTempSubdirectory("cost-gate-damaged-").FullName;
        _dirs.Add(dir);
        File.Copy(Path.Combine(reports.Out, Reports.SummaryFile), Path.Combine(dir, Reports.SummaryFile));
        File.WriteAllText(Path.Combine(dir, "Demo.csv"), csv);
        var (exit, _, stderr) = Check(dir, reports.Assembly, "--max-increase-usd", "1");
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
    }

    /// <summary>The fixture's expected total: the endpoint's 1105.95 (730 h × $1.515) + 0.09 and 0.18 of data processed in and out, the KMS
    /// endpoint's 14.60 + 1.00 (100 GB), the key's 1.00 + 1.50 (500,000 requests), the alarm's 0.10.</summary>
    [Fact]
    public void The_summary_lists_each_stack_with_its_expected_and_worst_case_totals()
    {
        Assert.Equal(["stack,expected_monthly_usd,worst_case_monthly_usd", "Demo,1124.42,2227.90"],
            File.ReadAllLines(Path.Combine(reports.Out, Reports.SummaryFile)));
    }
}
