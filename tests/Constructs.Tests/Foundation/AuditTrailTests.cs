using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Foundation;

public class AuditTrailTests
{
    private static Template Default() => Synth.Template(s => new AuditTrail(s, "Audit"));

    [Fact]
    public void Trail_is_multi_region_global_validated_KMS_encrypted_and_delivered_to_CloudWatch_Logs()
    {
        var template = Default();
        var trail = template.Single("AWS::CloudTrail::Trail")["Properties"]!;
        Assert.True(trail["IsMultiRegionTrail"]!.GetValue<bool>());
        Assert.True(trail["IncludeGlobalServiceEvents"]!.GetValue<bool>());
        Assert.True(trail["EnableLogFileValidation"]!.GetValue<bool>());
        Assert.True(trail["IsLogging"]!.GetValue<bool>());
        Assert.Contains("AuditKey", trail["KMSKeyId"].Text());
        Assert.Contains("AuditLogGroup", trail["CloudWatchLogsLogGroupArn"].Text());
        Assert.Null(trail["EventSelectors"]);
    }

    [Fact]
    public void Trail_log_group_is_encrypted_and_kept_one_year()
    {
        var logGroup = Default().Single("AWS::Logs::LogGroup");
        Assert.Equal(365, logGroup["Properties"]!["RetentionInDays"]!.GetValue<int>());
        Assert.Contains("AuditKey", logGroup["Properties"]!["KmsKeyId"].Text());
    }

    [Fact]
    public void Key_policy_lets_CloudTrail_encrypt_for_this_trail_only()
    {
        var template = Default();
        var trailName = template.Single("AWS::CloudTrail::Trail")["Properties"]!["TrailName"]!["Fn::Join"]![1]![0]!.GetValue<string>();
        var encrypt = template.KeyPolicyStatements().Single(s => s["Sid"]?.GetValue<string>() == "CloudTrailEncryptLogs");
        Assert.Contains(":trail/" + trailName, encrypt["Condition"]!["StringEquals"]!["aws:SourceArn"].Text());
    }

    [Fact]
    public void Trail_bucket_is_KMS_encrypted_versioned_private_TLS_only_and_access_logged_elsewhere()
    {
        var template = Default();
        var buckets = template.Resources("AWS::S3::Bucket");
        var trailBucket = buckets.Single(b => b.Key.StartsWith("AuditBucket")).Value["Properties"]!;
        Assert.Contains("aws:kms", trailBucket["BucketEncryption"].Text());
        Assert.Equal("Enabled", trailBucket["VersioningConfiguration"]!["Status"]!.GetValue<string>());
        Assert.Equal("""{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}""", trailBucket["PublicAccessBlockConfiguration"].Text());
        var logBucketId = buckets.Single(b => b.Key.StartsWith("AuditAccessLogs")).Key;
        Assert.Contains(logBucketId, trailBucket["LoggingConfiguration"]!["DestinationBucketName"].Text());
        var policy = template.Resources("AWS::S3::BucketPolicy").Single(p => p.Value["Properties"]!["Bucket"].Text().Contains("AuditBucket")).Value.Text();
        Assert.Contains("\"aws:SecureTransport\":\"false\"", policy);
        Assert.Contains("cloudtrail.amazonaws.com", policy);
    }

    [Fact]
    public void Trail_bucket_archives_after_90_days_and_expires_after_7_years()
    {
        var rule = Default().Resources("AWS::S3::Bucket").Single(b => b.Key.StartsWith("AuditBucket")).Value["Properties"]!["LifecycleConfiguration"]!["Rules"]![0]!;
        Assert.Equal(2557, rule["ExpirationInDays"]!.GetValue<int>());
        Assert.Equal("GLACIER", rule["Transitions"]![0]!["StorageClass"]!.GetValue<string>());
        Assert.Equal(90, rule["Transitions"]![0]!["TransitionInDays"]!.GetValue<int>());
    }

    [Fact]
    public void Access_log_bucket_takes_logs_by_bucket_policy_not_ACLs_and_expires_them()
    {
        var template = Default();
        var logBucket = template.Resources("AWS::S3::Bucket").Single(b => b.Key.StartsWith("AuditAccessLogs")).Value["Properties"]!;
        Assert.Equal("BucketOwnerEnforced", logBucket["OwnershipControls"]!["Rules"]![0]!["ObjectOwnership"]!.GetValue<string>());
        Assert.Null(logBucket["AccessControl"]);
        Assert.Equal(365, logBucket["LifecycleConfiguration"]!["Rules"]![0]!["ExpirationInDays"]!.GetValue<int>());
        var policy = template.Resources("AWS::S3::BucketPolicy").Single(p => p.Value["Properties"]!["Bucket"].Text().Contains("AuditAccessLogs")).Value.Text();
        Assert.Contains("logging.s3.amazonaws.com", policy);
        Assert.Contains("aws:SourceArn", policy);
    }

    [Fact]
    public void Without_registrations_only_management_events_are_selected()
    {
        var selectors = Default().Single("AWS::CloudTrail::Trail")["Properties"]!["AdvancedEventSelectors"]!.AsArray();
        var only = Assert.Single(selectors)!;
        Assert.Equal("""[{"Equals":["Management"],"Field":"eventCategory"}]""", only["FieldSelectors"].Text());
    }

    [Fact]
    public void Registered_buckets_and_functions_get_data_events_through_advanced_selectors()
    {
        var template = Synth.Template(s =>
        {
            var trail = new AuditTrail(s, "Audit");
            trail.AddS3DataEvents(Bucket.FromBucketName(s, "Data", "model-data"));
            trail.AddLambdaDataEvents(Function.FromFunctionArn(s, "Fn", "arn:aws:lambda:eu-west-1:111111111111:function:api"));
        });
        var selectors = template.Single("AWS::CloudTrail::Trail")["Properties"]!["AdvancedEventSelectors"]!.AsArray().Select(x => x!.Text()).ToList();
        Assert.Equal(3, selectors.Count);
        Assert.Contains(selectors, s => s.Contains("AWS::S3::Object") && s.Contains("StartsWith") && s.Contains(":s3:::model-data/"));
        Assert.Contains(selectors, s => s.Contains("AWS::Lambda::Function") && s.Contains("arn:aws:lambda:eu-west-1:111111111111:function:api"));
    }

    [Fact]
    public void Retention_and_lifecycle_can_be_set()
    {
        var template = Synth.Template(s => new AuditTrail(s, "Audit", new AuditTrailProps
        {
            LogRetention = RetentionDays.THREE_MONTHS, ArchiveAfter = Duration.Days(30), ExpireAfter = Duration.Days(400), TrailName = "platform-trail",
        }));
        Assert.Equal(90, template.Single("AWS::Logs::LogGroup")["Properties"]!["RetentionInDays"]!.GetValue<int>());
        var rule = template.Resources("AWS::S3::Bucket").Single(b => b.Key.StartsWith("AuditBucket")).Value["Properties"]!["LifecycleConfiguration"]!["Rules"]![0]!;
        Assert.Equal((30, 400), (rule["Transitions"]![0]!["TransitionInDays"]!.GetValue<int>(), rule["ExpirationInDays"]!.GetValue<int>()));
        Assert.Equal("platform-trail", template.Single("AWS::CloudTrail::Trail")["Properties"]!["TrailName"]!.GetValue<string>());
    }

    [Fact]
    public void Expiring_before_the_archive_minimum_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => new AuditTrail(Synth.NewStack(), "Audit", new AuditTrailProps { ArchiveAfter = Duration.Days(90), ExpireAfter = Duration.Days(100) }));
        Assert.StartsWith("Test/Audit: AuditTrailProps.ExpireAfter = 100 days must be more than ArchiveAfter + 90 = 180 days", message);
    }

    [Fact]
    public void A_log_retention_that_never_expires_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => new AuditTrail(Synth.NewStack(), "Audit", new AuditTrailProps { LogRetention = RetentionDays.INFINITE }));
        Assert.StartsWith("Test/Audit: AuditTrailProps.LogRetention = INFINITE is not a bounded retention", message);
    }

    [Fact]
    public void An_archive_time_of_a_fraction_of_a_day_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => new AuditTrail(Synth.NewStack(), "Audit", new AuditTrailProps { ArchiveAfter = Duration.Hours(36) }));
        Assert.Equal("Test/Audit: AuditTrailProps.ArchiveAfter = 1.5 days is out of range: S3 moves objects after whole days (whole days, 1 to 36500).", message);
    }

    [Fact]
    public void An_invalid_trail_name_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => new AuditTrail(Synth.NewStack(), "Audit", new AuditTrailProps { TrailName = "my trail" }));
        Assert.StartsWith("Test/Audit: AuditTrailProps.TrailName = 'my trail' is not a valid trail name", message);
    }

    [Fact]
    public void Relying_on_an_organization_trail_creates_no_trail_and_reports_data_events_to_configure_there()
    {
        var stack = Synth.NewStack();
        var trail = AuditTrail.FromOrganizationTrail(stack, "Org", "arn:aws:cloudtrail:us-east-1:222222222222:trail/org");
        trail.AddS3DataEvents(Bucket.FromBucketName(stack, "Data", "model-data"));
        Template.FromStack(stack).ResourceCountIs("AWS::CloudTrail::Trail", 0);
        Assert.Equal("arn:aws:cloudtrail:us-east-1:222222222222:trail/org", trail.TrailArn);
        Assert.Contains(Synth.Warnings(stack), w => w.Contains("must be enabled on the organization trail"));
    }
}
