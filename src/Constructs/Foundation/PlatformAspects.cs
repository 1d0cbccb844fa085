using Amazon.JSII.Runtime.Deputy;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.CustomResources;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>
/// Fixes, in one place, what CDK 2.160's own helper functions get wrong today. Their custom-resource Lambdas
/// (default-security-group restriction, auto-delete objects, log retention, AwsCustomResource) are created on
/// Node.js runtimes AWS Lambda no longer lets anyone create, so a synthesized stack would fail on deploy:
/// this aspect moves them to <see cref="NodeRuntime"/>, and records once, on those resources, why cdk-nag's
/// managed-policy finding and NIST 800-53 R5 / HIPAA Security's workload-function rules do not apply to them. It
/// records on every role and inline policy below the library's constructs (and no user's own) why an inline policy
/// is the right kind, and writes each stack's worst-case cost record (<see cref="Cost.CostCeiling.WriteRecord"/>).
/// </summary>
internal sealed class PlatformAspects : DeputyBase, IAspect
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
                SuppressDeploymentFunction(resource);
                break;
            case "AWS::Lambda::Function" when resource is CfnFunction function && IsAwsCustomResourceProvider(function):
                // The AwsCustomResource singleton picks its runtime from CDK's LatestNodeRuntimeMap (a token when the
                // region is unknown, a blocked literal such as nodejs20.x when it is known): move it either way.
                if (function.Runtime is { } current && (PicksLatestNodeRuntime(function) || BlockedRuntimes.Contains(current)))
                {
                    function.Runtime = NodeRuntime;
                    Stack.Of(function).Node.TryRemoveChild("LatestNodeRuntimeMap");
                }
                SuppressDeploymentFunction(function);
                if (function.Node.Scope?.Node.TryFindChild("ServiceRole")?.Node.DefaultChild is CfnResource serviceRole)
                    SuppressManagedPolicy(serviceRole);
                break;
            case "AWS::Lambda::Function" when resource is CfnFunction function && PicksLatestNodeRuntime(function):
                // Other CDK singleton providers (log retention) pick their runtime from that mapping too.
                function.Runtime = NodeRuntime;
                Stack.Of(function).Node.TryRemoveChild("LatestNodeRuntimeMap");
                break;
            case "AWS::Lambda::Function" when resource is CfnFunction function && function.Runtime is { } runtime && BlockedRuntimes.Contains(runtime):
                function.Runtime = NodeRuntime;
                Annotations.Of(function).AddInfo($"AwsModelPlatform moved this function from {runtime}, on which Lambda no longer creates functions, to {NodeRuntime}.");
                break;
            case "AWS::IAM::Role" when inProvider:
                SuppressManagedPolicy(resource);
                SuppressInlinePolicy(resource);
                break;
            case "AWS::IAM::Role" when resource is CfnRole role && IsLibrarys(role) && role.Policies is { } policies && Stack.Of(role).Resolve(policies) is not null:
                SuppressInlinePolicy(role);
                break;
            case "AWS::IAM::Policy" when IsLibrarys(resource):
                SuppressInlinePolicy(resource);
                break;
        }
    }

    // CDK names the singleton function of every AwsCustomResource of a stack after this UUID.
    private static bool IsAwsCustomResourceProvider(CfnFunction function) =>
        function.Node.Scope?.Node.Id == "AWS" + AwsCustomResource.PROVIDER_FUNCTION_UUID.Replace("-", "", StringComparison.Ordinal);

    // Below a construct of this library (a user's own roles and policies in the same stack are theirs to judge).
    private static bool IsLibrarys(IConstruct resource) =>
        resource.Node.Scopes.Any(scope => scope.GetType().Assembly == typeof(PlatformAspects).Assembly);

    private static bool PicksLatestNodeRuntime(CfnFunction function) =>
        function.Runtime is { } runtime && Token.IsUnresolved(runtime)
        && System.Text.Json.JsonSerializer.Serialize(Stack.Of(function).Resolve(runtime)).Contains("LatestNodeRuntimeMap");

    private static void SuppressManagedPolicy(CfnResource role) =>
        Suppressions.Add(role, "AwsSolutions-IAM4",
            "Role of a CDK built-in custom-resource provider that runs only during deployment; AWSLambdaBasicExecutionRole only lets it write its own logs.",
            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");

    /// <summary>Why an inline policy is the right kind here; the same for every role and policy the library writes.</summary>
    internal const string InlinePolicyReason =
        "An inline policy is kept in a strict one-to-one relationship with its role and deleted with it (IAM User Guide, managed vs inline policies: " +
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html); a customer-managed policy could be attached to other " +
        "identities of the account. Versions and rollback come from the CloudFormation stack that owns both.";

    private static void SuppressInlinePolicy(CfnResource resource) =>
        Suppressions.AddCompliance(resource, "IAMNoInlinePolicy", InlinePolicyReason);

    // CDK's own provider functions: what NIST 800-53 and HIPAA ask of a workload function does not fit a function
    // that CloudFormation calls only while it deploys the stack.
    private static void SuppressDeploymentFunction(CfnResource function)
    {
        const string deployTime = "CDK's built-in custom-resource provider, called by CloudFormation only while it deploys the stack, with no access to the platform's data; ";
        Suppressions.AddCompliance(function, "LambdaDLQ", deployTime +
            "a failed invocation fails the stack operation, where it is seen and retried; there is no event to replay later from a dead-letter queue.");
        Suppressions.AddCompliance(function, "LambdaConcurrency", deployTime +
            "it runs a few times per deployment, and a reservation would take concurrency from the account's unreserved pool (and throttle parallel custom resources sharing the singleton).");
        Suppressions.AddCompliance(function, "LambdaInsideVPC", deployTime +
            "the platform's isolated subnets have no route to the internet and no interface endpoint for the APIs these providers call (EC2 for the default security group, Cost Explorer for tag activation).");
    }
}
