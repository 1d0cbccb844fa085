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
}
