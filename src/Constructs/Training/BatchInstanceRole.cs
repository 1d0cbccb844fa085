using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// The role of Batch's EC2 instances, with only what the ECS agent and Docker on them do — register, poll,
/// report, write the jobs' logs, pull the job definitions' images from their ECR repositories — instead of the
/// broad AWS-managed <c>AmazonEC2ContainerServiceforEC2Role</c>.
/// </summary>
internal static class BatchInstanceRole
{
    public static (Role Role, Policy Policy) Create(Construct scope, string id, ILogGroup jobLogs)
    {
        var stack = Stack.Of(scope);
        string Arn(string service, string resource) => $"arn:{stack.Partition}:{service}:{stack.Region}:{stack.Account}:{resource}";
        var role = new Role(scope, id, new RoleProps
        {
            AssumedBy = new ServicePrincipal("ec2.amazonaws.com"),
            Description = "Batch GPU instances: ECS agent and job logs",
        });
        var policy = new Policy(scope, id + "Policy", new PolicyProps
        {
            Roles = new IRole[] { role },
            Statements = new[]
            {
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "EcsAgent",
                    Actions = new[]
                    {
                        "ecs:RegisterContainerInstance", "ecs:DeregisterContainerInstance", "ecs:UpdateContainerInstancesState",
                        "ecs:Poll", "ecs:StartTelemetrySession", "ecs:Submit*",
                    },
                    Resources = new[] { Arn("ecs", "cluster/*"), Arn("ecs", "container-instance/*") },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "NoResourceLevelPermissions",
                    Actions = new[] { "ecs:DiscoverPollEndpoint", "ec2:DescribeTags" },
                    Resources = new[] { "*" },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "JobLogs",
                    Actions = new[] { "logs:CreateLogStream", "logs:PutLogEvents" },
                    Resources = new[] { jobLogs.LogGroupArn, jobLogs.LogGroupArn + ":log-stream:*" },
                }),
            },
        });
        Suppressions.Add(policy, "AwsSolutions-IAM5",
            "Batch names the ECS cluster and container instances of a compute environment at run time, so the agent's actions are scoped to this account and region's ECS resources; ecs:Submit* is the agent's family of state reports; DiscoverPollEndpoint, DescribeTags and ecr:GetAuthorizationToken have no resource-level permissions (image pulls themselves are limited to the job definitions' repositories); log streams are created per job.",
            $"Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:cluster/*",
            $"Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:container-instance/*",
            "Action::ecs:Submit*",
            "Resource::*",
            Suppressions.Matching(@"^Resource::<.*Logs[0-9A-F]{8}\.Arn>:log-stream:\*$"));
        return (role, policy);
    }

    /// <summary>
    /// Lets the instances pull from these ECR repositories. On EC2, ECS pulls a task's image from a private ECR
    /// repository with the container instance role ("Using Amazon ECR images with Amazon ECS":
    /// https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html): ecr:BatchGetImage,
    /// ecr:GetDownloadUrlForLayer and ecr:GetAuthorizationToken, plus ecr:BatchCheckLayerAvailability as the managed
    /// AmazonEC2ContainerServiceforEC2Role grants it. The token has no resource-level permissions; the pulls are
    /// limited to the repositories of the job definitions.
    /// </summary>
    public static void AllowImagePulls(Policy policy, IReadOnlyCollection<string> repositoryArns)
    {
        if (repositoryArns.Count == 0) return;
        policy.AddStatements(
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "PullJobImages",
                Actions = new[] { "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage" },
                Resources = repositoryArns.ToArray(),
            }),
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "EcrAuthorizationToken",
                Actions = new[] { "ecr:GetAuthorizationToken" },
                Resources = new[] { "*" },
            }));
    }
}
