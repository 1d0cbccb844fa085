using System.Globalization;
using System.Text;

namespace AwsModelPlatform.CostReports;

/// <summary>A function's use in the profile, priced at its configured memory: what <see cref="LambdaMemorySizes"/> reprices.</summary>
/// <param name="Invocations">Invocations a month.</param>
/// <param name="DurationMs">Billed duration of one invocation at <paramref name="MemoryMb"/>.</param>
/// <param name="MemoryMb">The configured memory size.</param>
/// <param name="CpuMs">Its own CPU time per invocation with one full vCPU (<see cref="FunctionUsage.CpuMs"/>).</param>
internal sealed record FunctionSizing(double Invocations, double DurationMs, double MemoryMb, double CpuMs);

/// <summary>
/// What each function with traffic would cost at other memory sizes. Lambda gives a function CPU in proportion to its memory,
/// one full vCPU at 1769 MB ("At 1,769 MB, a function has the equivalent of one vCPU",
/// https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html); below that the function's own CPU time stretches
/// by 1769 / size, while the time it waits on the model does not change.
/// </summary>
internal static class LambdaMemorySizes
{
    /// <summary>The memory size with one full vCPU.</summary>
    public const double FullVcpuMb = 1769;

    /// <summary>The sizes the report prices (those bench/memory.sh measures).</summary>
    public static readonly int[] SizesMb = [128, 256, 512, 1024, 1769];

    /// <summary>The billed duration of one invocation at <paramref name="memoryMb"/>.</summary>
    public static double DurationMs(FunctionSizing f, double memoryMb) =>
        Math.Max(0, f.DurationMs - f.CpuMs * Stretch(f.MemoryMb)) + f.CpuMs * Stretch(memoryMb);

    /// <summary>The compute cost a month (GB-seconds × the line's unit price) at <paramref name="memoryMb"/>.</summary>
    public static decimal MonthlyUsd(FunctionSizing f, double memoryMb, double unitPriceUsd) =>
        Math.Round((decimal)(f.Invocations * DurationMs(f, memoryMb) / 1000 * memoryMb / 1024 * unitPriceUsd), 2, MidpointRounding.AwayFromZero);

    private static double Stretch(double memoryMb) => Math.Max(1, FullVcpuMb / memoryMb);

    /// <summary>The report's section and a blank line, or nothing when no function of the stack has traffic in the profile.</summary>
    public static void Section(StringBuilder sb, IReadOnlyList<ReportLine> lines)
    {
        var functions = lines.Where(l => l.Function is { Invocations: > 0 }).ToList();
        if (functions.Count == 0) return;
        void L(string s = "") => sb.Append(s).Append('\n');
        static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        L("## Lambda memory sizes");
        L();
        L("The compute cost a month of each function with traffic at each memory size (the request charge is the same at every size). "
          + "Lambda gives a function CPU in proportion to its memory, one full vCPU at 1769 MB "
          + "(https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html): the duration at a size is the profile's, with the "
          + "function's own CPU time (the profile's `cpuMs`, measured by `bench/memory.sh`, docs/benchmarks.md) stretched to that size's "
          + "CPU share; the rest of the duration is waiting on the model, which memory does not change.");
        L();
        L($"| Function | Invocations | Configured | {string.Join(" | ", SizesMb.Select(s => $"{s} MB"))} |");
        L($"|---|---:|---:|{string.Concat(SizesMb.Select(_ => "---:|"))}");
        foreach (var line in functions)
        {
            var f = line.Function!;
            var cells = SizesMb.Select(size =>
                $"{Reports.Money(MonthlyUsd(f, size, line.UnitPriceUsd))} ({N(DurationMs(f, size))} ms)");
            L($"| {Reports.Cell(line.Resource)} | {Reports.Quantity(f.Invocations)} | {N(f.MemoryMb)} MB: {Reports.Money(line.MonthlyUsd)} | {string.Join(" | ", cells)} |");
        }
        L();
    }
}
