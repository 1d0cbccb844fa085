using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>
/// The routes of the contract's table (<see cref="Routes"/>) this process serves: those of its route groups, of its
/// function's invoke mode (<see cref="WebAdapter.InvokeModeVariable"/>; both without one), whose needs its
/// configuration meets. The modules map exactly these, and <see cref="EnsureMapped"/> fails startup on any difference:
/// API Gateway creates its methods from the same table, so a route the handler lacks would answer 404 and one API
/// Gateway lacks would never be reached.
/// </summary>
internal sealed class ServedRoutes
{
    private readonly HashSet<ApiRoute> _routes;

    private ServedRoutes(IReadOnlyList<ApiRoute> routes) => _routes = routes.ToHashSet();

    /// <summary>The routes of <paramref name="groups"/> for <paramref name="app"/>'s configuration.</summary>
    public static ServedRoutes For(WebApplication app, IEnumerable<IRouteGroupModule> groups)
    {
        var transfer = WebAdapter.TransferOf(app.Configuration[WebAdapter.InvokeModeVariable]);
        var inference = app.Services.GetService<IOptions<InferenceSettings>>()?.Value;
        var access = app.Services.GetService<IOptions<AccessSettings>>()?.Value;
        return new ServedRoutes(Routes.Served(groups.Select(g => g.Name), transfer, inference, access));
    }

    /// <summary>Whether this process serves <paramref name="route"/>.</summary>
    public bool Contains(ApiRoute route) => _routes.Contains(route);

    /// <summary>Fails startup unless the endpoints mapped are exactly these routes.</summary>
    public void EnsureMapped(IEndpointRouteBuilder app)
    {
        var mapped = app.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet(StringComparer.Ordinal);
        var wanted = _routes.Select(r => r.ToString()).ToHashSet(StringComparer.Ordinal);
        var missing = wanted.Except(mapped).Order(StringComparer.Ordinal).ToList();
        var extra = mapped.Except(wanted).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new InvalidOperationException("The handler's endpoints differ from the contract's route table for this configuration: "
                + (missing.Count > 0 ? $"not mapped: {string.Join(", ", missing)}" : "")
                + (missing.Count > 0 && extra.Count > 0 ? "; " : "")
                + (extra.Count > 0 ? $"mapped, not in the table: {string.Join(", ", extra)}" : "") + ".");
    }
}

/// <summary>Endpoint metadata from the route table.</summary>
internal static class RouteHandlerBuilderExtensions
{
    /// <summary>The route's operation id as the endpoint's name.</summary>
    public static RouteHandlerBuilder Named(this RouteHandlerBuilder builder, ApiRoute route) => builder.WithName(route.Operation);
}
