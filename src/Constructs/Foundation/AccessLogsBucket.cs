using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Defaults;
using Constructs;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>The bucket that receives the S3 server access logs of every platform bucket.</summary>
public interface IAccessLogsBucket
{
    /// <summary>The log bucket.</summary>
    IBucket Bucket { get; }

    /// <summary>Turns on server access logging of <paramref name="source"/> into this bucket under <paramref name="prefix"/>.</summary>
    void LogAccessTo(Bucket source, string prefix);
}

/// <summary>Properties of <see cref="AccessLogsBucket"/>.</summary>
public sealed record AccessLogsBucketProps
{
    /// <summary>Days an access-log object is kept.</summary>
    /// <remarks>Default: 365, to cover an annual audit; older logs expire so the bucket does not grow forever.</remarks>
    public int ExpireAfterDays { get; init; } = 365;

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
    /// <inheritdoc />
    public IBucket Bucket { get; }

    /// <summary>Creates the bucket.</summary>
    public AccessLogsBucket(Construct scope, string id, AccessLogsBucketProps? props = null) : base(scope, id)
    {
        props ??= new AccessLogsBucketProps();
        Validate.InRange(props.ExpireAfterDays, 1, 36500, "AccessLogsBucketProps.ExpireAfterDays", "access logs must expire");

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
                    Expiration = Duration.Days(props.ExpireAfterDays),
                    NoncurrentVersionExpiration = Duration.Days(30),
                    AbortIncompleteMultipartUploadAfter = Duration.Days(7),
                },
            },
        });
    }

    /// <inheritdoc />
    public void LogAccessTo(Bucket source, string prefix) => BucketDefaults.EnableAccessLogs(source, Bucket, prefix);
}
