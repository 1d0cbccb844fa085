using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.Sagemaker;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// Real-time instances: one production variant serving the model, data capture (on by default), blue/green deployment
/// guardrails rolled back on the endpoint's alarms (on by default), and target tracking on invocations per instance.
/// <see cref="AsyncVariant"/> changes the defaults and adds the queue.
/// </summary>
internal class RealTimeVariant(GpuModelEndpoint owner, RealTimeHosting hosting) : InstanceVariant(owner, hosting)
{
    protected RealTimeHosting Hosting { get; } = hosting;

    /// <summary>Capture when the hosting record sets none.</summary>
    protected virtual DataCapture DefaultCapture => new();

    /// <summary>Guardrails when the hosting record sets none.</summary>
    protected virtual DeploymentGuardrails DefaultGuardrails => new();

    /// <summary>The endpoint config's <c>AsyncInferenceConfig</c>; none for a synchronous endpoint.</summary>
    protected virtual CfnEndpointConfig.AsyncInferenceConfigProperty? AsyncConfig() => null;

    public override CfnEndpointConfigProps EndpointConfig(NetworkPlacement? network)
    {
        var capture = Hosting.DataCapture ?? DefaultCapture;
        return new CfnEndpointConfigProps
        {
            KmsKeyId = VolumeKmsKeyId,
            ProductionVariants = new object[]
            {
                new CfnEndpointConfig.ProductionVariantProperty
                {
                    VariantName = GpuModelEndpoint.VariantName,
                    ModelName = Owner.Model.AttrModelName,
                    InstanceType = VariantInstanceType,
                    InitialInstanceCount = Hosting.EffectiveInitial,
                    InitialVariantWeight = 1,
                    VolumeSizeInGb = Hosting.VolumeSizeInGb,
                    ContainerStartupHealthCheckTimeoutInSeconds = Hosting.ContainerStartupTimeout.ToSeconds(),
                    ModelDataDownloadTimeoutInSeconds = Hosting.ModelDownloadTimeout.ToSeconds(),
                },
            },
            DataCaptureConfig = capture.Enabled
                ? new CfnEndpointConfig.DataCaptureConfigProperty
                {
                    EnableCapture = true,
                    InitialSamplingPercentage = capture.SamplingPercent,
                    DestinationS3Uri = $"s3://{DataBucketName}/{GpuModelEndpoint.DataCapturePrefix.TrimEnd('/')}",
                    KmsKeyId = Owner.Platform.Key.Key.KeyArn,
                    CaptureOptions = new object[]
                    {
                        capture.CaptureInput ? new CfnEndpointConfig.CaptureOptionProperty { CaptureMode = "Input" } : null!,
                        capture.CaptureOutput ? new CfnEndpointConfig.CaptureOptionProperty { CaptureMode = "Output" } : null!,
                    }.Where(o => o is not null).ToArray(),
                    CaptureContentTypeHeader = new CfnEndpointConfig.CaptureContentTypeHeaderProperty { JsonContentTypes = new[] { "application/json" } },
                }
                : null,
            AsyncInferenceConfig = AsyncConfig(),
        };
    }

    /// <summary>Blue/green: a canary when at least two instances start (a canary of one is the whole fleet), else all at once with a bake; rolled back on the alarms that watch requests.</summary>
    public override void ConfigureDeployment(EndpointAlarms alarms)
    {
        var guardrails = Hosting.Guardrails ?? DefaultGuardrails;
        if (!guardrails.Enabled) return;
        var traffic = guardrails.Traffic ?? (Hosting.EffectiveInitial >= 2 ? TrafficShift.Canary(10, Duration.Minutes(10)) : TrafficShift.AllAtOnce(Duration.Minutes(10)));
        var routing = new CfnEndpoint.TrafficRoutingConfigProperty
        {
            Type = traffic.Type,
            WaitIntervalInSeconds = traffic.Wait.ToSeconds(),
            CanarySize = traffic.Type == "CANARY" ? new CfnEndpoint.CapacitySizeProperty { Type = "CAPACITY_PERCENT", Value = traffic.Percent!.Value } : null,
            LinearStepSize = traffic.Type == "LINEAR" ? new CfnEndpoint.CapacitySizeProperty { Type = "CAPACITY_PERCENT", Value = traffic.Percent!.Value } : null,
        };
        var rollbackAlarms = guardrails.RollbackOnAlarms
            ? new[] { alarms.ServerErrors, alarms.ModelLatency, alarms.BacklogAge }.OfType<Amazon.CDK.AWS.CloudWatch.Alarm>()
                .Select(a => (object)new CfnEndpoint.AlarmProperty { AlarmName = a.AlarmName }).ToArray()
            : Array.Empty<object>();
        Owner.Endpoint.DeploymentConfig = new CfnEndpoint.DeploymentConfigProperty
        {
            BlueGreenUpdatePolicy = new CfnEndpoint.BlueGreenUpdatePolicyProperty
            {
                TrafficRoutingConfiguration = routing,
                TerminationWaitInSeconds = guardrails.TerminationWait.ToSeconds(),
                MaximumExecutionTimeoutInSeconds = guardrails.MaximumExecutionTimeout.ToSeconds(),
            },
            AutoRollbackConfiguration = rollbackAlarms.Length > 0 ? new CfnEndpoint.AutoRollbackConfigProperty { Alarms = rollbackAlarms } : null,
        };
    }

    /// <summary>Target tracking on <c>SageMakerVariantInvocationsPerInstance</c> at the sustainable rate × 60 × the target utilization.</summary>
    public override void ConfigureScaling()
    {
        if (InstanceScaling() is not { } target) return;
        TargetTracking("InvocationsPerInstance", target, Hosting.MaxRequestsPerSecondPerInstance * 60 * Hosting.TargetUtilizationPercent / 100.0,
            new CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty
            {
                PredefinedMetricSpecification = new CfnScalingPolicy.PredefinedMetricSpecificationProperty { PredefinedMetricType = "SageMakerVariantInvocationsPerInstance" },
            });
    }

    /// <summary>The variant's instance count as a scalable target; none for a fixed fleet.</summary>
    protected CfnScalableTarget? InstanceScaling() => Hosting.EffectiveMax == Hosting.MinInstances
        ? null
        : ScalableTarget("InstanceScaling", $"endpoint/{Owner.EndpointName}/variant/{GpuModelEndpoint.VariantName}", "sagemaker:variant:DesiredInstanceCount",
            Hosting.MinInstances, Hosting.EffectiveMax, Owner.Endpoint, Hosting.WarmSchedule);
}
