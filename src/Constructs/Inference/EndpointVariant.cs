using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Sagemaker;
using Amazon.CDK.AWS.SNS;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// What one hosting mode builds of a <see cref="GpuModelEndpoint"/>, chosen by its <see cref="EndpointHosting"/> record
/// (<see cref="EndpointHosting.Variant"/>): the production variant and the rest of the endpoint config, the resources only
/// that mode has, its deployment policy and its scaling. The endpoint calls these in the order they are declared here;
/// what every mode shares (network, bucket, role, logs, model, alarms, cost, dashboard) stays in the endpoint.
/// </summary>
internal abstract class EndpointVariant(GpuModelEndpoint owner)
{
    /// <summary>The endpoint the resources belong to (their scope).</summary>
    protected GpuModelEndpoint Owner { get; } = owner;

    /// <summary>The instance type; null when the mode runs on no instance of the account's (serverless).</summary>
    public virtual SageMakerInstanceType? InstanceType => null;

    /// <summary>Whether the model runs in the platform's VPC and may be network-isolated.</summary>
    public virtual bool InVpc => true;

    /// <summary>Whether the endpoint queues requests (<c>InvokeEndpointAsync</c>).</summary>
    public virtual bool IsAsync => false;

    /// <summary>The name of the endpoint's inference component, if the mode has one.</summary>
    public virtual string? InferenceComponentName => null;

    /// <summary>The topic announcing finished async requests, if any.</summary>
    public virtual ITopic? SuccessTopic => null;

    /// <summary>The topic announcing failed async requests, if any.</summary>
    public virtual ITopic? ErrorTopic => null;

    /// <summary>Resources only this mode has, made once the execution role exists and before the model.</summary>
    public virtual void AddModeResources(Role role) { }

    /// <summary>The endpoint config: the production variant and what this mode adds to it.</summary>
    public abstract CfnEndpointConfigProps EndpointConfig(NetworkPlacement? network);

    /// <summary>Why the endpoint config cannot carry a volume KMS key (the reason of the compliance exemption); null when it carries one.</summary>
    public abstract string? VolumeKeyExemption { get; }

    /// <summary>What the mode adds once the endpoint exists: the inference component, if any.</summary>
    public virtual CfnInferenceComponent? AddToEndpoint() => null;

    /// <summary>How a new endpoint config is rolled out, given the endpoint's alarms.</summary>
    public virtual void ConfigureDeployment(EndpointAlarms alarms) { }

    /// <summary>Application Auto Scaling of the mode, if it scales.</summary>
    public virtual void ConfigureScaling() { }

    /// <summary>The bucket's name as the config writes it into S3 URIs: the literal the endpoint chose, so the config names it without a reference.</summary>
    protected string DataBucketName => ((Amazon.CDK.AWS.S3.CfnBucket)Owner.DataBucket.Node.DefaultChild!).BucketName!;
}

/// <summary>Where the model's network interfaces go: the endpoint's security group in the platform's workload subnets.</summary>
internal sealed record NetworkPlacement(ISecurityGroup SecurityGroup, string[] SubnetIds);
