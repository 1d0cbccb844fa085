using static AwsModelPlatform.CostReports.Tests.Assemblies;

namespace AwsModelPlatform.CostReports.Tests;

/// <summary>The report's Lambda cost at each memory size: CPU in proportion to memory, waiting time unchanged.</summary>
public class LambdaMemorySizesTests
{
    private const double X86GbSecondUsd = 0.0000166667;

    [Fact]
    public void A_function_that_waits_on_the_model_costs_in_proportion_to_its_memory()
    {
        // 1 M invocations of 900 ms at 1024 MB, of which 0.3 ms is the handler's CPU at a full vCPU.
        var waiting = new FunctionSizing(1_000_000, 900, 1024, 0.3);
        Assert.Equal(900 - 0.3 * 1769 / 1024 + 0.3 * 1769 / 128, LambdaMemorySizes.DurationMs(waiting, 128), 6);
        Assert.Equal(900 - 0.3 * 1769 / 1024 + 0.3, LambdaMemorySizes.DurationMs(waiting, 1769), 6);
        Assert.Equal(900, LambdaMemorySizes.DurationMs(waiting, 1024), 6);
        var at1024 = LambdaMemorySizes.MonthlyUsd(waiting, 1024, X86GbSecondUsd);
        Assert.Equal(15.00m, at1024); // 1 M × 0.9 s × 1 GB × $0.0000166667
        var at128 = LambdaMemorySizes.MonthlyUsd(waiting, 128, X86GbSecondUsd);
        Assert.InRange((double)(at128 / at1024), 0.125, 0.127); // an eighth, plus the stretched CPU time
    }

    [Fact]
    public void A_CPU_bound_function_costs_the_same_at_every_size_up_to_one_vCPU()
    {
        // All of its 10 ms at 1769 MB is CPU: at 128 MB it runs 1769/128 times longer on 128/1769 of the memory.
        var busy = new FunctionSizing(1_000_000, 10, 1769, 10);
        var at1769 = LambdaMemorySizes.MonthlyUsd(busy, 1769, X86GbSecondUsd);
        Assert.All(LambdaMemorySizes.SizesMb, size => Assert.Equal(at1769, LambdaMemorySizes.MonthlyUsd(busy, size, X86GbSecondUsd)));
        Assert.Equal(10 * 1769 / 128.0, LambdaMemorySizes.DurationMs(busy, 128), 6);
    }

    [Fact]
    public void The_report_prices_each_function_with_traffic_at_each_size_and_leaves_out_deploy_time_functions()
    {
        var usage = new UsageProfile
        {
            Functions = new() { ["Test/Api/Handler"] = new FunctionUsage { InvocationsPerMonth = 1_000_000, DurationMs = 900, CpuMs = 0.3 } },
        };
        var stack = Stack("Test",
            ("F", Resource("AWS::Lambda::Function", "Api/Handler", new { MemorySize = 1024 })),
            ("P", Resource("AWS::Lambda::Function", "Provider/Handler", new { MemorySize = 128 })));
        var lines = new Pricers(PriceTable.Default, usage).Price(stack);
        var line = Assert.Single(lines, l => l.Function is not null && l.Resource == "Api/Handler");
        Assert.Equal(new FunctionSizing(1_000_000, 900, 1024, 0.3), line.Function);

        var md = Reports.Markdown(stack.Name, lines, null, usage, "usage.json", PriceTable.Default);
        var section = md[md.IndexOf("## Lambda memory sizes", StringComparison.Ordinal)..];
        Assert.Contains("| 128 MB | 256 MB | 512 MB | 1024 MB | 1769 MB |", section);
        Assert.Contains($"| Api/Handler | 1000000 | 1024 MB: 15.00 | {Reports.Money(LambdaMemorySizes.MonthlyUsd(line.Function!, 128, X86GbSecondUsd))} (903.63 ms) |", section);
        Assert.DoesNotContain("| Provider/Handler |", section);
        // A stack without traffic on any function has no such section.
        var idle = new Pricers(PriceTable.Default, new UsageProfile()).Price(stack);
        Assert.DoesNotContain("## Lambda memory sizes", Reports.Markdown(stack.Name, idle, null, new UsageProfile(), "usage.json", PriceTable.Default));
    }
}
