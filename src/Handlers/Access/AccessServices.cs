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

    /// <summary>
    /// Team access on the model routes (<see cref="ModelAccess"/>): the team store and limiter when <c>Access:TableName</c>
    /// is set; the HMAC key is not needed (the authorizer checks keys).
    /// </summary>
    public static void AddTeamAccess(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AccessSettings>(configuration.GetSection(AccessSettings.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => AwsClientFactory.DynamoDb(sp.GetRequiredService<AwsEnvironment>()));
        services.TryAddSingleton(sp => new TeamStore(sp.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), TableName(sp)));
        services.TryAddSingleton(sp => new TeamLimiter(sp.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), TableName(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<BusyTime>();
        services.TryAddSingleton<ModelAccess>();
    }

    /// <summary>The access table's name; startup fails when a caller entry is incomplete.</summary>
    private static string TableName(IServiceProvider services)
    {
        var settings = services.GetRequiredService<IOptions<AccessSettings>>().Value;
        return settings.TableName ?? throw new InvalidOperationException($"{SettingsEnvironment.Path(AccessSettings.Section, nameof(AccessSettings.TableName))} is not set.");
    }

    /// <summary>
    /// Checks <c>Access:CallerTeams</c>: every entry names a caller (an IAM ARN or <c>cognito-group:name</c>) and a valid team.
    /// </summary>
    public static void CheckCallerTeams(AccessSettings settings)
    {
        for (var i = 0; i < settings.CallerTeams.Count; i++)
        {
            var entry = settings.CallerTeams[i];
            var path = SettingsEnvironment.Path(AccessSettings.Section, nameof(AccessSettings.CallerTeams), i);
            if (entry.Caller is not { Length: > 0 } caller || !(caller.StartsWith("arn:", StringComparison.Ordinal) || caller.StartsWith(TeamCaller.CognitoGroupPrefix, StringComparison.Ordinal)))
                throw new InvalidOperationException($"{path}:Caller is '{entry.Caller}': give an IAM role or user ARN, or a Cognito group as {TeamCaller.CognitoGroupPrefix}name.");
            if (!TeamLimits.IsValidName(entry.Team))
                throw new InvalidOperationException($"{path}:Team is '{entry.Team}': a team name is 1 to 64 letters, digits, '-', '_' or '.'.");
        }
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
