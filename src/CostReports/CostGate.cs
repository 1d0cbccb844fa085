using System.Globalization;
using System.Text;

namespace AwsModelPlatform.CostReports;

/// <summary>How much a change may raise the monthly cost: in dollars, in percent of the baseline, or both (either one exceeded fails).</summary>
internal sealed record CostLimits(decimal? MaxIncreaseUsd, decimal? MaxIncreasePercent);

/// <summary>One total the gate checks (expected or worst case), before and after, and whether its increase breaks a limit.</summary>
internal sealed record GateCheck(string Total, decimal Before, decimal After, string? Breach)
{
    /// <summary>After − before.</summary>
    public decimal Increase => After - Before;
}

/// <summary>
/// The cost gate of a pull request: compares the app as it synthesizes now with a baseline and fails when the expected or the
/// worst-case monthly cost rises past a limit. The verdict and the per-resource diff are Markdown fit for a pull-request comment.
/// </summary>
internal static class CostGate
{
    /// <summary>The expected and the worst-case totals, each judged against <paramref name="limits"/>.</summary>
    public static IReadOnlyList<GateCheck> Check(CostSnapshot baseline, CostSnapshot current, CostLimits limits) =>
    [
        Judge("Expected", baseline.ExpectedMonthlyUsd, current.ExpectedMonthlyUsd, limits),
        Judge("Worst case", baseline.WorstCaseMonthlyUsd, current.WorstCaseMonthlyUsd, limits),
    ];

    private static GateCheck Judge(string total, decimal before, decimal after, CostLimits limits)
    {
        var increase = after - before;
        string? breach = null;
        if (limits.MaxIncreaseUsd is { } usd && increase > usd)
            breach = $"+{Reports.Money(increase)} USD exceeds the limit of {Reports.Money(usd)} USD";
        // A rise from zero is an infinite percentage: any increase of a total that was zero breaks a percent limit.
        else if (limits.MaxIncreasePercent is { } percent && increase > 0 && (before <= 0 || increase / before * 100 > percent))
            breach = before <= 0
                ? $"+{Reports.Money(increase)} USD from a baseline of 0 exceeds any percent limit"
                : $"+{Percent(increase / before * 100)} % exceeds the limit of {Percent(percent)} %";
        return new GateCheck(total, before, after, breach);
    }

    private static string Percent(decimal v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The gate's comment: the verdict, each total with its change, and the per-resource diff.</summary>
    public static string Render(CostSnapshot baseline, CostSnapshot current, CostLimits limits, IReadOnlyList<GateCheck> checks)
    {
        var sb = new StringBuilder();
        void L(string s = "") => sb.Append(s).Append('\n');
        var failed = checks.Any(c => c.Breach is not null);
        L(failed ? "## Cost gate: FAILED" : "## Cost gate: passed");
        L();
        var limitText = string.Join(" or ", new[]
        {
            limits.MaxIncreaseUsd is { } u ? $"{Reports.Money(u)} USD" : null,
            limits.MaxIncreasePercent is { } p ? $"{Percent(p)} %" : null,
        }.Where(s => s is not null));
        L($"A change may raise the expected or the worst-case monthly cost by at most {limitText} over the baseline `{baseline.Name}`.");
        L();
        L("| Monthly total | Baseline (USD) | This change (USD) | Change (USD) | Verdict |");
        L("|---|---:|---:|---:|---|");
        foreach (var c in checks)
            L($"| {c.Total} | {Reports.Money(c.Before)} | {Reports.Money(c.After)} | {Diff.Signed(c.Increase)} | {c.Breach ?? "within the limit"} |");
        L();
        sb.Append(Diff.Render(baseline, current, headingLevel: 3));
        if (failed)
        {
            L();
            L("If the increase is intended, accept it: regenerate the reports and copy them into the baseline "
              + "(`bash cost-reports/regenerate && bash cost-reports/accept-baseline`), and commit both with the reason.");
        }
        return sb.ToString();
    }
}
