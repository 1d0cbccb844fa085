using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>The <c>inference</c> route group: real-time, streaming and async SageMaker invocations and the OpenAI routes.</summary>
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
    }

    public void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        // Fail at startup, not on the first request, when a model is misconfigured.
        _ = app.ServiceProvider.GetRequiredService<ModelCatalog>();
        _ = app.ServiceProvider.GetRequiredService<AwsEnvironment>();
        InvocationEndpoints.Map(app, routes);
        AsyncInvocationEndpoints.Map(app, routes);
        OpenAiEndpoints.Map(app, routes);
    }
}
