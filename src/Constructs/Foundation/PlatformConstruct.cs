using AwsModelPlatform.Constructs.Cost;
using Constructs;

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
}

/// <summary>
/// Base of the platform's workload constructs (endpoints, APIs, training): resolves the platform, or creates
/// a private one when none is given, tags the construct's resources and applies the platform's aspects.
/// </summary>
public abstract class PlatformConstruct : Construct
{
    /// <summary>The platform the construct runs on: the one given, or its own.</summary>
    public IModelPlatform Platform { get; }

    /// <summary>Resolves the platform and tags everything below this construct with <paramref name="component"/>.</summary>
    protected PlatformConstruct(Construct scope, string id, PlatformConstructProps props, string component) : base(scope, id)
    {
        if (props.Platform is not null && props.StandaloneOptions is not null)
            throw new ArgumentException($"{GetType().Name} '{id}': StandaloneOptions configure the platform the construct creates when Platform is not given; set only one of them.");
        Platform = props.Platform ?? new ModelPlatform(this, "Platform", props.StandaloneOptions);
        CostTags.Apply(this, Platform, component);
        PlatformAspects.ApplyOnce(this);
    }
}
