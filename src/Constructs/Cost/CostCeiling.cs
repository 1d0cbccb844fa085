using System.Globalization;
using Amazon.JSII.Runtime.Deputy;

namespace AwsModelPlatform.Constructs.Cost;

/// <summary>
/// The synth-time cost ceiling: a validation that fails synthesis when a worst case exceeds its
/// <c>MaxMonthlyCostUsd</c>, naming every resource and its cost; and the worst-case record each stack's template
/// carries (template metadata <see cref="MetadataKey"/>) for the cost reports.
/// </summary>
internal static class CostCeiling
{
    /// <summary>Template-level metadata key of the stack's worst-case record.</summary>
    public const string MetadataKey = CostMetadata.WorstCaseKey;

    /// <summary>
    /// Fails synthesis when the worst case of <paramref name="construct"/> (its own lines and those of the costed
    /// constructs nested in it) exceeds <see cref="ICostedConstruct.MaxMonthlyCostUsd"/>. Validations run after every
    /// construct of the app exists, so lines added after the constructor (alarms, dashboards) count.
    /// </summary>
    /// <param name="construct">The construct.</param>
    /// <param name="propName">The prop that set the ceiling, for the message (e.g. <c>TrainingJobsProps.MaxMonthlyCostUsd</c>).</param>
    public static void Enforce(ICostedConstruct construct, string propName) => Enforce(construct, propName, allowUnpricedRegion: false);

    /// <summary>
    /// As <see cref="Enforce(ICostedConstruct, string)"/>; in a region the price table does not price, synthesis fails
    /// unless <paramref name="allowUnpricedRegion"/>, and then the ceiling is checked against the default region's prices.
    /// </summary>
    public static void Enforce(ICostedConstruct construct, string propName, bool allowUnpricedRegion)
    {
        Check(construct, construct.MaxMonthlyCostUsd, propName);
        if (construct.MaxMonthlyCostUsd is null) return;
        construct.Node.AddValidation(new Validation(() =>
        {
            var lines = CostEstimator.CostedConstructs(construct).SelectMany(c => c.WorstCaseMonthlyCost).ToList();
            return Violations(construct.MaxMonthlyCostUsd.Value, propName, $"'{construct.Node.Path}'", lines, CostEstimator.StackRegion(construct), allowUnpricedRegion);
        }));
    }

    /// <summary>
    /// Fails synthesis when the worst case of everything <paramref name="members"/> returns (evaluated at
    /// validation time, across stacks) exceeds <paramref name="maxMonthlyCostUsd"/>.
    /// </summary>
    public static void EnforceAcross(IConstruct anchor, double? maxMonthlyCostUsd, string propName, string what, Func<IEnumerable<ICostedConstruct>> members) =>
        EnforceAcross(anchor, maxMonthlyCostUsd, propName, what, members, allowUnpricedRegion: false);

    /// <summary>As <see cref="EnforceAcross(IConstruct, double?, string, string, Func{IEnumerable{ICostedConstruct}})"/>, with the unpriced-region rule of <see cref="Enforce(ICostedConstruct, string, bool)"/>.</summary>
    public static void EnforceAcross(IConstruct anchor, double? maxMonthlyCostUsd, string propName, string what, Func<IEnumerable<ICostedConstruct>> members, bool allowUnpricedRegion)
    {
        Check(anchor, maxMonthlyCostUsd, propName);
        if (maxMonthlyCostUsd is not { } max) return;
        anchor.Node.AddValidation(new Validation(() =>
            Violations(max, propName, what, members().SelectMany(c => c.WorstCaseMonthlyCost).ToList(), CostEstimator.StackRegion(anchor), allowUnpricedRegion)));
    }

    /// <summary>
    /// The messages of a ceiling in the stack's own region (<paramref name="stackRegion"/>; null when not known at synth
    /// time). In a region the table does not price, the first line says so, and the ceiling refuses to pass unless
    /// <paramref name="allowUnpricedRegion"/>: the worst case would be a guess at the default region's prices.
    /// </summary>
    public static string[] Violations(double max, string propName, string what, IReadOnlyList<CostLine> lines, string? stackRegion, bool allowUnpricedRegion)
    {
        var table = PriceTable.Default;
        if (stackRegion is null || table.IsPriced(stackRegion))
            return Violations(max, propName, what, lines, table.PricedRegion(stackRegion));
        var notice = table.UnpricedRegionNotice(stackRegion)!;
        var allowProp = propName.EndsWith("MaxMonthlyCostUsd", StringComparison.Ordinal) ? propName[..^"MaxMonthlyCostUsd".Length] + "AllowUnpricedRegion" : "AllowUnpricedRegion";
        if (!allowUnpricedRegion)
            return new[]
            {
                notice + "\n" + string.Create(CultureInfo.InvariantCulture,
                    $"{propName} = {max:0.##}: the worst case of {what} cannot be checked in {stackRegion} without its prices. Add {stackRegion} to src/Contracts/Cost/prices.json with sources and dates, or set {allowProp} = true to check the ceiling against {table.DefaultRegion} prices."),
            };
        return Violations(max, propName, what, lines, table.DefaultRegion).Select(m => notice + "\n" + m).ToArray();
    }

    /// <summary>The message of a ceiling exceeded, or none.</summary>
    public static string[] Violations(double max, string propName, string what, IReadOnlyList<CostLine> lines, string region)
    {
        var total = CostLine.Total(lines);
        if (total <= max) return Array.Empty<string>();
        var ordered = lines.OrderByDescending(l => l.MonthlyUsd).ThenBy(l => l.Resource, StringComparer.Ordinal);
        var message = string.Create(CultureInfo.InvariantCulture,
            $"{propName} = {max:0.##}: the worst-case monthly cost of {what} is ${total:0.00} ({region} prices, price table {PriceTable.Default.Version}), over the ceiling by ${total - max:0.00}. ")
            + "Lower the maxima that drive it (MaxInstances, MaxConcurrency, MaxVCpus, OnDemandFallback, AllowInternetEgress, interface endpoints) or raise the ceiling. Resources:\n"
            + string.Join("\n", ordered.Select(l => "  - " + l));
        return new[] { message };
    }

    /// <summary>
    /// Writes the stack's worst-case record into its template metadata. Called by <see cref="Foundation.PlatformAspects"/>
    /// when it visits the stack at synthesis, once every construct of the app exists (the stack is visited first).
    /// </summary>
    public static void WriteRecord(Stack stack) => stack.AddMetadata(MetadataKey, Record(stack));

    /// <summary>
    /// The worst-case lines of <paramref name="stack"/>: each costed construct's capacity and the fixed-cost resources
    /// it owns in this stack, plus the fixed-cost resources no costed construct owns (a platform's dashboard for the
    /// sections of this stack). One walk of the stack's tree: every construct visited costs a call into jsii.
    /// </summary>
    public static List<CostLine> StackLines(Stack stack) => Walk(stack).Lines;

    private static (List<CostLine> Lines, List<CfnResource> Resources, List<ICostedConstruct> Costed) Walk(Stack stack)
    {
        var region = CostEstimator.PricedRegion(stack);
        var costed = new List<ICostedConstruct>();
        var owned = new Dictionary<ICostedConstruct, List<CfnResource>>();
        var orphans = new List<CfnResource>();
        var all = new List<CfnResource>();
        var pending = new Stack<(IConstruct Node, ICostedConstruct? Owner)>();
        foreach (var child in stack.Node.Children.Reverse()) pending.Push((child, null));
        while (pending.Count > 0)
        {
            var (node, owner) = pending.Pop();
            if (node is Stack) continue; // a nested stack has its own template and record
            if (node is ICostedConstruct c)
            {
                owner = c;
                costed.Add(c);
                owned[c] = new List<CfnResource>();
            }
            if (node is CfnResource resource)
            {
                all.Add(resource);
                if (owner is null) orphans.Add(resource); else owned[owner].Add(resource);
            }
            foreach (var child in node.Node.Children.Reverse()) pending.Push((child, owner));
        }
        var lines = new List<CostLine>();
        foreach (var c in costed)
        {
            lines.AddRange(c switch
            {
                Foundation.PlatformConstruct pc => pc.CapacityLines(region).Concat(CostEstimator.FixedLines(owned[c], region)),
                Foundation.ModelPlatform platform => CostEstimator.FixedLines(owned[c], region).Concat(platform.MetricLines(region)),
                _ => c.WorstCaseMonthlyCost,
            });
        }
        lines.AddRange(CostEstimator.FixedLines(orphans, region));
        return (lines, all, costed);
    }

    private static object Record(Stack stack)
    {
        var region = CostEstimator.PricedRegion(stack);
        var (lines, resources, costed) = Walk(stack);
        return new StackCostRecord(
            PriceTable.Default.Version,
            region,
            CostLine.Total(lines),
            lines.Select(l => new CostLineRecord(l.Resource, l.Type, l.Quantity, l.Unit, l.UnitPriceUsd, l.MonthlyUsd, l.Basis)).ToList(),
            CostEstimator.UsageNotes(resources, region),
            costed.Where(c => c.MaxMonthlyCostUsd is not null).Select(c => new CeilingRecord(CostEstimator.PathInStack(c), c.MaxMonthlyCostUsd!.Value)).ToList())
        {
            Region = CostEstimator.StackRegion(stack) ?? "unknown",
            RegionNotice = PriceTable.Default.UnpricedRegionNotice(CostEstimator.StackRegion(stack)) ?? "",
        }.ToMetadata();
    }

    private static void Check(IConstruct construct, double? max, string propName) =>
        Validate.Of(construct).That(max is not { } m || (!double.IsNaN(m) && m > 0),
            $"{propName} = {max}: a cost ceiling must be a positive number of USD per month; leave it unset for none.");

    private sealed class Validation(Func<string[]> validate) : DeputyBase, IValidation
    {
        public string[] Validate() => validate();
    }
}
