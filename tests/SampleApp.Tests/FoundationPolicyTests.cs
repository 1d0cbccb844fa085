using System.Text.Json.Nodes;
using Amazon.CDK;
using AwsModelPlatform.Cdk;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// The sample app's templates (a stand-in bootstrap instead of the Native AOT build: these tests read policies only),
/// resolved for one account and region.
/// </summary>
public sealed class SampleTemplates : IDisposable
{
    public const string Account = "111122223333";
    public const string OtherAccount = "444455556666";
    public const string Region = "us-east-1";
    public const string KeyArn = $"arn:aws:kms:{Region}:{Account}:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private readonly string _root = Directory.CreateTempSubdirectory("amp-policies-").FullName;

    public JsonObject Foundation { get; }
    public JsonObject Inference { get; }

    public SampleTemplates()
    {
        NodeWarnings.Silence();
        var handler = Directory.CreateDirectory(Path.Combine(_root, "handler")).FullName;
        File.WriteAllText(Path.Combine(handler, "bootstrap"), "#!/bin/sh\n");
        var context = CdkJson.Context(Path.Combine(BuiltSampleApp.RepoRoot, "cdk.json")) ?? new Dictionary<string, object>();
        context[SampleContext.HandlerDirectory] = handler;
        var app = new App(new AppProps { Outdir = Path.Combine(_root, "out"), Context = context });
        AwsModelPlatform.Cdk.SampleApp.Build(app);
        var assembly = app.Synth();
        JsonObject Read(string stack) => JsonNode.Parse(File.ReadAllText(Path.Combine(assembly.Directory, assembly.GetStackByName(stack).TemplateFile)))!.AsObject();
        Foundation = Read("Foundation");
        Inference = Read("Inference");
    }

    public Intrinsics FoundationIntrinsics => new(Foundation, null, Account, Region, KeyArn);

    /// <summary>The logical id and properties of the template's one resource of <paramref name="type"/> that satisfies <paramref name="match"/>.</summary>
    public static (string Id, JsonNode Properties) Single(JsonObject template, string type, Func<string, JsonNode, bool>? match = null) =>
        template["Resources"]!.AsObject().Where(r => r.Value!["Type"]!.GetValue<string>() == type && (match?.Invoke(r.Key, r.Value!) ?? true))
            .Select(r => (r.Key, r.Value!["Properties"]!)).Single();

    /// <summary>The name CloudFormation gives a resource without a name of its own: stack, logical id (trimmed), random suffix.</summary>
    public static string GeneratedName(string stack, string logicalId) => $"{stack}-{logicalId}-1A2B3C4D5E6F";

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

/// <summary>
/// The platform key's policy, the alarm topic's policy and API Gateway's logging role, judged by the IAM simulator
/// (<c>@cloud-copilot/iam-simulate</c>) with the request each AWS service documents sending: the grant must hold for
/// that request, and fail without the documented key or from another account. Nothing else evaluates a key policy
/// for a service principal: moto does not, so a condition a service never sends (issue 11: <c>aws:SourceAccount</c>
/// from EventBridge) would drop every notification silently.
/// </summary>
public class FoundationPolicyTests(SampleTemplates app) : IClassFixture<SampleTemplates>
{
    private const string Account = SampleTemplates.Account;
    private const string Region = SampleTemplates.Region;
    private static readonly JsonObject NoIdentityPolicy = new() { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray() };

    private string AlarmTopicArn => $"arn:aws:sns:{Region}:{Account}:{SampleTemplates.GeneratedName("Foundation", SampleTemplates.Single(app.Foundation, "AWS::SNS::Topic").Id)}";

    private PolicySimulator KeyPolicyFor(string principal) =>
        new(principal, Account, NoIdentityPolicy, new Dictionary<string, JsonObject> { [SampleTemplates.KeyArn] = app.FoundationIntrinsics.KeyPolicy() }, "simulate-service.mjs");

    private static JsonObject Context(params (string Key, string Value)[] keys) => new(keys.Select(k => KeyValuePair.Create(k.Key, (JsonNode?)k.Value)));

    private static void Allowed(PolicyDecision decision) => Assert.True(decision.Allowed, $"{decision.Action} on {decision.Resource}: {decision.Result} {decision.Detail}");

    private static void Denied(PolicyDecision decision) => Assert.True(decision.Result is "ImplicitlyDenied" or "ExplicitlyDenied", $"{decision.Action} on {decision.Resource} should be denied: {decision.Result} {decision.Detail}");

    private static readonly string[] SnsPublishers = { "cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com" };

    [Fact]
    public void Every_service_the_key_policy_admits_is_judged_here()
    {
        var services = app.FoundationIntrinsics.KeyPolicy()["Statement"]!.AsArray()
            .Select(s => s!["Principal"]?["Service"]).Where(p => p is not null).SelectMany(p => p is JsonArray a ? a.Select(x => x!.GetValue<string>()) : new[] { p!.GetValue<string>() })
            .Distinct().Order().ToList();
        Assert.Equal(SnsPublishers.Append("cloudtrail.amazonaws.com").Append($"logs.{Region}.amazonaws.com").Order(), services);
    }

    [Theory]
    [InlineData("cloudwatch.amazonaws.com")]
    [InlineData("events.amazonaws.com")]
    [InlineData("budgets.amazonaws.com")]
    [InlineData("costalerts.amazonaws.com")]
    public void A_service_publishing_to_the_encrypted_alarm_topic_may_use_the_key_with_the_context_SNS_sends_and_for_no_other_accounts_topic(string service)
    {
        using var kms = KeyPolicyFor(service);
        // SNS encrypts under aws:sns:topicArn whoever publishes; EventBridge adds no aws:SourceAccount or aws:SourceArn
        // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
        var topic = Context(("kms:EncryptionContext:aws:sns:topicArn", AlarmTopicArn));
        Allowed(kms.Decide("kms:GenerateDataKey", SampleTemplates.KeyArn, topic));
        Allowed(kms.Decide("kms:Decrypt", SampleTemplates.KeyArn, topic));
        Denied(kms.Decide("kms:GenerateDataKey", SampleTemplates.KeyArn, Context(("kms:EncryptionContext:aws:sns:topicArn", AlarmTopicArn.Replace(Account, SampleTemplates.OtherAccount)))));
        Denied(kms.Decide("kms:GenerateDataKey", SampleTemplates.KeyArn, Context(("kms:EncryptionContext:aws:sns:topicArn", AlarmTopicArn.Replace(Region, "eu-west-1")))));
        Denied(kms.Decide("kms:GenerateDataKey", SampleTemplates.KeyArn, Context(("aws:SourceAccount", Account))));
        Denied(kms.Decide("kms:Encrypt", SampleTemplates.KeyArn, topic));
    }

    [Fact]
    public void CloudTrail_may_encrypt_decrypt_for_the_bucket_key_and_describe_the_key_for_this_trail_only()
    {
        var (_, trail) = SampleTemplates.Single(app.Foundation, "AWS::CloudTrail::Trail");
        var trailArn = $"arn:aws:cloudtrail:{Region}:{Account}:trail/{app.FoundationIntrinsics.String(trail["TrailName"])}";
        var otherTrail = $"arn:aws:cloudtrail:{Region}:{Account}:trail/another-teams-trail";
        using var kms = KeyPolicyFor("cloudtrail.amazonaws.com");
        // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html:
        // aws:SourceArn is the trail's ARN; log files are encrypted under aws:cloudtrail:arn.
        Allowed(kms.Decide("kms:GenerateDataKey", SampleTemplates.KeyArn, Context(("aws:SourceArn", trailArn), ("kms:EncryptionContext:aws:cloudtrail:arn", trailArn))));
        Denied(kms.Decide("kms:GenerateDataKey", SampleTemplates.KeyArn, Context(("aws:SourceArn", otherTrail), ("kms:EncryptionContext:aws:cloudtrail:arn", otherTrail))));
        Denied(kms.Decide("kms:GenerateDataKey", SampleTemplates.KeyArn, Context(("aws:SourceArn", trailArn), ("kms:EncryptionContext:aws:cloudtrail:arn", $"arn:aws:cloudtrail:{Region}:{SampleTemplates.OtherAccount}:trail/x"))));
        // The trail's bucket uses an S3 Bucket Key: CloudTrail needs kms:Decrypt to create or update the trail.
        Allowed(kms.Decide("kms:Decrypt", SampleTemplates.KeyArn, Context(("aws:SourceArn", trailArn))));
        Denied(kms.Decide("kms:Decrypt", SampleTemplates.KeyArn, Context(("aws:SourceArn", otherTrail))));
        Allowed(kms.Decide("kms:DescribeKey", SampleTemplates.KeyArn, Context(("aws:SourceArn", trailArn))));
    }

    [Fact]
    public void CloudWatch_Logs_of_the_region_may_use_the_key_for_log_groups_of_this_account_only()
    {
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html: the regional principal,
        // and the log group's ARN as the aws:logs:arn encryption context.
        var logGroup = $"arn:aws:logs:{Region}:{Account}:log-group:/aws/lambda/any-function";
        using (var logs = KeyPolicyFor($"logs.{Region}.amazonaws.com"))
        {
            foreach (var action in new[] { "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom" })
                Allowed(logs.Decide(action, SampleTemplates.KeyArn, Context(("kms:EncryptionContext:aws:logs:arn", logGroup))));
            Denied(logs.Decide("kms:Decrypt", SampleTemplates.KeyArn, Context(("kms:EncryptionContext:aws:logs:arn", logGroup.Replace(Account, SampleTemplates.OtherAccount)))));
            Denied(logs.Decide("kms:Decrypt", SampleTemplates.KeyArn));
        }
        using var otherRegion = KeyPolicyFor("logs.eu-west-1.amazonaws.com");
        Denied(otherRegion.Decide("kms:Decrypt", SampleTemplates.KeyArn, Context(("kms:EncryptionContext:aws:logs:arn", logGroup))));
    }

    [Theory]
    [InlineData("autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")]
    [InlineData("spot.amazonaws.com/AWSServiceRoleForEC2Spot")]
    [InlineData("ec2fleet.amazonaws.com/AWSServiceRoleForEC2Fleet")]
    public void The_roles_that_launch_Batch_instances_may_encrypt_their_volumes_through_EC2_of_this_account_only(string serviceLinkedRole)
    {
        // As the AWS-managed aws/ebs key allows: any principal of the account, through EC2 only (kms:ViaService,
        // kms:CallerAccount). The service-linked roles may not exist when the key is created, so they are not named.
        using var kms = KeyPolicyFor($"arn:aws:iam::{Account}:role/aws-service-role/{serviceLinkedRole}");
        var throughEc2 = Context(("kms:ViaService", $"ec2.{Region}.amazonaws.com"), ("kms:CallerAccount", Account));
        foreach (var action in new[] { "kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt", "kms:ReEncryptFrom", "kms:DescribeKey" })
            Allowed(kms.Decide(action, SampleTemplates.KeyArn, throughEc2));
        Allowed(kms.Decide("kms:CreateGrant", SampleTemplates.KeyArn, Context(("kms:ViaService", $"ec2.{Region}.amazonaws.com"), ("kms:CallerAccount", Account), ("kms:GrantIsForAWSResource", "true"))));
        Denied(kms.Decide("kms:CreateGrant", SampleTemplates.KeyArn, Context(("kms:ViaService", $"ec2.{Region}.amazonaws.com"), ("kms:CallerAccount", Account))));
        Denied(kms.Decide("kms:Decrypt", SampleTemplates.KeyArn, Context(("kms:CallerAccount", Account))));
        Denied(kms.Decide("kms:Decrypt", SampleTemplates.KeyArn, Context(("kms:ViaService", $"ec2.{Region}.amazonaws.com"), ("kms:CallerAccount", SampleTemplates.OtherAccount))));
    }

    [Fact]
    public void Each_service_may_publish_to_the_alarm_topic_with_the_source_keys_it_sends()
    {
        var (topicId, _) = SampleTemplates.Single(app.Foundation, "AWS::SNS::Topic");
        var (_, topicPolicy) = SampleTemplates.Single(app.Foundation, "AWS::SNS::TopicPolicy");
        var policy = app.FoundationIntrinsics.Resolve(Replace(topicPolicy["PolicyDocument"]!, new JsonObject { ["Ref"] = topicId }, AlarmTopicArn)).AsObject();
        PolicySimulator Sns(string service) => new(service, Account, NoIdentityPolicy, new Dictionary<string, JsonObject> { [AlarmTopicArn] = policy }, "simulate-service.mjs");

        // "You can't use Condition blocks in Amazon SNS topic policies for EventBridge": it sends no source keys.
        using (var events = Sns("events.amazonaws.com")) Allowed(events.Decide("sns:Publish", AlarmTopicArn));
        using (var cloudwatch = Sns("cloudwatch.amazonaws.com"))
        {
            Allowed(cloudwatch.Decide("sns:Publish", AlarmTopicArn, Context(("aws:SourceArn", $"arn:aws:cloudwatch:{Region}:{Account}:alarm:Inference-ApiLatency"), ("aws:SourceAccount", Account))));
            Denied(cloudwatch.Decide("sns:Publish", AlarmTopicArn, Context(("aws:SourceArn", $"arn:aws:cloudwatch:{Region}:{SampleTemplates.OtherAccount}:alarm:x"), ("aws:SourceAccount", SampleTemplates.OtherAccount))));
        }
        using (var budgets = Sns("budgets.amazonaws.com"))
        {
            Allowed(budgets.Decide("sns:Publish", AlarmTopicArn, Context(("aws:SourceAccount", Account), ("aws:SourceArn", $"arn:aws:budgets::{Account}:budget/platform"))));
            Denied(budgets.Decide("sns:Publish", AlarmTopicArn, Context(("aws:SourceAccount", SampleTemplates.OtherAccount), ("aws:SourceArn", $"arn:aws:budgets::{SampleTemplates.OtherAccount}:budget/x"))));
        }
        using var costalerts = Sns("costalerts.amazonaws.com");
        Allowed(costalerts.Decide("sns:Publish", AlarmTopicArn, Context(("aws:SourceAccount", Account))));
        Denied(costalerts.Decide("sns:Publish", AlarmTopicArn, Context(("aws:SourceAccount", SampleTemplates.OtherAccount))));
    }

    [Fact]
    public void API_Gateways_logging_role_writes_the_access_logs_of_the_platforms_API_and_of_any_other_API_of_the_account_and_region()
    {
        var (roleId, role) = SampleTemplates.Single(app.Foundation, "AWS::IAM::Role", (id, _) => id.StartsWith("ApiGatewayAccountLogging", StringComparison.Ordinal));
        var statements = role["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => app.FoundationIntrinsics.Resolve(s)).ToArray();
        var identity = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(statements) };
        using var iam = new PolicySimulator($"arn:aws:iam::{Account}:role/{roleId}", Account, identity, new Dictionary<string, JsonObject>());

        // The stage's access-log group has a name CloudFormation generates; API Gateway writes to it with this role.
        var (accessLogsId, _) = SampleTemplates.Single(app.Inference, "AWS::Logs::LogGroup", (id, _) => id.StartsWith("ApiAccessLogs", StringComparison.Ordinal));
        string Stream(string account, string region, string group) => $"arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:2026-01-01";
        foreach (var group in new[] { SampleTemplates.GeneratedName("Inference", accessLogsId), "API-Gateway-Execution-Logs_a1b2c3d4e5/live", "/aws/apigateway/another-teams-api-access" })
        {
            Allowed(iam.Decide("logs:CreateLogStream", Stream(Account, Region, group)));
            Allowed(iam.Decide("logs:PutLogEvents", Stream(Account, Region, group)));
            Allowed(iam.Decide("logs:CreateLogGroup", $"arn:aws:logs:{Region}:{Account}:log-group:{group}"));
        }
        Denied(iam.Decide("logs:PutLogEvents", Stream(SampleTemplates.OtherAccount, Region, "/aws/apigateway/x")));
        Denied(iam.Decide("logs:PutLogEvents", Stream(Account, "eu-west-1", "/aws/apigateway/x")));
        Denied(iam.Decide("logs:DeleteLogGroup", $"arn:aws:logs:{Region}:{Account}:log-group:/aws/apigateway/x"));
    }

    private static JsonNode Replace(JsonNode node, JsonNode what, string with) => node switch
    {
        _ when JsonNode.DeepEquals(node, what) => JsonValue.Create(with),
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Replace(p.Value!, what, with)))),
        JsonArray array => new JsonArray(array.Select(item => (JsonNode?)Replace(item!, what, with)).ToArray()),
        _ => node.DeepClone(),
    };
}
