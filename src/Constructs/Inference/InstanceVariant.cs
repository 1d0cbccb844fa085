using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.Sagemaker;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// What the instance modes (real-time, async, inference components) share: the instance type, the volume key where the
/// type takes one, and the Application Auto Scaling pieces their scaling is made of.
/// </summary>
internal abstract class InstanceVariant(GpuModelEndpoint owner, InstanceHosting hosting) : EndpointVariant(owner)
{
    /// <summary>The type SageMaker tries first (with instance pools, the others share its accelerators).</summary>
    public override SageMakerInstanceType InstanceType { get; } = SageMakerInstanceTypes.Get(hosting.PrimaryType);

    /// <summary>Every type the variant may run on, by priority.</summary>
    protected IReadOnlyList<SageMakerInstanceType> Types { get; } = hosting.Types.Select(SageMakerInstanceTypes.Get).ToList();

    /// <summary>The production variant's <c>InstanceType</c>: none with instance pools, which replace it.</summary>
    protected string? VariantInstanceType => hosting.HasPools ? null : hosting.InstanceType;

    // One config serves every pool: if any type has local NVMe storage, SageMaker refuses the key for all of them.
    private IReadOnlyList<SageMakerInstanceType> NvmeTypes => Types.Where(t => !t.AcceptsVolumeKmsKey).ToList();

    /// <summary>The platform key for the instances' storage volume; none when a type (any pool's) has local NVMe storage, which SageMaker refuses it for.</summary>
    protected string? VolumeKmsKeyId => NvmeTypes.Count == 0 ? Owner.Platform.Key.Key.KeyArn : null;

    // The config carries the platform key wherever SageMaker takes one; an NVMe type is SageMaker's exception, and says so on the resource.
    public override string? VolumeKeyExemption => NvmeTypes.Count == 0
        ? null
        : $"{string.Join(", ", NvmeTypes.Select(t => t.Name))} {(NvmeTypes.Count == 1 ? "has" : "have")} local NVMe instance storage, encrypted by a hardware module on the instance; SageMaker refuses a KmsKeyId for such " +
          $"instance types and CreateEndpointConfig fails if one is given ({GpuModelEndpoint.EndpointConfigApiReference}). Data capture and async outputs, where the endpoint has them, are written with the platform key.";

    // InstancePools is newer than CDK 2.160's CfnEndpointConfig: written as an override, in the shape of
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-sagemaker-endpointconfig-instancepool.html
    // (InstanceType and Priority, 1 = highest), in place of the variant's InstanceType.
    public override void CompleteEndpointConfig(CfnEndpointConfig config)
    {
        if (!hosting.HasPools) return;
        config.AddPropertyOverride("ProductionVariants.0.InstancePools",
            Types.Select((t, i) => (object)new Dictionary<string, object> { ["InstanceType"] = t.Name, ["Priority"] = i + 1 }).ToArray());
    }

    // The service-linked role AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint is used: no RoleARN is given.
    // A warm window is two scheduled actions on the target: the start raises MinCapacity (AAS scales out to it at
    // once), the end puts it back and target tracking scales in from there.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-applicationautoscaling-scalabletarget-scheduledaction.html
    protected CfnScalableTarget ScalableTarget(string id, string resourceId, string dimension, int min, int max, CfnResource scaled, WarmSchedule? warm = null)
    {
        var target = new CfnScalableTarget(Owner, id, new CfnScalableTargetProps
        {
            ServiceNamespace = "sagemaker",
            ResourceId = resourceId,
            ScalableDimension = dimension,
            MinCapacity = min,
            MaxCapacity = max,
            ScheduledActions = warm is null ? null : new object[]
            {
                new CfnScalableTarget.ScheduledActionProperty
                {
                    ScheduledActionName = $"{Owner.EndpointName}-warm-window-start",
                    Schedule = warm.StartCron.Expression,
                    Timezone = warm.TimeZone,
                    ScalableTargetAction = new CfnScalableTarget.ScalableTargetActionProperty { MinCapacity = warm.MinCapacity },
                },
                new CfnScalableTarget.ScheduledActionProperty
                {
                    ScheduledActionName = $"{Owner.EndpointName}-warm-window-end",
                    Schedule = warm.EndCron.Expression,
                    Timezone = warm.TimeZone,
                    ScalableTargetAction = new CfnScalableTarget.ScalableTargetActionProperty { MinCapacity = min },
                },
            },
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
