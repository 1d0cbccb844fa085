using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Sagemaker;
using Amazon.CDK.AWS.SNS;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// An asynchronous real-time endpoint: the queue's output and failure paths in the endpoint's bucket, KMS-encrypted
/// success and error topics, no data capture and no guardrails unless asked (requests and results are in S3 already),
/// target tracking on the backlog per instance and a step out from zero on <c>HasBacklogWithoutCapacity</c>.
/// </summary>
internal sealed class AsyncVariant(GpuModelEndpoint owner, RealTimeHosting hosting, AsyncInference options) : RealTimeVariant(owner, hosting)
{
    private Topic? _success;
    private Topic? _error;

    public override bool IsAsync => true;

    public override ITopic? SuccessTopic => _success;

    public override ITopic? ErrorTopic => _error;

    protected override DataCapture DefaultCapture => DataCapture.Off;

    protected override DeploymentGuardrails DefaultGuardrails => DeploymentGuardrails.None;

    /// <summary>The notification topics, which the execution role may publish to.</summary>
    public override void AddModeResources(Role role)
    {
        if (!options.Notifications) return;
        _success = NewTopic("AsyncSuccess", "succeeded");
        _error = NewTopic("AsyncError", "failed");
        EndpointExecutionRole.AllowPublish(role, _success, _error);
    }

    protected override CfnEndpointConfig.AsyncInferenceConfigProperty AsyncConfig() => new()
    {
        ClientConfig = options.MaxConcurrentInvocationsPerInstance is { } perInstance
            ? new CfnEndpointConfig.AsyncInferenceClientConfigProperty { MaxConcurrentInvocationsPerInstance = perInstance }
            : null,
        OutputConfig = new CfnEndpointConfig.AsyncInferenceOutputConfigProperty
        {
            S3OutputPath = $"s3://{DataBucketName}/{GpuModelEndpoint.AsyncOutputPrefix}",
            S3FailurePath = $"s3://{DataBucketName}/{GpuModelEndpoint.AsyncFailurePrefix}",
            KmsKeyId = Owner.Platform.Key.Key.KeyArn,
            NotificationConfig = _success is not null
                ? new CfnEndpointConfig.AsyncInferenceNotificationConfigProperty { SuccessTopic = _success.TopicArn, ErrorTopic = _error!.TopicArn }
                : null,
        },
    };

    /// <summary>Backlog per instance held at <see cref="AsyncInference.TargetBacklogPerInstance"/>, down to zero instances, and back out from zero.</summary>
    public override void ConfigureScaling()
    {
        if (InstanceScaling() is not { } target) return;
        TargetTracking("BacklogPerInstance", target, options.TargetBacklogPerInstance,
            new CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty
            {
                CustomizedMetricSpecification = new CfnScalingPolicy.CustomizedMetricSpecificationProperty
                {
                    Namespace = "AWS/SageMaker",
                    MetricName = "ApproximateBacklogSizePerInstance",
                    Dimensions = new object[] { new CfnScalingPolicy.MetricDimensionProperty { Name = "EndpointName", Value = Owner.EndpointName } },
                    Statistic = "Average",
                },
            });
        if (Hosting.MinInstances == 0)
            ScaleOutFromZero(target, Owner.MetricHasBacklogWithoutCapacity(new MetricOptions { Period = Duration.Minutes(1) }),
                $"{Owner.EndpointName} has queued requests and no instance: add one (scale out from zero).");
    }

    private Topic NewTopic(string id, string what) => new(Owner, id, new TopicProps
    {
        DisplayName = $"Async inference requests that {what} on {Owner.EndpointName}",
        MasterKey = Owner.Platform.Key.Key,
        EnforceSSL = true,
    });
}
