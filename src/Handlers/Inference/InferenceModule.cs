using AwsModelPlatform.Handlers.Access;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>
/// The <c>inference</c> route group: real-time, streaming and async SageMaker invocations and the OpenAI routes, with team
/// access (<see cref="ModelAccess"/>, a service of the Access layer) when <c>Access:TableName</c> is set.
/// </summary>
internal sealed class InferenceModule : IRouteGroupModule
{
    public string Name => RouteGroup.Inference;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<InferenceSettings>(configuration.GetSection(InferenceSettings.Section));
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<InvocationResilience>();
        services.AddSingleton(sp => new SageMakerRuntimeClient(AwsClientFactory.SageMakerRuntimeHttpClient(sp.GetRequiredService<AwsEnvironment>())));
        services.AddSingleton(sp => AwsClientFactory.S3(sp.GetRequiredService<AwsEnvironment>()));
        services.AddSingleton<AsyncInvocationStore>();
        services.AddSingleton(sp => new SageMakerClient(AwsClientFactory.SageMakerHttpClient(sp.GetRequiredService<AwsEnvironment>())));
        services.AddSingleton<ModelWaker>();
        services.AddSingleton<ModelCalls>();
        AccessServices.AddTeamAccess(services, configuration);
    }

    public void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        // Fail at startup, not on the first request, when a model is misconfigured.
        _ = app.ServiceProvider.GetRequiredService<ModelCatalog>();
        _ = app.ServiceProvider.GetRequiredService<AwsEnvironment>();
        var access = app.ServiceProvider.GetRequiredService<ModelAccess>();
        if (access.Enabled)
        {
            AccessServices.CheckCallerTeams(app.ServiceProvider.GetRequiredService<IOptions<AccessSettings>>().Value);
            _ = app.ServiceProvider.GetRequiredService<TeamLimiter>();
        }
        InvocationEndpoints.Map(app, routes);
        AsyncInvocationEndpoints.Map(app, routes);
        OpenAiEndpoints.Map(app, routes);
        UsageEndpoints.Map(app, routes);
    }
}
