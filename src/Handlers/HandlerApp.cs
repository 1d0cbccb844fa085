using AwsModelPlatform.Handlers.Access;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using AwsModelPlatform.Handlers.Training;

namespace AwsModelPlatform.Handlers;

/// <summary>The handler: hosting, the route groups of <c>Api:RouteGroups</c>, and exactly the routes its configuration serves.</summary>
public static class HandlerApp
{
    /// <summary>Builds the app on <paramref name="builder"/> (its configuration sources already set); fails on a configuration it cannot serve.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddHandlerHosting();
        var groups = RouteGroups.Select(builder.Configuration, new InferenceModule(), new TrainingModule(), new AuthorizerModule(), new AccessAdminModule());
        foreach (var group in groups) group.AddServices(builder.Services, builder.Configuration);

        var app = builder.Build();
        app.UseMiddleware<RequestPipelineMiddleware>();
        var routes = ServedRoutes.For(app, groups);
        if (routes.Contains(Routes.Health))
            app.MapGet(Routes.Health.Path, () => TypedResults.Json(new Health("ok"), HandlerJsonContext.Default.Health)).Named(Routes.Health).WithTags("Health");
        if (routes.Contains(Routes.OpenApiDocument)) app.MapOpenApi(Routes.OpenApiDocument.Path);
        foreach (var group in groups) group.Map(app, routes);
        routes.EnsureMapped(app);
        return app;
    }
}
