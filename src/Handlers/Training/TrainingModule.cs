using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>The <c>training</c> route group: AWS Batch training jobs (submit, list, describe, cancel).</summary>
internal sealed class TrainingModule : IRouteGroupModule
{
    public string Name => RouteGroup.Training;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TrainingSettings>(configuration.GetSection(TrainingSettings.Section));
        services.AddSingleton<TrainingCatalog>();
        // No HttpClient timeout: the BatchGateway's pipeline owns the deadline (a TimeoutRejectedException maps to 504).
        services.AddSingleton(sp => new BatchClient(AwsClientFactory.BatchHttpClient(sp.GetRequiredService<AwsEnvironment>())));
        services.AddSingleton(sp => AwsClientFactory.Kms(sp.GetRequiredService<AwsEnvironment>()));
        services.TryAddSingleton(sp => AwsClientFactory.S3(sp.GetRequiredService<AwsEnvironment>())); // shared with inference when both are mapped
        services.AddSingleton<TrainingSecrets>();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<TrainingService>();
        // Priced where the function runs (AWS_REGION), from the table compiled into it: resolved on the first submit or describe.
        services.AddSingleton(sp => new JobCostEstimator(sp.GetRequiredService<TrainingCatalog>(), PriceTable.Default,
            sp.GetRequiredService<AwsEnvironment>().RegionName, sp.GetRequiredService<TimeProvider>()));
    }

    public void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        // Fail at startup, not on the first request, when the training configuration is incomplete.
        _ = app.ServiceProvider.GetRequiredService<TrainingCatalog>();
        _ = app.ServiceProvider.GetRequiredService<AwsEnvironment>();
        TrainingEndpoints.Map(app, routes);
    }
}
