using System.Globalization;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Foundation;

public class PlatformKeyTests
{
    [Fact]
    public void Key_rotates_has_an_alias_and_is_retained_by_default()
    {
        var template = Synth.Template(s => new PlatformKey(s, "Key"));
        template.HasResourceProperties("AWS::KMS::Key", new Dictionary<string, object> { ["EnableKeyRotation"] = true, ["PendingWindowInDays"] = 30 });
        template.HasResource("AWS::KMS::Key", new Dictionary<string, object> { ["DeletionPolicy"] = "Retain", ["UpdateReplacePolicy"] = "Retain" });
        var alias = template.Single("AWS::KMS::Alias")["Properties"]!["AliasName"]!.GetValue<string>();
        Assert.StartsWith("alias/Test-Key-", alias);
    }

    [Fact]
    public void A_key_nobody_asked_grants_for_admits_no_service_only_the_accounts_IAM_delegation()
    {
        var statements = Synth.Template(s => new PlatformKey(s, "Key")).KeyPolicyStatements();
        var only = Assert.Single(statements);
        Assert.Contains(":root", only.Text());
        Assert.DoesNotContain("Service", only.Text());
    }

    [Fact]
    public void CloudTrail_grant_is_bound_to_the_trail_and_its_encryption_context()
    {
        var statements = Synth.Template(s => new PlatformKey(s, "Key").AllowCloudTrail("arn:aws:cloudtrail:eu-west-1:111111111111:trail/t1")).KeyPolicyStatements();
        var encrypt = statements.Single(s => s["Sid"]?.GetValue<string>() == "CloudTrailEncryptLogs");
        Assert.Equal("cloudtrail.amazonaws.com", encrypt["Principal"]!["Service"]!.GetValue<string>());
        Assert.Equal("kms:GenerateDataKey*", encrypt["Action"]!.GetValue<string>());
        Assert.Equal("arn:aws:cloudtrail:eu-west-1:111111111111:trail/t1", encrypt["Condition"]!["StringEquals"]!["aws:SourceArn"]!.GetValue<string>());
        Assert.Contains(":trail/*", encrypt["Condition"]!["StringLike"]!["kms:EncryptionContext:aws:cloudtrail:arn"].Text());
        Assert.Contains(statements, s => s["Sid"]?.GetValue<string>() == "CloudTrailDescribeKey");
        // The platform's buckets use an S3 Bucket Key, with which CloudTrail needs kms:Decrypt to create the trail.
        var decrypt = statements.Single(s => s["Sid"]?.GetValue<string>() == "CloudTrailDecryptForBucketKey");
        Assert.Equal("kms:Decrypt", decrypt["Action"]!.GetValue<string>());
        Assert.Equal("arn:aws:cloudtrail:eu-west-1:111111111111:trail/t1", decrypt["Condition"]!["StringEquals"]!["aws:SourceArn"]!.GetValue<string>());
    }

    [Fact]
    public void CloudWatch_Logs_grant_is_limited_to_log_groups_of_this_account_and_region()
    {
        var statements = Synth.Template(s => new PlatformKey(s, "Key").AllowCloudWatchLogs()).KeyPolicyStatements();
        var logs = statements.Single(s => s["Sid"]?.GetValue<string>() == "CloudWatchLogsEncryptLogGroups");
        Assert.Contains("logs.", logs["Principal"].Text());
        Assert.Contains("AWS::Region", logs["Principal"].Text());
        var context = logs["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:logs:arn"].Text();
        Assert.Contains("AWS::AccountId", context);
        Assert.Contains(":log-group:*", context);
    }

    [Fact]
    public void Each_grant_is_written_once_however_often_it_is_asked_for()
    {
        var statements = Synth.Template(s =>
        {
            var key = new PlatformKey(s, "Key");
            key.AllowCloudWatchLogs();
            key.AllowCloudWatchLogs();
            key.AllowServiceToPublishToEncryptedTopics("cloudwatch.amazonaws.com");
            key.AllowServiceToPublishToEncryptedTopics("cloudwatch.amazonaws.com");
        }).KeyPolicyStatements();
        Assert.Equal(3, statements.Count);
    }

    [Fact]
    public void Publisher_grant_is_limited_to_topics_of_the_stacks_account_and_region_by_the_encryption_context_SNS_sends()
    {
        var statements = Synth.Template(s => new PlatformKey(s, "Key").AllowServiceToPublishToEncryptedTopics("events.amazonaws.com")).KeyPolicyStatements();
        var publish = statements.Single(s => s["Principal"]?["Service"]?.GetValue<string>() == "events.amazonaws.com");
        Assert.Equal("""["kms:Decrypt","kms:GenerateDataKey*"]""", publish["Action"].Text());
        var topics = publish["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:sns:topicArn"].Text();
        Assert.Contains(":sns:", topics);
        Assert.Contains("AWS::Region", topics);
        Assert.Contains("AWS::AccountId", topics);
        // EventBridge sends no aws:SourceAccount to KMS: a condition on it would drop every notification.
        Assert.DoesNotContain("aws:Source", publish["Condition"].Text());
    }

    [Fact]
    public void Alias_removal_policy_and_pending_window_can_be_set()
    {
        var template = Synth.Template(s => new PlatformKey(s, "Key", new PlatformKeyProps { Alias = "alias/llm", RemovalPolicy = RemovalPolicy.DESTROY, PendingWindow = Duration.Days(7) }));
        template.HasResourceProperties("AWS::KMS::Alias", new Dictionary<string, object> { ["AliasName"] = "alias/llm" });
        template.HasResource("AWS::KMS::Key", new Dictionary<string, object> { ["DeletionPolicy"] = "Delete", ["Properties"] = Match.ObjectLike(new Dictionary<string, object> { ["PendingWindowInDays"] = 7 }) });
    }

    [Theory]
    [InlineData(6)]
    [InlineData(31)]
    [InlineData(7.5)]
    public void Pending_window_outside_what_KMS_accepts_fails_synthesis(double days)
    {
        var message = Synth.ErrorOf(() => new PlatformKey(Synth.NewStack(), "Key", new PlatformKeyProps { PendingWindow = Duration.Hours(days * 24) }));
        Assert.Equal(string.Create(CultureInfo.InvariantCulture,
            $"Test/Key: PlatformKeyProps.PendingWindow = {days} days is out of range: KMS accepts a pending window of 7 to 30 days (whole days, 7 to 30)."), message);
    }

    [Theory]
    [InlineData("llm")]
    [InlineData("alias/aws/llm")]
    public void An_alias_KMS_would_refuse_fails_synthesis(string alias)
    {
        var message = Synth.ErrorOf(() => new PlatformKey(Synth.NewStack(), "Key", new PlatformKeyProps { Alias = alias }));
        Assert.Contains($"PlatformKeyProps.Alias = '{alias}'", message);
        Assert.Contains("must start with 'alias/'", message);
    }

    [Fact]
    public void Imported_key_is_used_as_is_and_grants_it_cannot_write_become_warnings()
    {
        var stack = Synth.NewStack();
        var key = PlatformKey.FromKeyArn(stack, "Key", "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        key.AllowCloudWatchLogs();
        Assert.Equal("arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", key.Key.KeyArn);
        Template.FromStack(stack).ResourceCountIs("AWS::KMS::Key", 0);
        Assert.Contains(Synth.Warnings(stack), w => w.Contains("logs.<region>.amazonaws.com"));
    }
}
