using Amazon.CDK.AWS.Logs;

namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>Secure defaults for CloudWatch log groups: encrypted with the platform key, bounded retention, retained on stack removal.</summary>
internal static class LogGroupDefaults
{
    /// <summary>The platform's default retention: one year, long enough for an incident review and an annual audit, short enough to bound the bill.</summary>
    public const RetentionDays Retention = RetentionDays.ONE_YEAR;

    /// <summary>
    /// Refuses <see cref="RetentionDays.INFINITE"/>: retention is always bounded on this platform. Every other member of
    /// the enum is a value CloudWatch Logs accepts.
    /// </summary>
    public static void CheckRetention(ConstructChecks check, RetentionDays retention, string prop) =>
        check.That(retention != RetentionDays.INFINITE && Enum.IsDefined(retention),
            $"{prop} = {retention} is not a bounded retention: logs on this platform always expire; use a RetentionDays such as ONE_YEAR or TEN_YEARS.");

    /// <summary>Creates a log group encrypted with <paramref name="key"/>, expiring after <paramref name="retention"/>.</summary>
    /// <param name="scope">Scope of the log group.</param>
    /// <param name="id">Id of the log group.</param>
    /// <param name="key">The key the group is encrypted with (its policy is extended for CloudWatch Logs).</param>
    /// <param name="retention">Retention, checked bounded by <see cref="CheckRetention"/>.</param>
    /// <param name="removalPolicy">What happens to the group when it leaves the stack.</param>
    /// <param name="logGroupName">
    /// The group's name when a service writes to a name of its own choosing (API Gateway execution logs, SageMaker
    /// endpoint logs): creating it first, under that name, is the only way to have it encrypted and expiring.
    /// Default: a generated name.
    /// </param>
    public static LogGroup Create(Construct scope, string id, IPlatformKey key, RetentionDays retention, RemovalPolicy removalPolicy, string? logGroupName = null)
    {
        key.AllowCloudWatchLogs();
        return new LogGroup(scope, id, new LogGroupProps
        {
            LogGroupName = logGroupName,
            EncryptionKey = key.Key,
            Retention = retention,
            RemovalPolicy = removalPolicy,
        });
    }
}
