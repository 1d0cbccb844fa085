using System.Globalization;
using System.Text;

namespace AwsModelPlatform.CostReports;

/// <summary>
/// <c>dotnet run --project src/CostReports -- --assembly cdk.out --usage cost-reports/usage.json [--out DIR] [--diff OTHER_ASSEMBLY]</c>:
/// writes <c>&lt;stack&gt;.md</c>, <c>&lt;stack&gt;.csv</c> and <c>inference-breakeven.svg</c> into DIR (default
/// <c>cost-reports/</c>); with <c>--diff</c>, prints instead the per-resource monthly delta from OTHER_ASSEMBLY to
/// the assembly (what a change does to the bill).
/// </summary>
public static class Cli
{
    private const string Usage = "usage: dotnet run --project src/CostReports -- --assembly cdk.out --usage cost-reports/usage.json [--out DIR] [--diff OTHER_ASSEMBLY]";

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var options = Parse(args);
            var usage = UsageProfile.Parse(ReadFile(options.Usage, "usage profile"));
            var table = PriceTable.Default;
            var pricers = new Pricers(table, usage);
            var stacks = CloudAssembly.Read(options.Assembly);
            if (options.Diff is { } other)
            {
                stdout.Write(Diff.Render(CloudAssembly.Read(other), stacks, pricers, other, options.Assembly));
                return 0;
            }
            Directory.CreateDirectory(options.Out);
            foreach (var stack in stacks)
            {
                var lines = pricers.Price(stack);
                var worst = WorstCase.Of(stack);
                Write(Path.Combine(options.Out, stack.Name + ".md"), Reports.Markdown(stack.Name, lines, worst, usage, options.Usage, table));
                Write(Path.Combine(options.Out, stack.Name + ".csv"), Reports.Csv(lines));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{stack.Name}: expected ${Reports.Money(Reports.Total(lines))}/month, worst case {(worst is null ? "not recorded" : "$" + Reports.Money((decimal)worst.TotalMonthlyUsd))}/month"));
            }
            var breakeven = new Breakeven(usage.Breakeven, table);
            var svg = Path.Combine(options.Out, "inference-breakeven.svg");
            breakeven.WriteSvg(svg);
            foreach (var p in breakeven.Points())
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"breakeven: {p.A} = {p.B} at {p.Requests:0} requests/month (${p.MonthlyUsd:0.00})"));
            stdout.WriteLine($"wrote {stacks.Count * 2 + 1} files to {options.Out}");
            return 0;
        }
        catch (CliException e)
        {
            stderr.WriteLine($"cost-reports: {e.Message}");
            stderr.WriteLine(Usage);
            return 2;
        }
    }

    private static void Write(string path, string content) => File.WriteAllText(path, content, new UTF8Encoding(false));

    private static string ReadFile(string path, string what) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new CliException($"the {what} '{path}' does not exist.");

    private sealed record Options(string Assembly, string Usage, string Out, string? Diff);

    private static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is not ("--assembly" or "--usage" or "--out" or "--diff")) throw new CliException($"unknown argument '{name}'.");
            if (i + 1 >= args.Length) throw new CliException($"{name} needs a value.");
            values[name] = args[++i];
        }
        if (!values.TryGetValue("--assembly", out var assembly)) throw new CliException("--assembly is required.");
        if (!values.TryGetValue("--usage", out var usage)) throw new CliException("--usage is required.");
        return new Options(assembly, usage, values.GetValueOrDefault("--out", "cost-reports"), values.GetValueOrDefault("--diff"));
    }
}
