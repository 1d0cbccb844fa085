using Amazon.CDK.AWS.APIGateway;
using Amazon.CDK.AWS.IAM;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// API Gateway writes execution logs with one role per account and region. This sets it once per stack, with an
/// inline policy limited to API Gateway's own log groups instead of the managed <c>AmazonAPIGatewayPushToCloudWatchLogs</c>.
/// </summary>
internal static class ApiGatewayAccountLogging
{
    private const string Id = "ApiGatewayAccountLogging";

    /// <summary>The construct holding the account setting; stages with execution logging must depend on it.</summary>
    public static IConstruct Ensure(IConstruct scope)
    {
        var stack = Stack.Of(scope);
        if (stack.Node.TryFindChild(Id) is { } existing) return existing;
        var holder = new Construct(stack, Id);
        var role = new Role(holder, "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("apigateway.amazonaws.com"),
            Description = "API Gateway execution logs of this account and region",
        });
        var policy = new Policy(holder, "Policy", new PolicyProps
        {
            Roles = new IRole[] { role },
            Statements = new[]
            {
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = new[] { "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents" },
                    Resources = new[] { $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:API-Gateway-Execution-Logs_*" },
                }),
            },
        });
        Suppressions.Add(policy, "AwsSolutions-IAM5",
            "API Gateway names its execution log groups API-Gateway-Execution-Logs_{apiId}/{stage} at run time; the policy is limited to that prefix in this account and region.",
            "Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:API-Gateway-Execution-Logs_*");
        var account = new CfnAccount(holder, "Account", new CfnAccountProps { CloudWatchRoleArn = role.RoleArn });
        account.Node.AddDependency(policy);
        return holder;
    }
}
