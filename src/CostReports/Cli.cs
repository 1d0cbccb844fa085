using System.Globalization;
using System.Text;

namespace AwsModelPlatform.CostReports;

/// <summary>
/// <c>dotnet run --project src/CostReports -- --assembly cdk.out --usage cost-reports/usage.json [--out DIR] [--diff BASELINE]</c>:
/// writes <c>&lt;stack&gt;.md</c>, <c>&lt;stack&gt;.csv</c>, <c>summary.csv</c> and <c>inference-breakeven.svg</c> into DIR
/// (default <c>cost-reports/</c>); with <c>--diff</c>, prints instead the per-resource monthly delta from BASELINE (a cloud
/// assembly or a reports directory) to the assembly (what a change does to the bill).
/// <para>
/// <c>... -- check --baseline BASELINE --assembly cdk.out --usage U [--max-increase-usd N] [--max-increase-percent P] [--comment FILE]</c>:
/// the cost gate (<see cref="CostGate"/>). Exits 1 when the expected or the worst-case monthly cost rises past a limit, and
/// writes its verdict and the diff as Markdown to standard output and to FILE.
/// </para>
/// </summary>
public static class Cli
{
    private const string Usage = """
        usage: dotnet run --project src/CostReports -- --assembly cdk.out --usage cost-reports/usage.json [--out DIR] [--diff BASELINE]
               dotnet run --project src/CostReports -- check --baseline BASELINE --assembly cdk.out --usage cost-reports/usage.json
                   [--max-increase-usd N] [--max-increase-percent P] [--comment FILE]   (at least one limit; BASELINE: a cloud assembly or a reports directory)
        """;

    private static readonly string[] ReportArguments = ["--assembly", "--usage", "--out", "--diff"];
    private static readonly string[] CheckArguments = ["--baseline", "--assembly", "--usage", "--max-increase-usd", "--max-increase-percent", "--comment"];

    /// <summary>Runs the command; returns the exit code (0 done or within the limits, 1 over a limit, 2 a usage error).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return args.FirstOrDefault() == "check" ? RunCheck(Parse(args[1..], CheckArguments), stdout) : RunReports(Parse(args, ReportArguments), stdout);
        }
        catch (CliException e)
        {
            stderr.WriteLine($"cost-reports: {e.Message}");
            stderr.WriteLine(Usage);
            return 2;
        }
    }

    private static int RunReports(Dictionary<string, string> options, TextWriter stdout)
    {
        var (assembly, usagePath) = (Required(options, "--assembly"), Required(options, "--usage"));
        var usage = UsageProfile.Parse(ReadFile(usagePath, "usage profile"));
        var table = PriceTable.Default;
        var pricers = new Pricers(table, usage);
        var stacks = CloudAssembly.Read(assembly);
        if (options.TryGetValue("--diff", out var baseline))
        {
            stdout.Write(Diff.Render(CostSnapshot.Load(baseline, pricers), CostSnapshot.Of(assembly, stacks, pricers)));
            return 0;
        }
        var outDir = options.GetValueOrDefault("--out", "cost-reports");
        Directory.CreateDirectory(outDir);
        foreach (var stack in stacks)
        {
            var lines = pricers.Price(stack);
            var worst = WorstCase.Of(stack);
            if (stack.Region is { } region && !table.IsPriced(region)) stdout.WriteLine($"{stack.Name}: {table.UnpricedRegionNotice(region)}");
            Write(Path.Combine(outDir, stack.Name + ".md"),
                Reports.Markdown(stack.Name, lines, worst, usage, usagePath, table, stack.Region, pricers.TeamsOf(stack)));
            Write(Path.Combine(outDir, stack.Name + ".csv"), Reports.Csv(lines));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{stack.Name}: expected ${Reports.Money(Reports.Total(lines))}/month, worst case {(worst is null ? "not recorded" : "$" + Reports.Money((decimal)worst.TotalMonthlyUsd))}/month"));
        }
        Write(Path.Combine(outDir, Reports.SummaryFile), Reports.Summary(CostSnapshot.Of(assembly, stacks, pricers)));
        var breakeven = new Breakeven(usage.Breakeven, table);
        var svg = Path.Combine(outDir, "inference-breakeven.svg");
        breakeven.WriteSvg(svg);
        foreach (var p in breakeven.Points())
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"breakeven: {p.A} = {p.B} at {p.Requests:0} requests/month (${p.MonthlyUsd:0.00})"));
        stdout.WriteLine($"wrote {stacks.Count * 2 + 2} files to {outDir}");
        return 0;
    }

    private static int RunCheck(Dictionary<string, string> options, TextWriter stdout)
    {
        var limits = new CostLimits(Amount(options, "--max-increase-usd"), Amount(options, "--max-increase-percent"));
        if (limits is { MaxIncreaseUsd: null, MaxIncreasePercent: null })
            throw new CliException("check needs a limit: --max-increase-usd, --max-increase-percent or both.");
        var usage = UsageProfile.Parse(ReadFile(Required(options, "--usage"), "usage profile"));
        var pricers = new Pricers(PriceTable.Default, usage);
        var baselinePath = Required(options, "--baseline");
        if (!Directory.Exists(baselinePath)) throw new CliException($"the baseline '{baselinePath}' does not exist.");
        var baseline = CostSnapshot.Load(baselinePath, pricers);
        var assembly = Required(options, "--assembly");
        var current = CostSnapshot.Of(assembly, CloudAssembly.Read(assembly), pricers);
        var checks = CostGate.Check(baseline, current, limits);
        var comment = CostGate.Render(baseline, current, limits, checks);
        stdout.Write(comment);
        if (options.TryGetValue("--comment", out var file)) Write(file, comment);
        return checks.Any(c => c.Breach is not null) ? 1 : 0;
    }

    private static void Write(string path, string content) => File.WriteAllText(path, content, new UTF8Encoding(false));

    private static string ReadFile(string path, string what) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new CliException($"the {what} '{path}' does not exist.");

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new CliException($"{name} is required.");

    private static decimal? Amount(Dictionary<string, string> options, string name)
    {
        if (!options.TryGetValue(name, out var text)) return null;
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new CliException($"{name} must be a number of zero or more (e.g. 25 or 2.5), not '{text}'.");
    }

    private static Dictionary<string, string> Parse(string[] args, string[] known)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!known.Contains(name)) throw new CliException($"unknown argument '{name}'.");
            if (i + 1 >= args.Length) throw new CliException($"{name} needs a value.");
            values[name] = args[++i];
        }
        return values;
    }
}
