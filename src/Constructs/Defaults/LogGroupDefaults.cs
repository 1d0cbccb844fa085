using Amazon.CDK.AWS.Logs;

namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>Secure defaults for CloudWatch log groups: encrypted with the platform key, bounded retention, retained on stack removal.</summary>
internal static class LogGroupDefaults
{
    /// <summary>Creates a log group encrypted with <paramref name="key"/>, expiring after <paramref name="retentionDays"/>.</summary>
    /// <param name="scope">Scope of the log group.</param>
    /// <param name="id">Id of the log group.</param>
    /// <param name="key">The key the group is encrypted with (its policy is extended for CloudWatch Logs).</param>
    /// <param name="retentionDays">Retention, a value CloudWatch Logs accepts.</param>
    /// <param name="removalPolicy">What happens to the group when it leaves the stack.</param>
    /// <param name="logGroupName">
    /// The group's name when a service writes to a name of its own choosing (API Gateway execution logs, SageMaker
    /// endpoint logs): creating it first, under that name, is the only way to have it encrypted and expiring.
    /// Default: a generated name.
    /// </param>
    public static LogGroup Create(Construct scope, string id, IPlatformKey key, int retentionDays, RemovalPolicy removalPolicy, string? logGroupName = null)
    {
        key.AllowCloudWatchLogs();
        var logGroup = new LogGroup(scope, id, new LogGroupProps
        {
            LogGroupName = logGroupName,
            EncryptionKey = key.Key,
            RemovalPolicy = removalPolicy,
        });
        // The L2 takes an enum; the platform takes days (validated against CloudWatch's list) and writes them here.
        ((CfnLogGroup)logGroup.Node.DefaultChild!).RetentionInDays = retentionDays;
        return logGroup;
    }
}
