namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>A feature's routes and services; <c>Api:RouteGroups</c> decides which ones a process maps.</summary>
internal interface IRouteGroupModule
{
    /// <summary>The name used in <c>Api:RouteGroups</c> (<see cref="RouteGroup.Selectable"/>).</summary>
    string Name { get; }

    void AddServices(IServiceCollection services, IConfiguration configuration);

    /// <summary>Maps the group's routes that <paramref name="routes"/> holds, and no other.</summary>
    void Map(IEndpointRouteBuilder app, ServedRoutes routes);
}

internal static class RouteGroups
{
    /// <summary>The modules named in <c>Api:RouteGroups</c> (those of <see cref="RouteGroup.Default"/> when unset); an unknown name fails startup.</summary>
    public static IReadOnlyList<IRouteGroupModule> Select(IConfiguration configuration, params IRouteGroupModule[] known)
    {
        if (ApiOptions.Bind(configuration).Groups is not { } names)
            return known.Where(m => RouteGroup.Default.Contains(m.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        var selected = new List<IRouteGroupModule>();
        foreach (var name in names)
        {
            var module = known.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOperationException($"{SettingsEnvironment.Path(ApiSettings.Section, nameof(ApiSettings.RouteGroups))} names '{name}', which is not a route group of this build; known: {string.Join(", ", known.Select(m => m.Name))}.");
            if (!selected.Contains(module)) selected.Add(module);
        }
        return selected;
    }
}
