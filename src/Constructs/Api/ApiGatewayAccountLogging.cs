using Amazon.CDK.AWS.APIGateway;
using Amazon.CDK.AWS.IAM;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// API Gateway writes execution logs and access logs with one role per account and region (<c>AWS::ApiGateway::Account</c>),
/// for every REST API of that account and region, other teams' too. The setting belongs to what outlives the APIs: it
/// is created once, in the stack of the platform the API runs on (the stack of a standalone API when the platform is
/// its own), and every stage of that platform depends on it. The role and the setting are retained when that stack is
/// deleted: deleting the stack must not stop every API's logs. Since the setting is shared, the role gets exactly the
/// actions AWS documents for it (those of the managed <c>AmazonAPIGatewayPushToCloudWatchLogs</c>), on the log groups
/// of this account and region instead of <c>*</c>: API Gateway writes access logs to whatever group a stage names,
/// so a role narrowed to the platform's own groups would silently stop other APIs' logs. An account whose setting is
/// managed elsewhere turns this off (<see cref="ModelPlatformProps.ManageApiGatewayLoggingRole"/>).
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
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
        if (platform is ModelPlatform { ManageApiGatewayLoggingRole: false })
        {
            Annotations.Of(holder).AddWarningV2("AwsModelPlatform:ApiGatewayLoggingRoleManagedElsewhere",
                "API Gateway's account-wide CloudWatch role is not set by this platform (ManageApiGatewayLoggingRole = false): the account's setting must name a role " +
                $"that may {string.Join(", ", Actions)} on the log groups of this account and region, or stages with logging fail to deploy and access logs are never written.");
            return holder;
        }
        WarnIfAnotherStackSetsIt(stack, holder);
        var role = new Role(holder, "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("apigateway.amazonaws.com"),
            Description = "API Gateway execution and access logs of every REST API of this account and region (retained: the account setting keeps pointing to it)",
            InlinePolicies = new Dictionary<string, PolicyDocument>
            {
                ["PushToCloudWatchLogs"] = new(new PolicyDocumentProps
                {
                    Statements = new[]
                    {
                        new PolicyStatement(new PolicyStatementProps
                        {
                            Sid = "ExecutionAndAccessLogsOfThisAccountAndRegion",
                            Actions = Actions,
                            Resources = new[] { LogGroupsOf(stack) },
                        }),
                    },
                }),
            },
        });
        role.ApplyRemovalPolicy(RemovalPolicy.RETAIN);
        Suppressions.AddCompliance(role, "IAMNoInlinePolicy", PlatformAspects.InlinePolicyReason);
        Suppressions.Add(role, "AwsSolutions-IAM5",
            "The account's one API Gateway logging role writes execution logs (API-Gateway-Execution-Logs_{apiId}/{stage}) and access logs to the group each stage of every API of the account names; it is limited to the log groups of this account and region and to the actions of AWS's AmazonAPIGatewayPushToCloudWatchLogs.",
            "Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*");
        var account = new CfnAccount(holder, "Account", new CfnAccountProps { CloudWatchRoleArn = role.RoleArn });
        account.ApplyRemovalPolicy(RemovalPolicy.RETAIN);
        return holder;
    }

    /// <summary>The actions of the managed <c>AmazonAPIGatewayPushToCloudWatchLogs</c>, the permissions AWS documents for the role.</summary>
    internal static readonly string[] Actions =
    {
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents",
    };

    private static string LogGroupsOf(Stack stack) => $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:*";

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
