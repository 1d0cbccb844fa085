namespace AwsModelPlatform.Contracts;

/// <summary>
/// <c>Api:*</c>: which route groups a handler process maps, and the REST API its metrics belong to. Bound by the
/// handler; the constructs write it into each function's environment (<see cref="SettingsEnvironment"/>).
/// </summary>
/// <remarks>Properties have setters, not <c>init</c>: the configuration binder's source generator binds no init-only property.</remarks>
internal sealed record ApiSettings
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Api";

    /// <summary>The API name of a process whose configuration names none (local runs, tests).</summary>
    public const string LocalName = "local";

    /// <summary>
    /// The REST API's name (the constructs write <c>{platform prefix}-{API name}</c>): the value of the <c>Api</c>
    /// dimension of every metric the handler writes, so two deployments in one account and region never share a metric.
    /// Blank: <see cref="LocalName"/>.
    /// </summary>
    public string Name { get; set; } = LocalName;

    /// <summary>The route groups to map (<see cref="RouteGroup"/>), comma-separated; an unknown name fails startup. Unset: every group of the build.</summary>
    public string? RouteGroups { get; set; }

    /// <summary>The groups of <see cref="RouteGroups"/>, or null for every group.</summary>
    public IReadOnlyList<string>? Groups => string.IsNullOrWhiteSpace(RouteGroups)
        ? null
        : RouteGroups.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary><see cref="Name"/>, or <see cref="LocalName"/> when it is blank.</summary>
    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? LocalName : Name.Trim();
}
