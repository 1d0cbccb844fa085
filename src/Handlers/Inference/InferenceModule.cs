using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>The <c>inference</c> route group: real-time, streaming and async SageMaker invocations and the OpenAI routes.</summary>
public sealed class InferenceModule : IRouteGroupModule
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
    }

    public void Map(IEndpointRouteBuilder app)
    {
        // Fail at startup, not on the first request, when a model is misconfigured.
        _ = app.ServiceProvider.GetRequiredService<ModelCatalog>();
        _ = app.ServiceProvider.GetRequiredService<AwsEnvironment>();
        var v1 = app.MapGroup("/v1");
        InvocationEndpoints.Map(v1);
        AsyncInvocationEndpoints.Map(v1);
        OpenAiEndpoints.Map(v1);
    }
}
