using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.Sagemaker;

namespace AwsModelPlatform.Constructs.Inference;

// Deployment guardrails and Application Auto Scaling of the endpoint.
public sealed partial class GpuModelEndpoint
{
    private void ConfigureGuardrails(RealTimeHosting rt)
    {
        var guardrails = rt.Guardrails ?? (rt.Async is null ? new DeploymentGuardrails() : DeploymentGuardrails.None);
        if (!guardrails.Enabled) return;
        var traffic = guardrails.Traffic ?? (rt.EffectiveInitial >= 2 ? TrafficShift.Canary(10, Duration.Minutes(10)) : TrafficShift.AllAtOnce(Duration.Minutes(10)));
        var routing = new CfnEndpoint.TrafficRoutingConfigProperty
        {
            Type = traffic.Type,
            WaitIntervalInSeconds = traffic.Wait.ToSeconds(),
            CanarySize = traffic.Type == "CANARY" ? new CfnEndpoint.CapacitySizeProperty { Type = "CAPACITY_PERCENT", Value = traffic.Percent!.Value } : null,
            LinearStepSize = traffic.Type == "LINEAR" ? new CfnEndpoint.CapacitySizeProperty { Type = "CAPACITY_PERCENT", Value = traffic.Percent!.Value } : null,
        };
        var rollbackAlarms = guardrails.RollbackOnAlarms
            ? _alarms.Where(a => a.Key is "ServerErrors" or "ModelLatency" or "BacklogAge")
                .Select(a => (object)new CfnEndpoint.AlarmProperty { AlarmName = a.Value.AlarmName }).ToArray()
            : Array.Empty<object>();
        Endpoint.DeploymentConfig = new CfnEndpoint.DeploymentConfigProperty
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

    private void ConfigureAutoScaling()
    {
        switch (_hosting)
        {
            case InferenceComponentHosting ic:
            {
                var maxCopies = ic.MaxCopies ?? MaxCopiesThatFit(ic);
                if (maxCopies == ic.MinCopies) break;
                var target = ScalableTarget("CopyScaling", $"inference-component/{_inferenceComponentName}", "sagemaker:inference-component:DesiredCopyCount",
                    ic.MinCopies, maxCopies, InferenceComponent!);
                TargetTracking("InvocationsPerCopy", target, ic, ic.MaxRequestsPerSecondPerCopy * 60 * ic.TargetUtilizationPercent / 100.0,
                    new CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty
                    {
                        PredefinedMetricSpecification = new CfnScalingPolicy.PredefinedMetricSpecificationProperty { PredefinedMetricType = "SageMakerInferenceComponentInvocationsPerCopy" },
                    });
                if (ic.MinCopies == 0)
                    ScaleOutFromZero("ScaleOutFromZero", target, ic, MetricNoCapacityInvocationFailures(new MetricOptions { Period = Duration.Minutes(1) }),
                        $"Requests to {_inferenceComponentName} find no copy to serve them: add one (scale out from zero).");
                break;
            }
            case RealTimeHosting { Async: { } async } rt:
            {
                if (rt.EffectiveMax == rt.MinInstances) break;
                var target = ScalableTarget("InstanceScaling", $"endpoint/{EndpointName}/variant/{VariantName}", "sagemaker:variant:DesiredInstanceCount",
                    rt.MinInstances, rt.EffectiveMax, Endpoint);
                TargetTracking("BacklogPerInstance", target, rt, async.TargetBacklogPerInstance,
                    new CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty
                    {
                        CustomizedMetricSpecification = new CfnScalingPolicy.CustomizedMetricSpecificationProperty
                        {
                            Namespace = "AWS/SageMaker",
                            MetricName = "ApproximateBacklogSizePerInstance",
                            Dimensions = new object[] { new CfnScalingPolicy.MetricDimensionProperty { Name = "EndpointName", Value = EndpointName } },
                            Statistic = "Average",
                        },
                    });
                if (rt.MinInstances == 0)
                    ScaleOutFromZero("ScaleOutFromZero", target, rt, MetricHasBacklogWithoutCapacity(new MetricOptions { Period = Duration.Minutes(1) }),
                        $"{EndpointName} has queued requests and no instance: add one (scale out from zero).");
                break;
            }
            case RealTimeHosting rt:
            {
                if (rt.EffectiveMax == rt.MinInstances) break;
                var target = ScalableTarget("InstanceScaling", $"endpoint/{EndpointName}/variant/{VariantName}", "sagemaker:variant:DesiredInstanceCount",
                    rt.MinInstances, rt.EffectiveMax, Endpoint);
                TargetTracking("InvocationsPerInstance", target, rt, rt.MaxRequestsPerSecondPerInstance * 60 * rt.TargetUtilizationPercent / 100.0,
                    new CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty
                    {
                        PredefinedMetricSpecification = new CfnScalingPolicy.PredefinedMetricSpecificationProperty { PredefinedMetricType = "SageMakerVariantInvocationsPerInstance" },
                    });
                break;
            }
        }
    }

    private int MaxCopiesThatFit(InferenceComponentHosting ic) => MaxCopiesThatFit(ic, _instanceType!);

    // Copies MaxInstances hold when MaxCopies is unset: whole copies per instance by accelerators (one per instance without).
    private static int MaxCopiesThatFit(InferenceComponentHosting ic, SageMakerInstanceType type) =>
        ic.AcceleratorsPerCopy > 0 ? Math.Max(1, ic.EffectiveMax * (type.Accelerators / ic.AcceleratorsPerCopy)) : ic.EffectiveMax;

    // The service-linked role AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint is used: no RoleARN is given.
    private CfnScalableTarget ScalableTarget(string id, string resourceId, string dimension, int min, int max, CfnResource scaled)
    {
        var target = new CfnScalableTarget(this, id, new CfnScalableTargetProps
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

    private void TargetTracking(string id, CfnScalableTarget target, InstanceHosting hosting, double targetValue, CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty config)
    {
        config.TargetValue = Math.Round(targetValue, 3);
        config.ScaleInCooldown = hosting.ScaleInCooldown.ToSeconds();
        config.ScaleOutCooldown = hosting.ScaleOutCooldown.ToSeconds();
        _ = new CfnScalingPolicy(this, id + "Scaling", new CfnScalingPolicyProps
        {
            PolicyName = $"{EndpointName}-{id}",
            PolicyType = "TargetTrackingScaling",
            ScalingTargetId = target.Ref,
            TargetTrackingScalingPolicyConfiguration = config,
        });
    }

    private void ScaleOutFromZero(string id, CfnScalableTarget target, InstanceHosting hosting, Metric signal, string description)
    {
        var policy = new CfnScalingPolicy(this, id + "Scaling", new CfnScalingPolicyProps
        {
            PolicyName = $"{EndpointName}-{id}",
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
        var alarm = new Alarm(this, id + "Alarm", new AlarmProps
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
