using Amazon.CDK.AWS.APIGateway;
using Amazon.CDK.AWS.IAM;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// API Gateway writes execution logs with one role per account and region (<c>AWS::ApiGateway::Account</c>). The
/// setting is account-wide, so it belongs to what outlives the APIs: it is created once, in the stack of the
/// platform the API runs on (the stack of a standalone API when the platform is its own), and every stage of that
/// platform depends on it. The role and the setting are retained when that stack is deleted: deleting a workload
/// stack used to delete the role the whole account pointed to, silently stopping every API's execution logs.
/// The role's policy is inline (it stays with the retained role) and limited to API Gateway's own log groups,
/// instead of the managed <c>AmazonAPIGatewayPushToCloudWatchLogs</c>.
/// </summary>
internal static class ApiGatewayAccountLogging
{
    private const string Id = "ApiGatewayAccountLogging";

    /// <summary>
    /// The construct holding the account setting for APIs on <paramref name="platform"/>; stages with execution
    /// logging must depend on it. A platform that is not a construct (a custom <see cref="IModelPlatform"/>) gets it in
    /// the stack of <paramref name="api"/>.
    /// </summary>
    public static IConstruct Ensure(IModelPlatform platform, IConstruct api)
    {
        var stack = Stack.Of(platform as IConstruct ?? api);
        if (stack.Node.TryFindChild(Id) is { } existing) return existing;
        var holder = new Construct(stack, Id);
        WarnIfAnotherStackSetsIt(stack, holder);
        var role = new Role(holder, "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("apigateway.amazonaws.com"),
            Description = "API Gateway execution logs of this account and region (retained: the account setting keeps pointing to it)",
            InlinePolicies = new Dictionary<string, PolicyDocument>
            {
                ["ExecutionLogs"] = new(new PolicyDocumentProps
                {
                    Statements = new[]
                    {
                        new PolicyStatement(new PolicyStatementProps
                        {
                            // CreateLogGroup stays: the setting serves every API of the account, not only the platform's,
                            // whose groups are created in their templates.
                            Actions = new[] { "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents" },
                            Resources = new[] { $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:API-Gateway-Execution-Logs_*" },
                        }),
                    },
                }),
            },
        });
        role.ApplyRemovalPolicy(RemovalPolicy.RETAIN);
        Suppressions.AddCompliance(role, "IAMNoInlinePolicy", PlatformAspects.InlinePolicyReason);
        Suppressions.Add(role, "AwsSolutions-IAM5",
            "API Gateway names its execution log groups API-Gateway-Execution-Logs_{apiId}/{stage} at run time; the policy is limited to that prefix in this account and region.",
            "Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:API-Gateway-Execution-Logs_*");
        var account = new CfnAccount(holder, "Account", new CfnAccountProps { CloudWatchRoleArn = role.RoleArn });
        account.ApplyRemovalPolicy(RemovalPolicy.RETAIN);
        return holder;
    }

    // Two platforms (or standalone APIs) in different stacks of one account and region would each set the account's
    // role, the last deployed winning and a deletion orphaning the other's: say so instead of failing, since stacks of
    // an environment-agnostic app may still be deployed to different accounts.
    private static void WarnIfAnotherStackSetsIt(Stack stack, IConstruct holder)
    {
        var other = stack.Node.Root.Node.FindAll().OfType<Stack>()
            .FirstOrDefault(s => s != stack && s.Node.TryFindChild(Id) is not null && s.Account == stack.Account && s.Region == stack.Region);
        if (other is null) return;
        Annotations.Of(holder).AddWarningV2("AwsModelPlatform:ApiGatewayAccountLogging",
            $"Stack '{other.Node.Path}' already sets API Gateway's account-wide logging role; this stack's platform sets it too, and in one account and region the last deployed wins. " +
            "Build the APIs of an account on one shared ModelPlatform so one stack owns the setting.");
    }
}
