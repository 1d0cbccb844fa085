using System.Text.RegularExpressions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// The bucket of an inference API's wake markers: one empty object per model and window, written with a conditional
/// put (<c>If-None-Match: *</c>) so that of all function instances that see a model without capacity, only the one whose
/// put succeeds calls <c>UpdateInferenceComponentRuntimeConfig</c>
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html). A bucket of its own, with the
/// platform's defaults (<see cref="BucketDefaults"/>: the platform key, TLS only, public access blocked, versioned,
/// access-logged), whose markers expire: a marker matters for <see cref="WakeSettings.MarkerSeconds"/>, S3 expires whole days.
/// </summary>
internal sealed class WakeMarkerBucket : Construct
{
    /// <summary>The bucket.</summary>
    public Bucket Bucket { get; }

    /// <summary>The folder the markers lie under (<see cref="WakeSettings.MarkerFolder"/>), ending in <c>/</c>.</summary>
    public string Folder { get; }

    private readonly IModelPlatform _platform;

    public WakeMarkerBucket(Construct scope, string id, IModelPlatform platform, WakeSettings wake) : base(scope, id)
    {
        _platform = platform;
        Folder = wake.MarkerFolder();
        Bucket = BucketDefaults.Create(this, "Bucket", platform.Key, platform.AccessLogs, "inference/wake-markers/", platform.RemovalPolicy,
            new ILifecycleRule[]
            {
                new LifecycleRule
                {
                    Id = "ExpireWakeMarkers",
                    Expiration = Duration.Days(1),
                    NoncurrentVersionExpiration = Duration.Days(1),
                },
                // An expired marker leaves a delete marker in the versioned bucket: removed once nothing is under it.
                new LifecycleRule { Id = "RemoveExpiredDeleteMarkers", ExpiredObjectDeleteMarker = true },
            }, PlatformNames.Bucket(platform, this, "wake"));
    }

    /// <summary>
    /// Lets <paramref name="grantee"/> write markers, and nothing else: <c>s3:PutObject</c> under <see cref="Folder"/>
    /// (the conditional put needs no other action: AWS's own examples of conditional writes grant only
    /// <c>s3:PutObject</c>, https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html; the
    /// handler never reads a marker), and the platform key only through S3 and only under this bucket's encryption
    /// context: with an S3 Bucket Key, S3 asks KMS with the bucket's ARN as <c>aws:s3:arn</c>
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
    /// </summary>
    public Grant GrantWrite(IGrantable grantee)
    {
        var stack = Stack.Of(this);
        var key = KmsConditions.ThroughS3(stack);
        key["StringEquals"] = new Dictionary<string, object>((IDictionary<string, object>)key["StringEquals"])
        {
            ["kms:EncryptionContext:aws:s3:arn"] = Bucket.BucketArn,
        };
        return Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = new[] { "s3:PutObject" },
            ResourceArns = new[] { Bucket.ArnForObjects(Folder + "*") },
        }).Combine(Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = new[] { "kms:GenerateDataKey", "kms:Decrypt" },
            ResourceArns = new[] { _platform.Key.Key.KeyArn },
            Conditions = key.ToDictionary(c => c.Key, c => (IDictionary<string, object>)c.Value),
        }));
    }

    /// <summary>The one wildcard of <see cref="GrantWrite"/>: marker keys are named by model and window at run time.</summary>
    public void SuppressMarkerWildcard(Amazon.CDK.AWS.IAM.Policy policy) =>
        Suppressions.Add(policy, "AwsSolutions-IAM5",
            $"Wake markers are named at run time by model and time window ({Folder}{{model}}/{{window}}); the grant is s3:PutObject under {Folder} of the API's own marker bucket only.",
            Suppressions.Matching($@"^Resource::<.*WakeMarkers.*Bucket[0-9A-F]{{8}}\.Arn>\/{Regex.Escape(Folder).Replace("/", "\\/")}\*$"));
}
