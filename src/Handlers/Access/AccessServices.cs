using AwsModelPlatform.Handlers.Aws;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>The access table's stores, shared by the authorizer and the admin routes.</summary>
internal static class AccessServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AccessSettings>(configuration.GetSection(AccessSettings.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => AwsClientFactory.DynamoDb(sp.GetRequiredService<AwsEnvironment>()));
        services.TryAddSingleton(sp => AwsClientFactory.Kms(sp.GetRequiredService<AwsEnvironment>()));
        services.TryAddSingleton(sp => new KeyMac(sp.GetRequiredService<Amazon.KeyManagementService.IAmazonKeyManagementService>(), Settings(sp).HmacKeyId!));
        services.TryAddSingleton(sp => new KeyStore(sp.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), Settings(sp).TableName!, sp.GetRequiredService<KeyMac>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new TeamStore(sp.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), Settings(sp).TableName!));
        services.TryAddSingleton(sp => new TeamLimiter(sp.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), Settings(sp).TableName!, sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>The bound settings; startup fails, naming the keys, when the table or the HMAC key is missing.</summary>
    public static AccessSettings Settings(IServiceProvider services)
    {
        var settings = services.GetRequiredService<IOptions<AccessSettings>>().Value;
        var missing = new[] { (nameof(AccessSettings.TableName), settings.TableName), (nameof(AccessSettings.HmacKeyId), settings.HmacKeyId) }
            .Where(s => string.IsNullOrWhiteSpace(s.Item2)).Select(s => SettingsEnvironment.Path(AccessSettings.Section, s.Item1)).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"API keys need {string.Join(" and ", missing)}: the access table and the KMS HMAC key (the constructs set both).");
        if (settings.KeyCacheSeconds < 0 || settings.DefaultRotationOverlapSeconds < 0)
            throw new InvalidOperationException($"{SettingsEnvironment.Path(AccessSettings.Section, nameof(AccessSettings.KeyCacheSeconds))} and {nameof(AccessSettings.DefaultRotationOverlapSeconds)} are seconds, 0 or more.");
        return settings;
    }
}
