using System.Text.Json.Nodes;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>What the issue promises of the sample Foundation stack, checked on its synthesized template.</summary>
[Collection(SampleAppCollection.Name)]
public class FoundationStackTests(SynthesizedApp app)
{
    private JsonObject Resources => JsonNode.Parse(File.ReadAllText(app.Templates["Foundation"]))!["Resources"]!.AsObject();

    private IEnumerable<JsonNode> OfType(string type) => Resources.Where(r => r.Value!["Type"]!.GetValue<string>() == type).Select(r => r.Value!);

    [Fact]
    public void Has_a_multi_region_validated_KMS_encrypted_trail()
    {
        var trail = Assert.Single(OfType("AWS::CloudTrail::Trail"))["Properties"]!;
        Assert.True(trail["IsMultiRegionTrail"]!.GetValue<bool>());
        Assert.True(trail["EnableLogFileValidation"]!.GetValue<bool>());
        Assert.NotNull(trail["KMSKeyId"]);
    }

    [Fact]
    public void Has_a_rotating_key_flow_logs_VPC_endpoints_and_no_NAT_gateway()
    {
        Assert.True(Assert.Single(OfType("AWS::KMS::Key"))["Properties"]!["EnableKeyRotation"]!.GetValue<bool>());
        Assert.Single(OfType("AWS::EC2::FlowLog"));
        Assert.Equal(13, OfType("AWS::EC2::VPCEndpoint").Count());
        Assert.Empty(OfType("AWS::EC2::NatGateway"));
    }

    [Fact]
    public void Holds_the_apps_only_API_Gateway_account_logging_setting_with_a_retained_role()
    {
        // The Inference and Training APIs both run on the foundation's platform: the account-wide setting is the
        // platform's, so deleting either workload stack leaves the role the account points to in place.
        var accounts = app.Templates.SelectMany(t => JsonNode.Parse(File.ReadAllText(t.Value))!["Resources"]!.AsObject()
            .Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::ApiGateway::Account").Select(r => (Stack: t.Key, Resource: r.Value!))).ToList();
        var (stack, account) = Assert.Single(accounts);
        Assert.Equal("Foundation", stack);
        var roleId = account["Properties"]!["CloudWatchRoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        Assert.Equal("Retain", Resources[roleId]!["DeletionPolicy"]!.GetValue<string>());
    }
}
