using System.Text;

namespace AwsModelPlatform.CostReports;

/// <summary>One resource line whose monthly cost changes between two snapshots.</summary>
public sealed record DiffLine(string Stack, string Resource, string Type, string Unit, decimal Before, decimal After)
{
    /// <summary>After − before.</summary>
    public decimal Delta => After - Before;
}

/// <summary>The monthly cost delta, per resource, between two snapshots priced with the same usage profile.</summary>
internal static class Diff
{
    /// <summary>Every line whose expected monthly cost differs, ordered by stack and resource.</summary>
    public static List<DiffLine> Compute(IEnumerable<CostLine> before, IEnumerable<CostLine> after)
    {
        var b = before.GroupBy(l => l.Key).ToDictionary(g => g.Key, g => (Line: g.First(), Usd: g.Sum(l => l.MonthlyUsd)));
        var a = after.GroupBy(l => l.Key).ToDictionary(g => g.Key, g => (Line: g.First(), Usd: g.Sum(l => l.MonthlyUsd)));
        return b.Keys.Union(a.Keys)
            .Select(k =>
            {
                var line = a.TryGetValue(k, out var x) ? x.Line : b[k].Line;
                return new DiffLine(line.Stack, line.Resource, line.Type, line.Unit, b.TryGetValue(k, out var y) ? y.Usd : 0, a.TryGetValue(k, out var z) ? z.Usd : 0);
            })
            .Where(d => d.Delta != 0)
            .OrderBy(d => d.Stack, StringComparer.Ordinal).ThenBy(d => d.Resource, StringComparer.Ordinal).ThenBy(d => d.Type, StringComparer.Ordinal).ThenBy(d => d.Unit, StringComparer.Ordinal)
            .ToList();
    }

    internal static string Signed(decimal v) => (v > 0 ? "+" : v < 0 ? "-" : "") + Reports.Money(Math.Abs(v));

    /// <summary>The diff as Markdown: a table of changed lines, the expected totals and the worst cases per stack.</summary>
    /// <param name="before">The snapshot the change starts from.</param>
    /// <param name="after">The snapshot with the change.</param>
    /// <param name="headingLevel">The level of the diff's title (1 on its own, deeper inside a cost-gate comment).</param>
    public static string Render(CostSnapshot before, CostSnapshot after, int headingLevel = 1)
    {
        var lines = Compute(before.Lines, after.Lines);
        var sb = new StringBuilder();
        void L(string s = "") => sb.Append(s).Append('\n');
        L($"{new string('#', headingLevel)} Monthly cost change: {before.Name} -> {after.Name}");
        L();
        if (lines.Count == 0) L("No resource changes its expected monthly cost.");
        else
        {
            L("| Stack | Resource | Type | Unit | Before (USD) | After (USD) | Delta (USD) |");
            L("|---|---|---|---|---:|---:|---:|");
            foreach (var d in lines)
                L($"| {d.Stack} | {Reports.Cell(d.Resource)} | {d.Type} | {d.Unit} | {Reports.Money(d.Before)} | {Reports.Money(d.After)} | {Signed(d.Delta)} |");
        }
        L();
        var (tb, ta) = (before.ExpectedMonthlyUsd, after.ExpectedMonthlyUsd);
        L($"Expected total: {Reports.Money(tb)} -> {Reports.Money(ta)} ({Signed(ta - tb)}) USD/month");
        foreach (var name in before.WorstCaseByStack.Keys.Union(after.WorstCaseByStack.Keys).OrderBy(n => n, StringComparer.Ordinal))
        {
            var wb = before.WorstCaseByStack.GetValueOrDefault(name);
            var wa = after.WorstCaseByStack.GetValueOrDefault(name);
            if (wb != wa) L($"Worst case {name}: {Reports.Money(wb)} -> {Reports.Money(wa)} ({Signed(wa - wb)}) USD/month");
        }
        return sb.ToString();
    }
}
