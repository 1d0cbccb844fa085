using AwsModelPlatform.Constructs.Cost;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>Properties every platform construct shares.</summary>
public record PlatformConstructProps
{
    /// <summary>The platform whose key, network, trail and alarm topic the construct uses.</summary>
    /// <remarks>
    /// Default: none: the construct creates its own <see cref="ModelPlatform"/> from <see cref="StandaloneOptions"/>,
    /// so a construct dropped into any stack is encrypted, isolated, audited and alarmed on its own.
    /// </remarks>
    public IModelPlatform? Platform { get; init; }

    /// <summary>Options of the platform the construct creates when <see cref="Platform"/> is not given.</summary>
    /// <remarks>Default: <see cref="ModelPlatformProps"/> defaults.</remarks>
    public ModelPlatformProps? StandaloneOptions { get; init; }

    /// <summary>
    /// Most the construct may cost in a month, in USD: synthesis fails, naming every resource and its cost, when the
    /// construct's worst case (<see cref="ICostedConstruct.WorstCaseMonthlyCost"/>, plus that of its standalone
    /// platform) exceeds it.
    /// </summary>
    /// <remarks>Default: none. The platform's own <see cref="ModelPlatformProps.MaxMonthlyCostUsd"/> caps the sum over its constructs.</remarks>
    public double? MaxMonthlyCostUsd { get; init; }

    /// <summary>
    /// Lets <see cref="MaxMonthlyCostUsd"/> be checked in a region the library's price table does not price, against
    /// the table's default region (us-east-1) prices. Without it, synthesis in such a region fails when a ceiling is
    /// set: GPU prices differ by region by tens of percent, so the check would pass on prices nobody verified.
    /// </summary>
    /// <remarks>Default: false.</remarks>
    public bool AllowUnpricedRegion { get; init; }
}

/// <summary>
/// Base of the platform's workload constructs (endpoints, APIs, training): resolves the platform, or creates
/// a private one when none is given, tags the construct's resources and applies the platform's aspects.
/// </summary>
public abstract class PlatformConstruct : Construct, ICostedConstruct
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private protected ConstructChecks Check => Validate.Of(this);

    /// <inheritdoc />
    public double? MaxMonthlyCostUsd { get; }

    /// <summary>
    /// The construct's worst-case monthly lines: <see cref="CapacityCostLines"/> (what scales with use, at its
    /// configured maximum) and every fixed-cost resource it owns (alarms, dashboards, keys, endpoints, web ACLs),
    /// priced by <see cref="CostEstimator"/>. Computed when read, so read it after the app is built.
    /// </summary>
    public IReadOnlyList<CostLine> WorstCaseMonthlyCost
    {
        get
        {
            var region = CostEstimator.PricedRegion(this);
            return CapacityCostLines(region).Concat(CostEstimator.FixedLines(CostEstimator.OwnResources(this), region)).ToList();
        }
    }

    /// <inheritdoc />
    public virtual IReadOnlyList<string> UsageBasedCosts => CostEstimator.UsageNotes(CostEstimator.OwnResources(this), CostEstimator.PricedRegion(this));

    /// <summary>
    /// Lines for what the construct runs up to a configured maximum (instances, vCPUs, concurrency) or bills without a
    /// CloudFormation resource of its own (a handler's EMF custom metrics), priced in <paramref name="region"/>.
    /// Fixed-cost resources are priced by the base class; override this only for the rest.
    /// </summary>
    protected virtual IEnumerable<CostLine> CapacityCostLines(string region) => Enumerable.Empty<CostLine>();

    internal IEnumerable<CostLine> CapacityLines(string region) => CapacityCostLines(region);

    /// <summary>The platform the construct runs on: the one given, or its own.</summary>
    public IModelPlatform Platform { get; }

    /// <summary>Resolves the platform and tags everything below this construct with <paramref name="component"/>.</summary>
    protected PlatformConstruct(Construct scope, string id, PlatformConstructProps props, string component) : base(scope, id)
    {
        Check.That(props.Platform is null || props.StandaloneOptions is null,
            $"{GetType().Name}Props: StandaloneOptions configure the platform the construct creates when Platform is not given; set only one of them.");
        Platform = props.Platform ?? new ModelPlatform(this, "Platform", props.StandaloneOptions);
        CostTags.Apply(this, Platform, component);
        PlatformAspects.ApplyOnce(this);
        MaxMonthlyCostUsd = props.MaxMonthlyCostUsd;
        CostCeiling.Enforce(this, GetType().Name + "Props.MaxMonthlyCostUsd", props.AllowUnpricedRegion);
    }
}
