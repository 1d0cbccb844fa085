using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.CloudWatch;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Foundation;

public class AlarmTopicTests
{
    [Fact]
    public void Topic_is_KMS_encrypted_TLS_only_and_open_to_CloudWatch_alarms_of_this_account_and_region()
    {
        var template = Synth.Template(s => new AlarmTopic(s, "Alarms"));
        Assert.Contains("AlarmsKey", template.Single("AWS::SNS::Topic")["Properties"]!["KmsMasterKeyId"].Text());
        var statements = template.Single("AWS::SNS::TopicPolicy")["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        Assert.Contains(statements, s => s!["Effect"]!.GetValue<string>() == "Deny" && s.Text().Contains("\"aws:SecureTransport\":\"false\""));
        var cloudwatch = statements.Single(s => s!["Principal"].Text().Contains("cloudwatch.amazonaws.com"))!;
        var alarms = cloudwatch["Condition"]!["ArnLike"]!["aws:SourceArn"].Text();
        Assert.Contains(":cloudwatch:", alarms);
        Assert.Contains("AWS::AccountId", alarms);
        Assert.Contains(":alarm:*", alarms);
        Assert.Contains(template.KeyPolicyStatements(), s => s["Principal"].Text().Contains("cloudwatch.amazonaws.com"));
        template.ResourceCountIs("AWS::SNS::Subscription", 0);
    }

    [Fact]
    public void Email_subscribes_the_address()
    {
        var template = Synth.Template(s => new AlarmTopic(s, "Alarms", new AlarmTopicProps { Email = "ops@example.com" }));
        template.HasResourceProperties("AWS::SNS::Subscription", new Dictionary<string, object> { ["Protocol"] = "email", ["Endpoint"] = "ops@example.com" });
    }

    [Fact]
    public void Something_that_is_not_an_email_address_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => new AlarmTopic(Synth.NewStack(), "Alarms", new AlarmTopicProps { Email = "ops" }));
        Assert.StartsWith("Test/Alarms: AlarmTopicProps.Email = 'ops' is not an email address", message);
    }

    [Fact]
    public void Notify_sends_alarm_and_recovery_to_the_topic()
    {
        var template = Synth.Template(s =>
        {
            var topic = new AlarmTopic(s, "Alarms");
            var alarm = new Alarm(s, "Alarm", new AlarmProps
            {
                Metric = new Metric(new MetricProps { Namespace = "Test", MetricName = "Errors" }),
                Threshold = 1,
                EvaluationPeriods = 1,
            });
            topic.Notify(alarm);
        });
        var alarm = template.Single("AWS::CloudWatch::Alarm")["Properties"]!;
        Assert.Contains("AlarmsTopic", alarm["AlarmActions"].Text());
        Assert.Contains("AlarmsTopic", alarm["OKActions"].Text());
    }

    [Fact]
    public void Other_services_can_be_allowed_to_publish()
    {
        var template = Synth.Template(s => new AlarmTopic(s, "Alarms").AllowServiceToPublish("budgets.amazonaws.com"));
        Assert.Contains("budgets.amazonaws.com", template.Single("AWS::SNS::TopicPolicy").Text());
        Assert.Contains(template.KeyPolicyStatements(), s => s["Principal"].Text().Contains("budgets.amazonaws.com"));
    }

    [Fact]
    public void Each_service_publishes_under_the_conditions_it_documents_sending_and_EventBridge_under_none()
    {
        var template = Synth.Template(s =>
        {
            var topic = new AlarmTopic(s, "Alarms");
            foreach (var service in new[] { "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com" }) topic.AllowServiceToPublish(service);
        });
        var statements = template.Single("AWS::SNS::TopicPolicy")["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!).ToList();
        JsonNode For(string service) => statements.Single(s => s["Principal"].Text().Contains(service));
        // "You can't use Condition blocks in Amazon SNS topic policies for EventBridge."
        Assert.Null(For("events.amazonaws.com")["Condition"]);
        Assert.Contains(":budgets::", For("budgets.amazonaws.com")["Condition"]!["ArnLike"]!["aws:SourceArn"].Text());
        Assert.Contains("AWS::AccountId", For("budgets.amazonaws.com")["Condition"]!["StringEquals"]!["aws:SourceAccount"].Text());
        Assert.Contains("AWS::AccountId", For("costalerts.amazonaws.com")["Condition"]!["StringEquals"]!["aws:SourceAccount"].Text());
    }
}
