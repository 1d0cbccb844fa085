using Amazon.CDK.AWS.S3;
using Amazon.JSII.Runtime.Deputy;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>The bucket that receives the S3 server access logs of every platform bucket.</summary>
public interface IAccessLogsBucket
{
    /// <summary>The log bucket.</summary>
    IBucket Bucket { get; }

    /// <summary>
    /// Turns on server access logging of <paramref name="source"/> into this bucket under <paramref name="prefix"/>.
    /// A source in the log bucket's stack is admitted by its ARN; one in another stack must be named with the
    /// platform's prefix (<see cref="PlatformNames.Bucket"/>), which the platform admits as a whole.
    /// </summary>
    void LogAccessTo(Bucket source, string prefix);

    /// <summary>Admits the access logs of every bucket of this account whose name starts with <paramref name="bucketNamePrefix"/>.</summary>
    void AllowLogsFromBucketsNamed(string bucketNamePrefix);
}

/// <summary>Properties of <see cref="AccessLogsBucket"/>.</summary>
public sealed record AccessLogsBucketProps
{
    /// <summary>How long an access-log object is kept (whole days).</summary>
    /// <remarks>Default: <c>Duration.Days(365)</c>, to cover an annual audit; older logs expire so the bucket does not grow forever.</remarks>
    public Duration ExpireAfter { get; init; } = Duration.Days(365);

    /// <summary>What happens to the bucket when it leaves the stack.</summary>
    /// <remarks>Default: <see cref="RemovalPolicy.RETAIN"/>: access logs are audit evidence.</remarks>
    public RemovalPolicy RemovalPolicy { get; init; } = RemovalPolicy.RETAIN;
}

/// <summary>
/// The platform's S3 access-log bucket: public access blocked, TLS-only, versioned, ACLs disabled, expiring.
/// It is encrypted with S3-managed keys because S3 server access logging cannot deliver to an SSE-KMS bucket.
/// </summary>
public sealed class AccessLogsBucket : Construct, IAccessLogsBucket
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private ConstructChecks Check => Validate.Of(this);

    private bool _receivesLogsOfItsStack;

    /// <inheritdoc />
    public IBucket Bucket { get; }

    /// <summary>Creates the bucket.</summary>
    public AccessLogsBucket(Construct scope, string id, AccessLogsBucketProps? props = null) : base(scope, id)
    {
        props ??= new AccessLogsBucketProps();
        var expireDays = Check.WholeDays(props.ExpireAfter, 1, 36500, "AccessLogsBucketProps.ExpireAfter", "access logs must expire, after whole days");

        Bucket = new Bucket(this, "Bucket", new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            EnforceSSL = true,
            MinimumTLSVersion = 1.2,
            Versioned = true,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            RemovalPolicy = props.RemovalPolicy,
            LifecycleRules = new ILifecycleRule[]
            {
                new LifecycleRule
                {
                    Id = "ExpireAccessLogs",
                    Expiration = Duration.Days(expireDays),
                    NoncurrentVersionExpiration = Duration.Days(30),
                    AbortIncompleteMultipartUploadAfter = Duration.Days(7),
                },
            },
        });
        BucketDefaults.SuppressReplication((Bucket)Bucket);
        Suppressions.AddCompliance(Bucket, "S3DefaultEncryptionKMS",
            "The destination of S3 server access logs uses S3-managed keys (SSE-S3), the destination encryption S3's log delivery supports without a key policy " +
            "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html); it holds request records, not the platform's data, " +
            "which stays in SSE-KMS buckets under the platform key.");
        Aspects.Of(this).Add(new OwnAccessLogsExemption(this));
    }

    /// <inheritdoc />
    public void LogAccessTo(Bucket source, string prefix)
    {
        if (Stack.Of(source) == Stack.Of(this)) _receivesLogsOfItsStack = true;
        BucketDefaults.EnableAccessLogs(source, Bucket, prefix);
    }

    /// <inheritdoc />
    public void AllowLogsFromBucketsNamed(string bucketNamePrefix) =>
        BucketDefaults.AllowAccessLogs(Bucket, $"arn:{Stack.Of(this).Partition}:s3:::{bucketNamePrefix}*", "S3ServerAccessLogsNamed" + new string(bucketNamePrefix.Where(char.IsLetterOrDigit).ToArray()));

    /// <summary>
    /// cdk-nag counts a bucket that receives another bucket's access logs in its own stack as logged. When none does
    /// (the platform alone in its stack with an organization trail, its buckets in workload stacks that log by name),
    /// the log bucket's own finding is exempted, once every construct of the app exists: its accesses would have to be
    /// logged into itself, writing a log object for every log object delivered.
    /// </summary>
    private sealed class OwnAccessLogsExemption(AccessLogsBucket owner) : DeputyBase, IAspect
    {
        public void Visit(IConstruct node)
        {
            if (node != owner.Bucket.Node.DefaultChild || owner._receivesLogsOfItsStack) return;
            const string reason = "This is the destination of the platform's S3 server access logs (the other platform buckets log here from their own stacks); " +
                                  "logging its own accesses into itself would write a log object for every log object delivered.";
            Suppressions.Add(node, "AwsSolutions-S1", reason);
            Suppressions.AddCompliance(node, "S3BucketLoggingEnabled", reason);
        }
    }
}
