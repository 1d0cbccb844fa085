using Amazon.CDK.AWS.Lambda;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// Where AWS publishes the AWS Lambda Web Adapter layer
/// (https://github.com/awslabs/aws-lambda-web-adapter/blob/main/docs/guide/src/getting-started/zip-packages.md): in the
/// commercial partition by account 753240598075 in every region, for x86_64 and arm64; in the China regions by an account
/// per region, for x86_64 only; nowhere else (GovCloud, the isolated partitions). A template must name the layer of the
/// region it is deployed to: a layer ARN of another partition or region fails the function's creation.
/// </summary>
public static class WebAdapterLayers
{
    /// <summary>The published layer version the platform was tested with.</summary>
    public const int Version = 26;

    /// <summary>The publisher of the layer in the commercial partition (<c>aws</c>).</summary>
    internal const string CommercialPublisher = "753240598075";

    /// <summary>The publisher of the x86_64 layer in each China region (<c>aws-cn</c>); no arm64 layer is published there.</summary>
    internal static IReadOnlyDictionary<string, string> ChinaPublishers { get; } = new Dictionary<string, string>
    {
        ["cn-north-1"] = "041581134020",
        ["cn-northwest-1"] = "069767869989",
    };

    /// <summary>
    /// The layer ARN for the stack of <paramref name="scope"/>: literal for a stack with a region (synthesis fails where
    /// no layer is published for that region and architecture), and for an environment-agnostic stack a choice made at
    /// deploy time on <c>AWS::Region</c> between the China regions' layers and the commercial one.
    /// </summary>
    public static string Arn(Construct scope, Architecture architecture)
    {
        var arm = architecture.Name == Architecture.ARM_64.Name;
        var name = arm ? "LambdaAdapterLayerArm64" : "LambdaAdapterLayerX86";
        var stack = Stack.Of(scope);
        var region = stack.Region;
        if (!Token.IsUnresolved(region))
        {
            if (ChinaPublishers.TryGetValue(region, out var china))
            {
                Validate.Of(scope).That(!arm,
                    $"the AWS Lambda Web Adapter is published in {region} for x86_64 only, and the function is arm64. Use Architecture.X86_64, or publish the adapter as a layer of your own and pass its ARN as WebAdapterLayerArn.");
                return $"arn:aws-cn:lambda:{region}:{china}:layer:{name}:{Version}";
            }
            Validate.Of(scope).That(IsCommercial(region),
                $"no AWS Lambda Web Adapter layer is published in {region}: AWS publishes it in the commercial regions (account {CommercialPublisher}) and in {string.Join(" and ", ChinaPublishers.Keys)} " +
                "(https://github.com/awslabs/aws-lambda-web-adapter). Publish the adapter as a layer of your own in that region and pass its ARN as WebAdapterLayerArn.");
            return $"arn:aws:lambda:{region}:{CommercialPublisher}:layer:{name}:{Version}";
        }

        var commercial = Fn.Join("", new[] { "arn:", Aws.PARTITION, ":lambda:", Aws.REGION, $":{CommercialPublisher}:layer:{name}:{Version}" });
        if (arm) return commercial;
        // Innermost first: the commercial layer unless the stack is deployed to one of the China regions.
        return ChinaPublishers.Reverse().Aggregate(commercial, (otherwise, china) =>
            ((IResolvable)Fn.ConditionIf(InRegion(stack, china.Key).LogicalId, $"arn:aws-cn:lambda:{china.Key}:{china.Value}:layer:{name}:{Version}", otherwise)).ToString()!);
    }

    /// <summary>The regions of the commercial partition, by name: not China, GovCloud or an isolated partition.</summary>
    private static bool IsCommercial(string region) =>
        !new[] { "cn-", "us-gov-", "us-iso", "eu-iso", "us-isof", "eusc-" }.Any(p => region.StartsWith(p, StringComparison.Ordinal));

    private static CfnCondition InRegion(Stack stack, string region)
    {
        var id = "WebAdapterIn" + string.Concat(region.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        return stack.Node.TryFindChild(id) as CfnCondition ?? new CfnCondition(stack, id, new CfnConditionProps { Expression = Fn.ConditionEquals(Aws.REGION, region) });
    }
}
