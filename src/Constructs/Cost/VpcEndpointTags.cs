using Amazon.CDK.AWS.EC2;
using Amazon.JSII.Runtime.Deputy;

namespace AwsModelPlatform.Constructs.Cost;

/// <summary>
/// Puts the cost tags on VPC endpoints. CloudFormation tags <c>AWS::EC2::VPCEndpoint</c>, but CDK 2.160's
/// <see cref="CfnVPCEndpoint"/> has no <c>Tags</c> property, so <c>Tags.Of</c> skips it: the interface endpoints,
/// the foundation's largest fixed cost, would reach no tag-filtered budget or cost report.
/// </summary>
internal sealed class VpcEndpointTags(IReadOnlyDictionary<string, string> tags) : DeputyBase, IAspect
{
    public void Visit(IConstruct node)
    {
        // Aspects of outer scopes visit first, so an inner construct's tags win, as they do with Tags.Of.
        if (node is CfnResource { CfnResourceType: "AWS::EC2::VPCEndpoint" } endpoint)
            endpoint.AddPropertyOverride("Tags", tags.OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => new Dictionary<string, string> { ["Key"] = t.Key, ["Value"] = t.Value }).ToArray());
    }
}
