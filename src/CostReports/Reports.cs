using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AwsModelPlatform.CostReports;

/// <summary>The worst case a stack's template records (<see cref="CostMetadata.WorstCaseKey"/>, written by the library at synth time).</summary>
internal static class WorstCase
{
    /// <summary>The record of a stack, or null when its template has none (a stack without platform constructs).</summary>
    public static StackCostRecord? Of(StackTemplate stack) =>
        stack.Template["Metadata"]?[CostMetadata.WorstCaseKey] is { } record ? StackCostRecord.From(record) : null;
}

/// <summary>Writes the per-stack Markdown and CSV reports. Output is deterministic: no dates, invariant culture, fixed formats.</summary>
internal static class Reports
{
    /// <summary>The CSV header, exactly.</summary>
    public const string CsvHeader = "stack,resource,type,quantity,unit,unit_price_usd,monthly_usd";

    /// <summary>The file of a reports directory that lists its stacks with their expected and worst-case monthly totals.</summary>
    public const string SummaryFile = "summary.csv";

    /// <summary>The summary's CSV header, exactly.</summary>
    public const string SummaryHeader = "stack,expected_monthly_usd,worst_case_monthly_usd";

    /// <summary>The summary of a snapshot: one row per stack (a stack without a recorded worst case reads 0.00).</summary>
    public static string Summary(CostSnapshot snapshot)
    {
        var sb = new StringBuilder().Append(SummaryHeader).Append('\n');
        foreach (var (stack, worst) in snapshot.WorstCaseByStack.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var expected = snapshot.Lines.Where(l => l.Stack == stack).Sum(l => l.MonthlyUsd);
            sb.Append(CsvField(stack)).Append(',').Append(Money(expected)).Append(',').Append(Money(worst)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The command that regenerates the committed reports.</summary>
    public const string RegenerateCommand = "dotnet run --project cdk && dotnet run --project src/CostReports -- --assembly cdk.out --usage cost-reports/usage.json";

    internal static string Quantity(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
    internal static string UnitPrice(double v) => v.ToString("0.#########", CultureInfo.InvariantCulture);
    internal static string Money(decimal v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Sum of the lines' (rounded) monthly costs.</summary>
    public static decimal Total(IEnumerable<ReportLine> lines) => lines.Sum(l => l.MonthlyUsd);

    /// <summary>The CSV of one stack's lines.</summary>
    public static string Csv(IEnumerable<ReportLine> lines)
    {
        var sb = new StringBuilder().Append(CsvHeader).Append('\n');
        foreach (var l in lines)
            sb.Append(string.Join(',', new[] { l.Stack, l.Resource, l.Type, Quantity(l.Quantity), l.Unit, UnitPrice(l.UnitPriceUsd), Money(l.MonthlyUsd) }.Select(CsvField))).Append('\n');
        return sb.ToString();
    }

    private static string CsvField(string v) => v.IndexOfAny(new[] { ',', '"', '\n' }) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;

    internal static string Cell(string v) => v.Replace("|", "\\|").Replace("\n", " ");

    /// <summary>The Markdown report of one stack.</summary>
    /// <remarks>
    /// In a region the table does not price (<paramref name="stackRegion"/>), the report's first line says so: its figures
    /// are then the default region's.
    /// </remarks>
    /// <remarks>With <paramref name="teams"/> (the stack's API's, from the profile), a section splits the expected cost among them.</remarks>
    public static string Markdown(string stack, IReadOnlyList<ReportLine> lines, StackCostRecord? worst, UsageProfile usage, string usagePath,
        PriceTable table, string? stackRegion = null, IReadOnlyDictionary<string, TeamUsage>? teams = null)
    {
        var sb = new StringBuilder();
        void L(string s = "") => sb.Append(s).Append('\n');
        if (stackRegion is not null && !table.IsPriced(stackRegion))
        {
            L($"> **{table.UnpricedRegionNotice(stackRegion)}**");
            L();
        }
        L($"# Cost report: {stack}");
        L();
        var region = table.PricedRegion(stackRegion);
        var regionNote = stackRegion is null ? $"{region} prices: the stack's region is not known at synth time" : $"{region} prices";
        L($"Generated from the synthesized template of stack `{stack}` and the usage profile `{usagePath}`, with the library's price table "
          + $"version {table.Version} ({regionNote}, USD). Do not edit: regenerate with `{RegenerateCommand}`.");
        L();
        L("## Expected monthly cost for the usage profile");
        L();
        L("| Resource | Type | Quantity | Unit | Unit price (USD) | Monthly (USD) | How the quantity is reached |");
        L("|---|---|---:|---|---:|---:|---|");
        foreach (var l in lines)
            L($"| {Cell(l.Resource)} | {l.Type} | {Quantity(l.Quantity)} | {l.Unit} | {UnitPrice(l.UnitPriceUsd)} | {Money(l.MonthlyUsd)} | {Cell(l.Note)} |");
        L($"| **Total** | | | | | **{Money(Total(lines))}** | |");
        L();
        L($"Total expected monthly cost: **${Money(Total(lines))}**");
        L();
        if (teams is { Count: > 0 })
        {
            TeamSection(sb, lines, teams);
            L();
        }
        LambdaMemorySizes.Section(sb, lines);
        L("## Assumptions");
        L();
        if (usage.Description.Length > 0) L($"- Usage profile: {usage.Description}");
        L("- A month is 730 hours. On-demand list prices, first (most expensive) tier; free tiers, Savings Plans, reserved capacity, taxes and data transfer out are ignored.");
        L($"- Spot instances cost on-demand × (1 − {Quantity(table.SpotDiscount)}): {table.SpotDiscountSource}.");
        L("- Always-on endpoints bill at least their minimum instances every hour; scale-to-zero endpoints bill the busy instance-hours divided by the target utilization, plus the idle hours before scale-in; async endpoints are assumed to keep the instances they run full.");
        L("- Usage-priced items not in the profile (requests to functions CDK runs only at deploy time, for example) are listed at zero use.");
        foreach (var note in table.Notes) L($"- {note}");
        var estimated = EstimatedPrices(lines, table);
        if (estimated.Count > 0) L($"- Estimated prices used here (see their source in prices.json): {string.Join(", ", estimated)}.");
        var unverified = UnverifiedPrices(lines);
        if (unverified.Count > 0) L($"- Prices used here that no public source confirmed for {region} (prices.json says why in each one's note): {string.Join(", ", unverified)}.");
        L();
        L("## Worst case (synth-time)");
        L();
        if (worst is null)
        {
            L("The template records no worst case (no platform construct in this stack).");
            return sb.ToString();
        }
        L($"Everything the stack runs whether or not it is used, at its configured maxima, all month (price table {worst.PriceTableVersion}): "
          + $"**${Money((decimal)worst.TotalMonthlyUsd)}** a month. This is the figure `MaxMonthlyCostUsd` is checked against at synthesis.");
        L();
        foreach (var (construct, max) in worst.Ceilings.Select(c => (c.Construct, c.MaxMonthlyUsd)))
            L($"- Ceiling: `{construct}` MaxMonthlyCostUsd = {Money((decimal)max)}");
        if (worst.Ceilings.Count > 0) L();
        L("| Resource | Type | Quantity | Unit | Unit price (USD) | Monthly (USD) | Basis |");
        L("|---|---|---:|---|---:|---:|---|");
        foreach (var l in worst.Lines.OrderByDescending(l => l.MonthlyUsd).ThenBy(l => l.Resource, StringComparer.Ordinal))
            L($"| {Cell(l.Resource)} | {l.Type} | {Quantity(l.Quantity)} | {l.Unit} | "
              + $"{UnitPrice(l.UnitPriceUsd)} | {Money(Math.Round((decimal)l.MonthlyUsd, 2, MidpointRounding.AwayFromZero))} | {Cell(l.Basis)} |");
        L();
        L("Billed by use, so not bounded by the worst case:");
        L();
        foreach (var note in worst.UsageBased) L($"- {note}");
        return sb.ToString();
    }

    // The per-team split of the expected cost: how, then one row per team and the shared rest.
    private static void TeamSection(StringBuilder sb, IReadOnlyList<ReportLine> lines, IReadOnlyDictionary<string, TeamUsage> teams)
    {
        void L(string s = "") => sb.Append(s).Append('\n');
        static string Percent(double share) => (share * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %";
        var (costs, shared) = TeamSplit.Of(lines, teams);
        L("## Cost per team");
        L();
        L("The usage profile's teams of the API, with their shares of its requests and tokens. Split the way the handler counts a "
          + "team's dollars: GPU capacity (endpoint instance-hours, serverless GB-seconds, ML storage) by the team's share of the "
          + "models' busy time, which is its share of the tokens (the model's hourly cost × the team's share of busy time; idle and "
          + "warm capacity is shared in the same proportion, where the handler's dollars count busy time only); what is billed per "
          + "request (API Gateway, the functions, the authorizer, WAF requests, X-Ray traces, DynamoDB requests, KMS MAC requests, "
          + "SageMaker data processed) by its share of the requests; its own per-team custom metrics in full. What is billed whatever "
          + "the traffic (keys, alarms, dashboards, storage, log groups, the fixed metrics) is shared.");
        L();
        L("| Team | Request share | Token share | Per request (USD) | GPU capacity (USD) | Team metrics (USD) | Monthly (USD) |");
        L("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var c in costs)
            L($"| {Cell(c.Team)} | {Percent(c.RequestShare)} | {Percent(c.TokenShare)} | {Money(c.RequestsUsd)} | {Money(c.GpuUsd)} | "
              + $"{Money(c.MetricsUsd)} | {Money(c.TotalUsd)} |");
        L($"| Shared (billed whatever the traffic) | | | | | | {Money(shared)} |");
        L($"| **Total** | | | | | | **{Money(costs.Sum(c => c.TotalUsd) + shared)}** |");
    }

    /// <summary>The table prices the lines use that are not verified, as <c>service sku</c>, sorted.</summary>
    public static List<string> UnverifiedPrices(IEnumerable<ReportLine> lines) =>
        lines.Select(l => l.Price).OfType<Price>().Where(p => !p.Verified).Select(p => $"{p.Service} {p.Sku}")
            .Distinct().OrderBy(s => s, StringComparer.Ordinal).ToList();

    private static List<string> EstimatedPrices(IReadOnlyList<ReportLine> lines, PriceTable table)
    {
        var services = new[] { PriceTable.SageMakerHosting, PriceTable.Ec2OnDemand };
        var region = lines.Select(l => l.Price?.Region).OfType<string>().FirstOrDefault() ?? table.DefaultRegion;
        return services.SelectMany(s => table.Prices(region, s)).Where(p => p.Estimated)
            .Where(p => lines.Any(l => l.Note.StartsWith(p.Sku + " ", StringComparison.Ordinal) || l.Note.StartsWith(p.Sku + ",", StringComparison.Ordinal)))
            .Select(p => $"{p.Service} {p.Sku}").Distinct().OrderBy(s => s, StringComparer.Ordinal).ToList();
    }
}
