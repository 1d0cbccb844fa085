using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>The platform's customer-managed KMS key and the service grants on it.</summary>
public interface IPlatformKey
{
    /// <summary>The KMS key every platform resource is encrypted with.</summary>
    IKey Key { get; }

    /// <summary>
    /// Lets CloudTrail encrypt the log files of exactly this trail (encryption-context and source-ARN conditions), and
    /// decrypt for it: the platform's buckets use an S3 Bucket Key, with which CloudTrail needs <c>kms:Decrypt</c> to
    /// create or update the trail.
    /// </summary>
    void AllowCloudTrail(string trailArn);

    /// <summary>Lets CloudWatch Logs of this account and region encrypt log groups with the key.</summary>
    void AllowCloudWatchLogs();

    /// <summary>
    /// Lets an AWS service (e.g. <c>cloudwatch.amazonaws.com</c>) publish to SNS topics encrypted with the key: only
    /// through SNS, for topics of the key's account and region (the <c>aws:sns:topicArn</c> encryption context SNS
    /// sends whoever publishes; publishers such as EventBridge send no <c>aws:SourceAccount</c> to KMS).
    /// </summary>
    void AllowServiceToPublishToEncryptedTopics(string servicePrincipal);

    /// <summary>
    /// Lets EC2 encrypt EBS volumes with the key for principals of this account, as the AWS-managed <c>aws/ebs</c>
    /// key does: the Auto Scaling and EC2 Fleet service-linked roles that launch Batch instances need it.
    /// </summary>
    void AllowEbsEncryption();
}

/// <summary>Properties of <see cref="PlatformKey"/>.</summary>
public sealed record PlatformKeyProps
{
    /// <summary>Alias of the key, including the <c>alias/</c> prefix.</summary>
    /// <remarks>Default: <c>alias/</c> followed by a name unique to the construct path, so two platforms in one account never collide.</remarks>
    public string? Alias { get; init; }

    /// <summary>What happens to the key when it leaves the stack.</summary>
    /// <remarks>Default: <see cref="RemovalPolicy.RETAIN"/>: deleting the key makes every log, trail and object encrypted with it unreadable.</remarks>
    public RemovalPolicy RemovalPolicy { get; init; } = RemovalPolicy.RETAIN;

    /// <summary>How long KMS waits before deleting the key once deletion is scheduled (whole days, 7 to 30).</summary>
    /// <remarks>Default: <c>Duration.Days(30)</c>, the longest window, to leave the most time to notice a mistaken deletion.</remarks>
    public Duration PendingWindow { get; init; } = Duration.Days(30);
}

/// <summary>
/// A customer-managed KMS key for the platform: rotation on, an alias, retained by default, and a key policy
/// that admits only the services that use it (CloudTrail, CloudWatch Logs, alarm publishers to SNS) on top of
/// the account's IAM delegation, which is how buckets' and functions' roles get their access.
/// </summary>
public sealed class PlatformKey : Construct, IPlatformKey
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private ConstructChecks Check => Validate.Of(this);

    private readonly HashSet<string> _grants = new();

    /// <inheritdoc />
    public IKey Key { get; }

    /// <summary>Creates the key.</summary>
    public PlatformKey(Construct scope, string id, PlatformKeyProps? props = null) : base(scope, id)
    {
        props ??= new PlatformKeyProps();
        var pendingDays = Check.WholeDays(props.PendingWindow, 7, 30, "PlatformKeyProps.PendingWindow", "KMS accepts a pending window of 7 to 30 days");
        if (props.Alias is { } alias)
            Check.That(alias.StartsWith("alias/") && !alias.StartsWith("alias/aws/") && alias.Length <= 256,
                $"PlatformKeyProps.Alias = '{alias}' is not a usable KMS alias: it must start with 'alias/', not with the reserved 'alias/aws/', and be at most 256 characters.");

        Key = new Key(this, "Key", new KeyProps
        {
            Description = $"AwsModelPlatform key for {Node.Path}",
            EnableKeyRotation = true,
            Alias = props.Alias ?? "alias/" + Names.UniqueResourceName(this, new UniqueResourceNameOptions { MaxLength = 200, Separator = "-" }),
            RemovalPolicy = props.RemovalPolicy,
            PendingWindow = Duration.Days(pendingDays),
        });
    }

    /// <summary>Imports an existing key. Its key policy is not managed: the grants a construct asks for are reported as warnings to apply by hand.</summary>
    public static IPlatformKey FromKeyArn(Construct scope, string id, string keyArn) => new ImportedPlatformKey(scope, id, keyArn);

    /// <inheritdoc />
    public void AllowCloudTrail(string trailArn)
    {
        if (!_grants.Add("cloudtrail:" + trailArn)) return;
        var stack = Stack.Of(this);
        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CloudTrailEncryptLogs",
            Principals = new IPrincipal[] { new ServicePrincipal("cloudtrail.amazonaws.com") },
            Actions = new[] { "kms:GenerateDataKey*" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = trailArn },
                ["StringLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:cloudtrail:arn"] = $"arn:{stack.Partition}:cloudtrail:*:{stack.Account}:trail/*",
                },
            },
        }));
        // With an S3 Bucket Key on the trail's bucket, CloudTrail needs kms:Decrypt to create or update the trail
        // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html);
        // aws:SourceArn is the trail's ARN whenever CloudTrail uses the key for it.
        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CloudTrailDecryptForBucketKey",
            Principals = new IPrincipal[] { new ServicePrincipal("cloudtrail.amazonaws.com") },
            Actions = new[] { "kms:Decrypt" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = trailArn },
            },
        }));
        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CloudTrailDescribeKey",
            Principals = new IPrincipal[] { new ServicePrincipal("cloudtrail.amazonaws.com") },
            Actions = new[] { "kms:DescribeKey" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = trailArn },
            },
        }));
    }

    /// <inheritdoc />
    public void AllowCloudWatchLogs()
    {
        if (!_grants.Add("logs")) return;
        var stack = Stack.Of(this);
        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CloudWatchLogsEncryptLogGroups",
            Principals = new IPrincipal[] { new ServicePrincipal($"logs.{stack.Region}.amazonaws.com") },
            Actions = new[] { "kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:logs:arn"] = $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:*",
                },
            },
        }));
    }

    /// <inheritdoc />
    public void AllowServiceToPublishToEncryptedTopics(string servicePrincipal)
    {
        if (!_grants.Add("sns:" + servicePrincipal)) return;
        var stack = Stack.Of(this);
        // SNS encrypts every message under the encryption context aws:sns:topicArn, whoever publishes
        // (https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html). aws:SourceAccount
        // and aws:SourceArn are not sent by every publisher (EventBridge sends neither to KMS:
        // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services), so the
        // topic is the one condition that holds for all of them.
        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PublishToEncryptedTopics" + new string(servicePrincipal.Split('.')[0].Where(char.IsLetterOrDigit).ToArray()),
            Principals = new IPrincipal[] { new ServicePrincipal(servicePrincipal) },
            Actions = new[] { "kms:Decrypt", "kms:GenerateDataKey*" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:sns:topicArn"] = $"arn:{stack.Partition}:sns:{stack.Region}:{stack.Account}:*",
                },
            },
        }));
    }

    /// <inheritdoc />
    public void AllowEbsEncryption()
    {
        if (!_grants.Add("ebs")) return;
        var stack = Stack.Of(this);
        var viaEc2InThisAccount = new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object>
            {
                ["kms:CallerAccount"] = stack.Account,
                ["kms:ViaService"] = $"ec2.{stack.Region}.amazonaws.com",
            },
        };
        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EbsEncryptionThroughEc2",
            Principals = new IPrincipal[] { new AnyPrincipal() },
            Actions = new[] { "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey" },
            Resources = new[] { "*" },
            Conditions = viaEc2InThisAccount,
        }));
        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EbsGrantsThroughEc2",
            Principals = new IPrincipal[] { new AnyPrincipal() },
            Actions = new[] { "kms:CreateGrant" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>(viaEc2InThisAccount)
            {
                ["Bool"] = new Dictionary<string, object> { ["kms:GrantIsForAWSResource"] = "true" },
            },
        }));
    }

    private sealed class ImportedPlatformKey : Construct, IPlatformKey
    {
        public IKey Key { get; }

        public ImportedPlatformKey(Construct scope, string id, string keyArn) : base(scope, id)
        {
            Key = Amazon.CDK.AWS.KMS.Key.FromKeyArn(this, "Key", keyArn);
        }

        public void AllowCloudTrail(string trailArn) =>
            Warn($"the key policy of the imported key must let cloudtrail.amazonaws.com use kms:GenerateDataKey*, kms:Decrypt (for buckets with an S3 Bucket Key) and kms:DescribeKey for trail {trailArn}.");

        public void AllowCloudWatchLogs() =>
            Warn("the key policy of the imported key must let logs.<region>.amazonaws.com encrypt log groups of this account.");

        public void AllowServiceToPublishToEncryptedTopics(string servicePrincipal) =>
            Warn($"the key policy of the imported key must let {servicePrincipal} use kms:Decrypt and kms:GenerateDataKey* to publish to encrypted topics (condition kms:EncryptionContext:aws:sns:topicArn on the topics' ARNs).");

        public void AllowEbsEncryption() =>
            Warn("the key policy of the imported key must let EC2 (kms:ViaService ec2.<region>.amazonaws.com) use it for EBS volumes of this account.");

        private void Warn(string what) => Annotations.Of(this).AddWarningV2("AwsModelPlatform:ImportedKeyPolicy", "Imported key: " + what);
    }
}
