using Amazon.CDK.AWS.CloudTrail;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.S3;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>The audit trail of the platform, with which constructs register the buckets and functions whose data events must be logged.</summary>
public interface IAuditTrail
{
    /// <summary>ARN of the trail.</summary>
    string TrailArn { get; }

    /// <summary>
    /// Logs object-level (data) events of <paramref name="bucket"/>: who read or wrote which object. The bucket must be
    /// in the trail's stack (a reference from the trail to another stack would make the two stacks depend on each
    /// other); buckets named with <see cref="PlatformNames.Bucket"/> are logged wherever they are, with no call.
    /// </summary>
    void AddS3DataEvents(IBucket bucket);

    /// <summary>Logs object-level events of every bucket whose name starts with <paramref name="bucketNamePrefix"/>.</summary>
    void AddS3DataEvents(string bucketNamePrefix);

    /// <summary>Logs invocations (data events) of <paramref name="function"/>, which must be in the trail's stack (see <see cref="AddS3DataEvents(IBucket)"/>).</summary>
    void AddLambdaDataEvents(IFunction function);

    /// <summary>Logs invocations of every function of the trail's account and region whose name starts with <paramref name="functionNamePrefix"/>.</summary>
    void AddLambdaDataEvents(string functionNamePrefix);
}

/// <summary>Properties of <see cref="AuditTrail"/>.</summary>
public sealed record AuditTrailProps
{
    /// <summary>The key that encrypts the log files, the log group and the bucket.</summary>
    /// <remarks>Default: a new <see cref="PlatformKey"/> owned by the trail.</remarks>
    public IPlatformKey? Key { get; init; }

    /// <summary>The bucket receiving the trail bucket's server access logs.</summary>
    /// <remarks>Default: a new <see cref="AccessLogsBucket"/> owned by the trail.</remarks>
    public IAccessLogsBucket? AccessLogs { get; init; }

    /// <summary>Name of the trail.</summary>
    /// <remarks>
    /// Default: a name unique to the construct path, ending in the region: a multi-region trail's name exists in every
    /// region, so the same stack deployed to a second region needs another name. (In a <see cref="ModelPlatform"/>:
    /// <see cref="PlatformNames.AccountWide"/>.) The name is fixed at synth time so the key policy can name the trail
    /// without a circular reference.
    /// </remarks>
    public string? TrailName { get; init; }

    /// <summary>Retention of the trail's CloudWatch log group (bounded: <see cref="Amazon.CDK.AWS.Logs.RetentionDays.INFINITE"/> is refused).</summary>
    /// <remarks>Default: <see cref="Amazon.CDK.AWS.Logs.RetentionDays.ONE_YEAR"/>: a year of searchable events; the S3 copy is kept longer.</remarks>
    public Amazon.CDK.AWS.Logs.RetentionDays LogRetention { get; init; } = LogGroupDefaults.Retention;

    /// <summary>How long after their creation log files move to S3 Glacier Flexible Retrieval (whole days).</summary>
    /// <remarks>Default: <c>Duration.Days(90)</c>: recent events stay cheap to read, older ones cheap to keep.</remarks>
    public Duration ArchiveAfter { get; init; } = Duration.Days(90);

    /// <summary>How long after their creation log files are deleted (whole days, more than <see cref="ArchiveAfter"/> + 90 days).</summary>
    /// <remarks>Default: <c>Duration.Days(2557)</c> (7 years), a common retention for audit evidence.</remarks>
    public Duration ExpireAfter { get; init; } = Duration.Days(2557);

    /// <summary>What happens to the bucket and log group when they leave the stack.</summary>
    /// <remarks>Default: <see cref="RemovalPolicy.RETAIN"/>: audit evidence outlives the stack.</remarks>
    public RemovalPolicy RemovalPolicy { get; init; } = RemovalPolicy.RETAIN;
}

/// <summary>
/// CloudTrail as AWS Config's <c>cloudtrail-security-trail-enabled</c> wants it: multi-region, global service events,
/// log-file validation, KMS encryption, delivery to an encrypted CloudWatch log group, an SSL-only, versioned,
/// access-logged bucket with a lifecycle, and data events for the buckets and functions registered with it.
/// </summary>
public sealed class AuditTrail : Construct, IAuditTrail
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private ConstructChecks Check => Validate.Of(this);

    private readonly List<string> _bucketObjectArnPrefixes = new();
    private readonly List<string> _functionArns = new();
    private readonly List<string> _functionArnPrefixes = new();
    private readonly CfnTrail _cfnTrail;

    /// <inheritdoc />
    public string TrailArn { get; }

    /// <summary>The bucket receiving the log files.</summary>
    public IBucket Bucket { get; }

    /// <summary>The log group receiving the events.</summary>
    public Amazon.CDK.AWS.Logs.ILogGroup LogGroup { get; }

    /// <summary>Creates the trail, its bucket and its log group.</summary>
    public AuditTrail(Construct scope, string id, AuditTrailProps? props = null) : base(scope, id)
    {
        props ??= new AuditTrailProps();
        LogGroupDefaults.CheckRetention(Check, props.LogRetention, "AuditTrailProps.LogRetention");
        var archiveDays = Check.WholeDays(props.ArchiveAfter, 1, 36500, "AuditTrailProps.ArchiveAfter", "S3 moves objects after whole days");
        var expireDays = Check.WholeDays(props.ExpireAfter, 1, 36500, "AuditTrailProps.ExpireAfter", "S3 expires objects after whole days");
        Check.That(expireDays > archiveDays + 90,
            $"AuditTrailProps.ExpireAfter = {expireDays} days must be more than ArchiveAfter + 90 = {archiveDays + 90} days: Glacier Flexible Retrieval bills a 90-day minimum, and expiring before archiving makes the archive rule pointless.");

        var stack = Stack.Of(this);
        var key = props.Key ?? new PlatformKey(this, "Key");
        var accessLogs = props.AccessLogs ?? new AccessLogsBucket(this, "AccessLogs");
        // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-trail-naming-requirements.html
        var trailName = props.TrailName ?? $"{Names.UniqueResourceName(this, new UniqueResourceNameOptions { MaxLength = 100, Separator = "-" })}-{stack.Region}";
        // A deploy-time region is checked as a 14-character region name (ap-southeast-5).
        var checkedName = Token.IsUnresolved(stack.Region) ? trailName.Replace(stack.Region, "ap-southeast-5") : trailName;
        Check.That(Token.IsUnresolved(checkedName) || System.Text.RegularExpressions.Regex.IsMatch(checkedName, "^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$"),
            $"AuditTrailProps.TrailName = '{trailName}' is not a valid trail name: 3 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        TrailArn = $"arn:{stack.Partition}:cloudtrail:{stack.Region}:{stack.Account}:trail/{trailName}";
        key.AllowCloudTrail(TrailArn);

        Bucket = BucketDefaults.Create(this, "Bucket", key, accessLogs, "cloudtrail/", props.RemovalPolicy,
            lifecycleRules: new ILifecycleRule[]
            {
                new LifecycleRule
                {
                    Id = "ArchiveThenExpireLogFiles",
                    Transitions = new ITransition[]
                    {
                        new Transition { StorageClass = StorageClass.GLACIER, TransitionAfter = Duration.Days(archiveDays) },
                    },
                    Expiration = Duration.Days(expireDays),
                    NoncurrentVersionExpiration = Duration.Days(30),
                    AbortIncompleteMultipartUploadAfter = Duration.Days(7),
                },
            });
        LogGroup = LogGroupDefaults.Create(this, "LogGroup", key, props.LogRetention, props.RemovalPolicy);

        var trail = new Trail(this, "Trail", new TrailProps
        {
            TrailName = trailName,
            Bucket = Bucket,
            EncryptionKey = key.Key,
            IsMultiRegionTrail = true,
            IncludeGlobalServiceEvents = true,
            EnableFileValidation = true,
            SendToCloudWatchLogs = true,
            CloudWatchLogGroup = LogGroup,
        });
        // Advanced event selectors: management events always, plus data events for what constructs register;
        // rewritten on every registration.
        _cfnTrail = (CfnTrail)trail.Node.DefaultChild!;
        _cfnTrail.EventSelectors = null;
        UpdateSelectors();
    }

    /// <summary>
    /// Relies on an existing organization trail instead of creating one. Say so only when the organization's
    /// trail really covers this account: data events registered with it are reported as warnings to configure there.
    /// </summary>
    public static IAuditTrail FromOrganizationTrail(Construct scope, string id, string organizationTrailArn) =>
        new OrganizationTrail(scope, id, organizationTrailArn);

    /// <inheritdoc />
    public void AddS3DataEvents(IBucket bucket)
    {
        RequireSameStack(bucket, "bucket", "PlatformNames.Bucket");
        _bucketObjectArnPrefixes.Add(bucket.BucketArn + "/");
        UpdateSelectors();
    }

    /// <inheritdoc />
    public void AddS3DataEvents(string bucketNamePrefix)
    {
        _bucketObjectArnPrefixes.Add($"arn:{Stack.Of(this).Partition}:s3:::{bucketNamePrefix}");
        UpdateSelectors();
    }

    /// <inheritdoc />
    public void AddLambdaDataEvents(IFunction function)
    {
        RequireSameStack(function, "function", "PlatformNames.Function");
        _functionArns.Add(function.FunctionArn);
        UpdateSelectors();
    }

    /// <inheritdoc />
    public void AddLambdaDataEvents(string functionNamePrefix)
    {
        var stack = Stack.Of(this);
        _functionArnPrefixes.Add($"arn:{stack.Partition}:lambda:{stack.Region}:{stack.Account}:function:{functionNamePrefix}");
        UpdateSelectors();
    }

    private void RequireSameStack(IConstruct resource, string kind, string naming)
    {
        var (mine, theirs) = (Stack.Of(this), Stack.Of(resource));
        Check.That(mine == theirs,
            $"AuditTrail: the {kind} {resource.Node.Path} is in stack '{theirs.StackName}' and the trail in '{mine.StackName}'; naming it in the trail would make the stacks depend on each other. Name it with {naming}(platform, ...) instead: the platform's trail logs every {kind} with the platform's name prefix.");
    }

    private void UpdateSelectors() => _cfnTrail.AdvancedEventSelectors = BuildSelectors();

    private object[] BuildSelectors()
    {
        var selectors = new List<object>
        {
            Selector("Management events", Field("eventCategory", "Management")),
        };
        if (_bucketObjectArnPrefixes.Count > 0)
            selectors.Add(Selector("Platform S3 objects", Field("eventCategory", "Data"), Field("resources.type", "AWS::S3::Object"),
                new CfnTrail.AdvancedFieldSelectorProperty { Field = "resources.ARN", StartsWith = _bucketObjectArnPrefixes.ToArray() }));
        if (_functionArns.Count > 0)
            selectors.Add(Selector("Platform Lambda invocations", Field("eventCategory", "Data"), Field("resources.type", "AWS::Lambda::Function"),
                Field("resources.ARN", _functionArns.ToArray())));
        if (_functionArnPrefixes.Count > 0)
            selectors.Add(Selector("Platform-named Lambda invocations", Field("eventCategory", "Data"), Field("resources.type", "AWS::Lambda::Function"),
                new CfnTrail.AdvancedFieldSelectorProperty { Field = "resources.ARN", StartsWith = _functionArnPrefixes.ToArray() }));
        return selectors.ToArray();
    }

    private static CfnTrail.AdvancedEventSelectorProperty Selector(string name, params object[] fields) =>
        new() { Name = name, FieldSelectors = fields };

    private static CfnTrail.AdvancedFieldSelectorProperty Field(string field, params string[] equalTo) =>
        new() { Field = field, EqualTo = equalTo };

    private sealed class OrganizationTrail(Construct scope, string id, string trailArn) : Construct(scope, id), IAuditTrail
    {
        // The id of every warning it gives: one kind, data events to configure on the organization trail.
        private const string DataEventsWarning = "AwsModelPlatform:OrganizationTrailDataEvents";

        public string TrailArn { get; } = trailArn;

        public void AddS3DataEvents(IBucket bucket) =>
            Annotations.Of(this).AddWarningV2(DataEventsWarning,
                $"Data events of bucket {bucket.Node.Path} must be enabled on the organization trail {TrailArn}.");

        public void AddLambdaDataEvents(IFunction function) =>
            Annotations.Of(this).AddWarningV2(DataEventsWarning,
                $"Data events of function {function.Node.Path} must be enabled on the organization trail {TrailArn}.");

        public void AddS3DataEvents(string bucketNamePrefix) =>
            Annotations.Of(this).AddWarningV2(DataEventsWarning,
                $"Data events of buckets named {bucketNamePrefix}* must be enabled on the organization trail {TrailArn}.");

        public void AddLambdaDataEvents(string functionNamePrefix) =>
            Annotations.Of(this).AddWarningV2(DataEventsWarning,
                $"Data events of functions named {functionNamePrefix}* must be enabled on the organization trail {TrailArn}.");
    }
}
