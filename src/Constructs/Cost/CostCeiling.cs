using System.Globalization;
using Amazon.CDK;
using Amazon.JSII.Runtime.Deputy;
using Constructs;

namespace AwsModelPlatform.Constructs.Cost;

/// <summary>
/// The synth-time cost ceiling: a validation that fails synthesis when a worst case exceeds its
/// <c>MaxMonthlyCostUsd</c>, naming every resource and its cost; and the worst-case record each stack's template
/// carries (template metadata <see cref="MetadataKey"/>) for the cost reports.
/// </summary>
public static class CostCeiling
{
    /// <summary>Template-level metadata key of the stack's worst-case record.</summary>
    public const string MetadataKey = "AwsModelPlatform:WorstCaseMonthlyCost";

    /// <summary>
    /// Fails synthesis when the worst case of <paramref name="construct"/> (its own lines and those of the costed
    /// constructs nested in it) exceeds <see cref="ICostedConstruct.MaxMonthlyCostUsd"/>. Validations run after every
    /// construct of the app exists, so lines added after the constructor (alarms, dashboards) count.
    /// </summary>
    /// <param name="construct">The construct.</param>
    /// <param name="propName">The prop that set the ceiling, for the message (e.g. <c>TrainingJobsProps.MaxMonthlyCostUsd</c>).</param>
    public static void Enforce(ICostedConstruct construct, string propName)
    {
        Check(construct.MaxMonthlyCostUsd, propName);
        RecordInTemplate(Stack.Of(construct));
        if (construct.MaxMonthlyCostUsd is null) return;
        construct.Node.AddValidation(new Validation(() =>
        {
            var lines = CostEstimator.CostedConstructs(construct).SelectMany(c => c.WorstCaseMonthlyCost).ToList();
            return Violations(construct.MaxMonthlyCostUsd.Value, propName, $"'{construct.Node.Path}'", lines, CostEstimator.PricedRegion(construct));
        }));
    }

    /// <summary>
    /// Fails synthesis when the worst case of everything <paramref name="members"/> returns (evaluated at
    /// validation time, across stacks) exceeds <paramref name="maxMonthlyCostUsd"/>.
    /// </summary>
    public static void EnforceAcross(IConstruct anchor, double? maxMonthlyCostUsd, string propName, string what, Func<IEnumerable<ICostedConstruct>> members)
    {
        Check(maxMonthlyCostUsd, propName);
        if (maxMonthlyCostUsd is not { } max) return;
        anchor.Node.AddValidation(new Validation(() =>
            Violations(max, propName, what, members().SelectMany(c => c.WorstCaseMonthlyCost).ToList(), CostEstimator.PricedRegion(anchor))));
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

    /// <summary>Writes, once per stack, the stack's worst-case record into its template metadata (at synthesis, when every construct exists).</summary>
    public static void RecordInTemplate(Stack stack)
    {
        if (stack.Node.TryFindChild(MarkerId) is not null) return;
        _ = new Construct(stack, MarkerId);
        Aspects.Of(stack).Add(new RecordAspect(stack));
    }

    /// <summary>The worst-case lines of <paramref name="stack"/>: every costed construct's, plus the fixed-cost resources no costed construct owns.</summary>
    public static List<CostLine> StackLines(Stack stack)
    {
        var costed = stack.Node.FindAll(ConstructOrder.PREORDER).OfType<ICostedConstruct>().Where(c => Stack.Of(c) == stack).ToList();
        var owned = new HashSet<string>(costed.SelectMany(c => CostEstimator.OwnResources(c)).Select(r => r.Node.Path), StringComparer.Ordinal);
        var here = stack.Node.FindAll(ConstructOrder.PREORDER).Where(c => Stack.Of(c) == stack).ToList();
        var pathsHere = new HashSet<string>(here.Select(CostEstimator.PathInStack), StringComparer.Ordinal);
        // A platform also reports resources it placed in other stacks (its per-stack dashboards): those belong to the records of their own stacks.
        var lines = costed.SelectMany(c => c.WorstCaseMonthlyCost).Where(l => pathsHere.Contains(l.Resource));
        var orphans = here.OfType<CfnResource>().Where(r => !owned.Contains(r.Node.Path));
        return lines.Concat(CostEstimator.FixedLines(orphans, CostEstimator.PricedRegion(stack))).ToList();
    }

    private const string MarkerId = "AwsModelPlatformCostRecord";

    private static object Record(Stack stack)
    {
        var region = CostEstimator.PricedRegion(stack);
        var lines = StackLines(stack);
        var costed = stack.Node.FindAll(ConstructOrder.PREORDER).OfType<ICostedConstruct>().Where(c => Stack.Of(c) == stack).ToList();
        var resources = stack.Node.FindAll(ConstructOrder.PREORDER).OfType<CfnResource>().Where(r => Stack.Of(r) == stack);
        // Numbers are written as invariant strings: cfn-lint (E4002) accepts no floating-point values in a template's Metadata section.
        static string N(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        return new Dictionary<string, object>
        {
            ["priceTableVersion"] = PriceTable.Default.Version,
            ["pricedRegion"] = region,
            ["totalMonthlyUsd"] = N(CostLine.Total(lines), "0.00"),
            ["lines"] = lines.Select(l => (object)new Dictionary<string, object>
            {
                ["resource"] = l.Resource,
                ["type"] = l.Type,
                ["quantity"] = N(l.Quantity, "0.######"),
                ["unit"] = l.Unit,
                ["unitPriceUsd"] = N(l.UnitPriceUsd, "0.#########"),
                ["monthlyUsd"] = N(l.MonthlyUsd, "0.0000"),
                ["basis"] = l.Basis,
            }).ToArray(),
            ["usageBased"] = CostEstimator.UsageNotes(resources, region).Cast<object>().ToArray(),
            ["ceilings"] = costed.Where(c => c.MaxMonthlyCostUsd is not null).Select(c => (object)new Dictionary<string, object>
            {
                ["construct"] = CostEstimator.PathInStack(c),
                ["maxMonthlyUsd"] = N(c.MaxMonthlyCostUsd!.Value, "0.##"),
            }).ToArray(),
        };
    }

    private static void Check(double? max, string propName)
    {
        if (max is { } m && (double.IsNaN(m) || m <= 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{propName} = {m}: a cost ceiling must be a positive number of USD per month; leave it unset for none."));
    }

    private sealed class Validation(Func<string[]> validate) : DeputyBase, IValidation
    {
        public string[] Validate() => validate();
    }

    // Aspects run at synthesis, once every construct of the app exists; the stack is visited before its children.
    // (A Lazy token would be neater, but jsii cannot pass a .NET-implemented token back as an 'any' value.)
    private sealed class RecordAspect(Stack stack) : DeputyBase, IAspect
    {
        private bool _done;

        public void Visit(IConstruct node)
        {
            if (_done || node is not Stack visited || visited.Node.Path != stack.Node.Path) return;
            _done = true;
            stack.AddMetadata(MetadataKey, Record(stack));
        }
    }
}
