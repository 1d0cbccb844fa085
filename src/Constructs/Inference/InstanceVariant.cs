using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// What the instance modes (real-time, async, inference components) share: the instance type, the volume key where the
/// type takes one, and the Application Auto Scaling pieces their scaling is made of.
/// </summary>
internal abstract class InstanceVariant(GpuModelEndpoint owner, InstanceHosting hosting) : EndpointVariant(owner)
{
    /// <inheritdoc />
    public override SageMakerInstanceType InstanceType { get; } = SageMakerInstanceTypes.Get(hosting.InstanceType);

    /// <summary>The platform key for the instances' storage volume; none for a type with local NVMe storage, which SageMaker refuses it for.</summary>
    protected string? VolumeKmsKeyId => InstanceType.AcceptsVolumeKmsKey ? Owner.Platform.Key.Key.KeyArn : null;

    // The config carries the platform key wherever SageMaker takes one; an NVMe type is SageMaker's exception, and says so on the resource.
    public override string? VolumeKeyExemption => InstanceType.AcceptsVolumeKmsKey
        ? null
        : $"{InstanceType.Name} has local NVMe instance storage, encrypted by a hardware module on the instance; SageMaker refuses a KmsKeyId for such " +
          $"instance types and CreateEndpointConfig fails if one is given ({GpuModelEndpoint.EndpointConfigApiReference}). Data capture and async outputs, where the endpoint has them, are written with the platform key.";

    // The service-linked role AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint is used: no RoleARN is given.
    protected CfnScalableTarget ScalableTarget(string id, string resourceId, string dimension, int min, int max, CfnResource scaled)
    {
        var target = new CfnScalableTarget(Owner, id, new CfnScalableTargetProps
        {
            ServiceNamespace = "sagemaker",
            ResourceId = resourceId,
            ScalableDimension = dimension,
            MinCapacity = min,
            MaxCapacity = max,
        });
        target.AddDependency(scaled);
        return target;
    }

    protected void TargetTracking(string id, CfnScalableTarget target, double targetValue, CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty config)
    {
        config.TargetValue = Math.Round(targetValue, 3);
        config.ScaleInCooldown = hosting.ScaleInCooldown.ToSeconds();
        config.ScaleOutCooldown = hosting.ScaleOutCooldown.ToSeconds();
        _ = new CfnScalingPolicy(Owner, id + "Scaling", new CfnScalingPolicyProps
        {
            PolicyName = $"{Owner.EndpointName}-{id}",
            PolicyType = "TargetTrackingScaling",
            ScalingTargetId = target.Ref,
            TargetTrackingScalingPolicyConfiguration = config,
        });
    }

    /// <summary>One more unit of capacity whenever <paramref name="signal"/> reaches 1: target tracking never scales out from zero.</summary>
    protected void ScaleOutFromZero(CfnScalableTarget target, Metric signal, string description)
    {
        const string id = "ScaleOutFromZero";
        var policy = new CfnScalingPolicy(Owner, id + "Scaling", new CfnScalingPolicyProps
        {
            PolicyName = $"{Owner.EndpointName}-{id}",
            PolicyType = "StepScaling",
            ScalingTargetId = target.Ref,
            StepScalingPolicyConfiguration = new CfnScalingPolicy.StepScalingPolicyConfigurationProperty
            {
                AdjustmentType = "ChangeInCapacity",
                MetricAggregationType = "Maximum",
                Cooldown = hosting.ScaleOutCooldown.ToSeconds(),
                StepAdjustments = new object[] { new CfnScalingPolicy.StepAdjustmentProperty { MetricIntervalLowerBound = 0, ScalingAdjustment = 1 } },
            },
        });
        var alarm = new Alarm(Owner, id + "Alarm", new AlarmProps
        {
            AlarmDescription = description,
            Metric = signal,
            Threshold = 1,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(new PolicyAction(policy.Ref));
    }

    private sealed class PolicyAction(string policyArn) : Amazon.JSII.Runtime.Deputy.DeputyBase, IAlarmAction
    {
        public IAlarmActionConfig Bind(Construct scope, IAlarm alarm) => new AlarmActionConfig { AlarmActionArn = policyArn };
    }
}
