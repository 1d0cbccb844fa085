using System.Text.RegularExpressions;
using Amazon.CDK.AWS.IAM;
using ITopic = Amazon.CDK.AWS.SNS.ITopic;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// The role SageMaker runs an endpoint's model with, written out statement by statement: pull its image, read its model
/// data, use the platform key, write captures and async results and read async inputs of the endpoint's own bucket,
/// write its own log group, publish SageMaker metrics, manage the network interfaces of VPC mode, and publish async
/// notifications when the endpoint has them. No managed policy; no S3 or KMS action on <c>*</c>.
/// </summary>
internal static class EndpointExecutionRole
{
    /// <summary>The role with every statement but the async notifications (<see cref="AllowPublish"/>, which the async mode adds once its topics exist).</summary>
    public static Role Create(GpuModelEndpoint endpoint, GpuModelEndpointProps props, string dataBucketName, bool inVpc)
    {
        var stack = Stack.Of(endpoint);
        var role = new Role(endpoint, "ExecutionRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("sagemaker.amazonaws.com"),
            Description = $"Execution role of SageMaker endpoint {endpoint.EndpointName}: pull its image, read its model data, write its captures and results",
        });
        void Allow(string sid, string[] actions, string[] resources, Dictionary<string, object>? conditions = null) =>
            role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps { Sid = sid, Actions = actions, Resources = resources, Conditions = conditions }));

        // PullModelImage and EcrAuthToken: the image's repository only (GetAuthorizationToken takes no resource).
        foreach (var statement in props.Image.PullStatements(endpoint)) role.AddToPrincipalPolicy(statement);
        if (props.ModelData is { } modelData)
        {
            // ReadModelData (and ListModelData for a prefix): the archive or the prefix, nothing else of the bucket.
            foreach (var statement in modelData.ReadStatements()) role.AddToPrincipalPolicy(statement);
            // Weights encrypted with a key of their own: SageMaker decrypts them with the role's credentials.
            if (modelData.Bucket.EncryptionKey is { } modelKey && modelKey != endpoint.Platform.Key.Key)
                Allow("DecryptModelData", new[] { "kms:Decrypt" }, new[] { modelKey.KeyArn });
        }
        // The data bucket, the log group, the volume and the topics are encrypted with the platform key.
        Allow("UsePlatformKey", new[] { "kms:Decrypt", "kms:GenerateDataKey" }, new[] { endpoint.Platform.Key.Key.KeyArn });
        // SageMaker writes captured requests and async results and failures as the role, each under its own prefix.
        var dataBucketArn = $"arn:{stack.Partition}:s3:::{dataBucketName}";
        Allow("WriteCapturesAndResults", new[] { "s3:PutObject" },
            new[] { $"{dataBucketArn}/{GpuModelEndpoint.DataCapturePrefix}*", $"{dataBucketArn}/{GpuModelEndpoint.AsyncOutputPrefix}*", $"{dataBucketArn}/{GpuModelEndpoint.AsyncFailurePrefix}*" });
        // An async request's payload is read from where the API put it.
        Allow("ReadAsyncInputs", new[] { "s3:GetObject" }, new[] { $"{dataBucketArn}/{GpuModelEndpoint.AsyncInputPrefix}*" });
        // SageMaker writes the container logs to the group named after the endpoint, which the template creates
        // (encrypted, expiring): streams of that group only, and no logs:CreateLogGroup.
        Allow("EndpointLogs", new[] { "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams" },
            new[] { $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:{GpuModelEndpoint.LogGroupNameOf(endpoint.EndpointName)}:*" });
        // PutMetricData takes no resource: the namespaces SageMaker publishes in, by condition.
        Allow("EndpointMetrics", new[] { "cloudwatch:PutMetricData" }, new[] { "*" },
            new Dictionary<string, object> { ["StringLike"] = new Dictionary<string, object> { ["cloudwatch:namespace"] = new[] { "/aws/sagemaker/*", "AWS/SageMaker" } } });
        // In VPC mode SageMaker attaches the model's network interfaces in the platform's subnets; these actions take no resource.
        if (inVpc)
            Allow("VpcNetworkInterfaces", new[]
            {
                "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
                "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
            }, new[] { "*" });
        SuppressWildcards(role, endpoint.EndpointName, dataBucketName, props.ModelData);
        return role;
    }

    /// <summary>PublishAsyncNotifications: SageMaker announces finished and failed async requests on the endpoint's topics as the role.</summary>
    public static void AllowPublish(Role role, params ITopic[] topics) => role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
    {
        Sid = "PublishAsyncNotifications",
        Actions = new[] { "sns:Publish" },
        Resources = topics.Select(t => t.TopicArn).ToArray(),
    }));

    /// <summary>The role's default policy, on which the model and the endpoint config wait.</summary>
    public static Policy PolicyOf(Role role) => (Policy)role.Node.FindChild("DefaultPolicy");

    private static void SuppressWildcards(Role role, string endpointName, string dataBucketName, ModelData? modelData)
    {
        const string AnyPartition = "(<AWS::Partition>|aws[a-z-]*)"; // how cdk-nag prints a partition: the pseudo parameter, or a literal
        var wildcards = new List<string>
        {
            "Resource::*",
            $"/^Resource::arn:{AnyPartition}:s3:::{Regex.Escape(dataBucketName[..dataBucketName.IndexOf("-data-", StringComparison.Ordinal)])}-data-.*\\/({string.Join("|", new[] { GpuModelEndpoint.DataCapturePrefix, GpuModelEndpoint.AsyncOutputPrefix, GpuModelEndpoint.AsyncFailurePrefix, GpuModelEndpoint.AsyncInputPrefix }.Select(p => Regex.Escape(p.TrimEnd('/'))))})\\/\\*$/g",
            $"/^Resource::arn:{AnyPartition}:logs:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\\d{{12}}):log-group:\\/aws\\/sagemaker\\/Endpoints\\/{Regex.Escape(endpointName)}:\\*$/g",
        };
        if (modelData?.WildcardSuffix is { } modelDataWildcard)
            wildcards.Add($"/^Resource::.*\\/{Regex.Escape(modelDataWildcard).Replace("/", "\\/")}$/g");
        Suppressions.Add(PolicyOf(role), "AwsSolutions-IAM5",
            "Each wildcard is as narrow as the service allows: Resource::* only for ecr:GetAuthorizationToken and the ec2 network-interface actions SageMaker needs in VPC mode, which take no resource, " +
            "and for cloudwatch:PutMetricData, which takes none and is limited to SageMaker namespaces by condition; the S3 object wildcards are the model-data prefix and this endpoint's " +
            "data-capture/async prefixes of its own bucket; the log wildcard is the streams of this endpoint's log group.",
            wildcards.ToArray());
    }
}
