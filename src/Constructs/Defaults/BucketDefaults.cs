using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;

namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>
/// Secure defaults for S3 buckets: KMS with the platform key (bucket key on, to cut KMS request cost), public
/// access blocked, TLS 1.2+ only, versioned, ACLs disabled, server access logs to the platform's log bucket,
/// retained on stack removal. Callers add lifecycle rules on top (noncurrent versions of what is rewritten often). A
/// <c>bucketName</c> fixed at synth time lets the platform's access-log bucket (possibly in another stack) name the
/// bucket without referencing it, which would be a cycle.
/// </summary>
internal static class BucketDefaults
{
    public static Bucket Create(Construct scope, string id, IPlatformKey key, IAccessLogsBucket accessLogs, string logPrefix,
        RemovalPolicy removalPolicy, ILifecycleRule[]? lifecycleRules = null, string? bucketName = null)
    {
        var bucket = new Bucket(scope, id, new BucketProps
        {
            BucketName = bucketName,
            Encryption = BucketEncryption.KMS,
            EncryptionKey = key.Key,
            BucketKeyEnabled = true,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            EnforceSSL = true,
            MinimumTLSVersion = 1.2,
            Versioned = true,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            RemovalPolicy = removalPolicy,
            LifecycleRules = lifecycleRules,
        });
        accessLogs.LogAccessTo(bucket, logPrefix);
        SuppressReplication(bucket);
        return bucket;
    }

    /// <summary>
    /// Cross-region replication is a decision about a second region (its bucket, key and bill), not a default: every
    /// platform bucket is versioned, which replication requires, so an app adds a replication configuration where it
    /// wants one (S3 User Guide, replication requirements: https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html).
    /// </summary>
    public static void SuppressReplication(Bucket bucket) =>
        Suppressions.AddCompliance(bucket, "S3BucketReplicationEnabled",
            "Cross-region replication is a choice, not a default: it needs a bucket and a key in a second region and doubles the storage bill. The bucket is versioned, " +
            "as replication requires (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html); add a replication configuration where the data must survive a region.");

    /// <summary>
    /// Server access logs are written with the bucket policy of the log bucket, never with ACLs, whatever the
    /// app's feature flags say: the log bucket keeps ACLs disabled. A source in another stack is admitted by
    /// its name prefix instead (see <see cref="IAccessLogsBucket.LogAccessTo"/>).
    /// </summary>
    public static void EnableAccessLogs(Bucket source, IBucket target, string prefix)
    {
        ((CfnBucket)source.Node.DefaultChild!).LoggingConfiguration = new CfnBucket.LoggingConfigurationProperty
        {
            DestinationBucketName = target.BucketName,
            LogFilePrefix = prefix,
        };
        if (Stack.Of(source) == Stack.Of(target))
            AllowAccessLogs(target, source.BucketArn, "S3ServerAccessLogs" + Names.UniqueId(source));
    }

    public static void AllowAccessLogs(IBucket target, string sourceArnPattern, string sid) =>
        target.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = sid,
            Principals = new IPrincipal[] { new ServicePrincipal("logging.s3.amazonaws.com") },
            Actions = new[] { "s3:PutObject" },
            Resources = new[] { target.ArnForObjects("*") },
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = sourceArnPattern },
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Stack.Of(target).Account },
            },
        }));
}
