using Amazon.CDK.AWS.Logs;

namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>Secure defaults for CloudWatch log groups: encrypted with the platform key, bounded retention, retained on stack removal.</summary>
internal static class LogGroupDefaults
{
    public static LogGroup Create(Construct scope, string id, IPlatformKey key, int retentionDays, RemovalPolicy removalPolicy)
    {
        key.AllowCloudWatchLogs();
        var logGroup = new LogGroup(scope, id, new LogGroupProps
        {
            EncryptionKey = key.Key,
            RemovalPolicy = removalPolicy,
        });
        // The L2 takes an enum; the platform takes days (validated against CloudWatch's list) and writes them here.
        ((CfnLogGroup)logGroup.Node.DefaultChild!).RetentionInDays = retentionDays;
        return logGroup;
    }
}
