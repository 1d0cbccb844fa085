using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.SNS;
using AwsModelPlatform.Constructs.Defaults;

namespace AwsModelPlatform.Constructs.Tests.Defaults;

public class SuppressionsTests
{
    private static List<System.Text.Json.Nodes.JsonNode> Rules(Action<Stack, CfnTopic> suppress)
    {
        var template = Synth.Template(s => suppress(s, new CfnTopic(s, "Topic")));
        return template.Single("AWS::SNS::Topic")["Metadata"]!["cdk_nag"]!["rules_to_suppress"]!.AsArray().Select(r => r!).ToList();
    }

    // cdk-nag reads a regex entry as /pattern/flags and tests the finding with it (JavaScript; the pattern uses only
    // syntax .NET reads the same way).
    private static bool Matches(System.Text.Json.Nodes.JsonNode entry, string finding)
    {
        var literal = entry["regex"]!.GetValue<string>();
        var pattern = literal[1..literal.LastIndexOf('/')];
        return Regex.IsMatch(finding, pattern);
    }

    [Theory]
    [InlineData("Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:cluster/*")]
    [InlineData("Resource::arn:<AWS::Partition>:ecs:eu-west-1:111122223333:cluster/*")]
    [InlineData("Resource::arn:aws:ecs:eu-west-1:111122223333:cluster/*")]
    [InlineData("Resource::arn:aws-cn:ecs:cn-north-1:111122223333:cluster/*")]
    [InlineData("Resource::arn:aws-us-gov:ecs:us-gov-west-1:111122223333:cluster/*")]
    public void An_applies_to_entry_with_partition_region_and_account_matches_the_finding_whether_they_are_tokens_or_resolved(string finding)
    {
        var rule = Assert.Single(Rules((_, topic) => Suppressions.Add(topic, "AwsSolutions-IAM5", "Agent actions on the ECS clusters Batch names at run time.",
            "Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:cluster/*")));
        Assert.True(Matches(Assert.Single(rule["applies_to"]!.AsArray())!, finding), finding);
    }

    [Theory]
    [InlineData("Resource::arn:aws:ecs:eu-west-1:111122223333:cluster/training")]
    [InlineData("Resource::arn:aws:ecs:eu-west-1:111122223333:container-instance/*")]
    [InlineData("Resource::arn:aws:ecs:eu-west-1:1111:cluster/*")]
    [InlineData("Resource::arn:aws:batch:eu-west-1:111122223333:cluster/*")]
    [InlineData("Resource::*")]
    public void The_entry_matches_nothing_but_that_resource(string finding)
    {
        var rule = Assert.Single(Rules((_, topic) => Suppressions.Add(topic, "AwsSolutions-IAM5", "Agent actions on the ECS clusters Batch names at run time.",
            "Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:cluster/*")));
        Assert.False(Matches(Assert.Single(rule["applies_to"]!.AsArray())!, finding), finding);
    }

    [Fact]
    public void Entries_without_pseudo_parameters_stay_as_written()
    {
        var rule = Assert.Single(Rules((_, topic) => Suppressions.Add(topic, "AwsSolutions-IAM5", "Actions without resource-level permissions.", "Resource::*", "Action::ecs:Submit*")));
        Assert.Equal("""["Resource::*","Action::ecs:Submit*"]""", rule["applies_to"].Text());
    }

    [Fact]
    public void A_compliance_exemption_is_written_for_NIST_800_53_R5_and_HIPAA_Security()
    {
        var rules = Rules((_, topic) => Suppressions.AddCompliance(topic, "SNSEncryptedKMS", "A reason a reviewer can check, for this test."));
        Assert.Equal(new[] { "NIST.800.53.R5-SNSEncryptedKMS", "HIPAA.Security-SNSEncryptedKMS" }, rules.Select(r => r["id"]!.GetValue<string>()));
    }
}
