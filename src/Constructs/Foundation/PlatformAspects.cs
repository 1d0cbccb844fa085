using Amazon.JSII.Runtime.Deputy;
using Amazon.CDK.AWS.Lambda;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>
/// Fixes, in one place, what CDK 2.160's own helper functions get wrong today. Their custom-resource Lambdas
/// (default-security-group restriction, auto-delete objects, log retention, AwsCustomResource) are created on
/// Node.js runtimes AWS Lambda no longer lets anyone create, so a synthesized stack would fail on deploy:
/// this aspect moves them to <see cref="NodeRuntime"/>, and records once, on those resources, why cdk-nag's
/// managed-policy finding does not apply to them. It also writes each stack's worst-case cost record
/// (<see cref="Cost.CostCeiling.WriteRecord"/>).
/// </summary>
public sealed class PlatformAspects : DeputyBase, IAspect
{
    /// <summary>The Node.js runtime CDK's provider functions are moved to: the newest Lambda offers, with no deprecation date before 2028.</summary>
    public const string NodeRuntime = "nodejs24.x";

    /// <summary>Runtimes whose function creation AWS Lambda has blocked.</summary>
    public static IReadOnlySet<string> BlockedRuntimes { get; } = new HashSet<string>
    {
        "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "nodejs18.x", "nodejs20.x",
    };

    private const string MarkerId = "AwsModelPlatformAspects";

    /// <summary>Adds the aspect to the stack of <paramref name="scope"/>, once per stack.</summary>
    public static void ApplyOnce(IConstruct scope)
    {
        var stack = Stack.Of(scope);
        if (stack.Node.TryFindChild(MarkerId) is not null) return;
        _ = new Construct(stack, MarkerId);
        Aspects.Of(stack).Add(new PlatformAspects());
    }

    /// <inheritdoc />
    public void Visit(IConstruct node)
    {
        // Aspects visit a stack before its children, once every construct of the app exists: the moment to record
        // the stack's worst-case cost (docs/cost.md) in its template.
        if (node is Stack stack)
        {
            Cost.CostCeiling.WriteRecord(stack);
            return;
        }
        if (node is not CfnResource resource) return;
        var inProvider = node.Node.Scope is CustomResourceProviderBase;
        switch (resource.CfnResourceType)
        {
            case "AWS::Lambda::Function" when inProvider:
                resource.AddPropertyOverride("Runtime", NodeRuntime);
                // The provider picked its runtime from this mapping; with the override nothing reads it any more.
                Stack.Of(resource).Node.TryRemoveChild("LatestNodeRuntimeMap");
                break;
            case "AWS::Lambda::Function" when resource is CfnFunction function && PicksLatestNodeRuntime(function):
                // CDK's singleton providers (AwsCustomResource, log retention) pick their runtime from that mapping.
                function.Runtime = NodeRuntime;
                Stack.Of(function).Node.TryRemoveChild("LatestNodeRuntimeMap");
                if (function.Node.Scope?.Node.TryFindChild("ServiceRole")?.Node.DefaultChild is CfnResource role)
                    SuppressManagedPolicy(role);
                break;
            case "AWS::Lambda::Function" when resource is CfnFunction function && function.Runtime is { } runtime && BlockedRuntimes.Contains(runtime):
                function.Runtime = NodeRuntime;
                Annotations.Of(function).AddInfo($"AwsModelPlatform moved this function from {runtime}, on which Lambda no longer creates functions, to {NodeRuntime}.");
                break;
            case "AWS::IAM::Role" when inProvider:
                SuppressManagedPolicy(resource);
                break;
        }
    }

    private static bool PicksLatestNodeRuntime(CfnFunction function) =>
        function.Runtime is { } runtime && Token.IsUnresolved(runtime)
        && System.Text.Json.JsonSerializer.Serialize(Stack.Of(function).Resolve(runtime)).Contains("LatestNodeRuntimeMap");

    private static void SuppressManagedPolicy(CfnResource role) =>
        Suppressions.Add(role, "AwsSolutions-IAM4",
            "Role of a CDK built-in custom-resource provider that runs only during deployment; AWSLambdaBasicExecutionRole only lets it write its own logs.",
            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
}
