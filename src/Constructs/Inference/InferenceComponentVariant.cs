using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.Sagemaker;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// Inference components: an endpoint config with the execution role, the VPC config and managed instance scaling (down
/// to zero instances) but no model; the model as a component that reserves accelerators and memory per copy; copies
/// that track invocations per copy down to <see cref="InferenceComponentHosting.MinCopies"/> and step back out from zero
/// on <c>NoCapacityInvocationFailures</c>.
/// </summary>
internal sealed class InferenceComponentVariant(GpuModelEndpoint owner, InferenceComponentHosting hosting, bool networkIsolation) : InstanceVariant(owner, hosting)
{
    // Inference component names share the endpoint's 63 characters; "-model" marks the component.
    public override string InferenceComponentName { get; } = TrimName(owner.EndpointName, 55) + "-model";

    public override CfnEndpointConfigProps EndpointConfig(NetworkPlacement? network) => new()
    {
        ExecutionRoleArn = Owner.Role.RoleArn,
        VpcConfig = new CfnEndpointConfig.VpcConfigProperty { SecurityGroupIds = new[] { network!.SecurityGroup.SecurityGroupId }, Subnets = network.SubnetIds },
        EnableNetworkIsolation = networkIsolation,
        KmsKeyId = VolumeKmsKeyId,
        ProductionVariants = new object[]
        {
            new CfnEndpointConfig.ProductionVariantProperty
            {
                VariantName = GpuModelEndpoint.VariantName,
                InstanceType = hosting.InstanceType,
                InitialInstanceCount = hosting.EffectiveInitial,
                VolumeSizeInGb = hosting.VolumeSizeInGb,
                ManagedInstanceScaling = new CfnEndpointConfig.ManagedInstanceScalingProperty
                {
                    Status = "ENABLED",
                    MinInstanceCount = hosting.MinInstances,
                    MaxInstanceCount = hosting.EffectiveMax,
                },
                RoutingConfig = new CfnEndpointConfig.RoutingConfigProperty { RoutingStrategy = "LEAST_OUTSTANDING_REQUESTS" },
            },
        },
    };

    public override CfnInferenceComponent AddToEndpoint() => new(Owner, "InferenceComponent", new CfnInferenceComponentProps
    {
        InferenceComponentName = InferenceComponentName,
        EndpointName = Owner.Endpoint.AttrEndpointName,
        VariantName = GpuModelEndpoint.VariantName,
        Specification = new CfnInferenceComponent.InferenceComponentSpecificationProperty
        {
            ModelName = Owner.Model.AttrModelName,
            ComputeResourceRequirements = new CfnInferenceComponent.InferenceComponentComputeResourceRequirementsProperty
            {
                NumberOfAcceleratorDevicesRequired = hosting.AcceleratorsPerCopy > 0 ? hosting.AcceleratorsPerCopy : null,
                MinMemoryRequiredInMb = Sizes.Mebibytes(hosting.MemoryPerCopy),
                NumberOfCpuCoresRequired = hosting.CpuCoresPerCopy,
            },
            StartupParameters = new CfnInferenceComponent.InferenceComponentStartupParametersProperty
            {
                ContainerStartupHealthCheckTimeoutInSeconds = hosting.ContainerStartupTimeout.ToSeconds(),
                ModelDataDownloadTimeoutInSeconds = hosting.ModelDownloadTimeout.ToSeconds(),
            },
        },
        RuntimeConfig = new CfnInferenceComponent.InferenceComponentRuntimeConfigProperty { CopyCount = hosting.InitialCopies },
    });

    /// <summary>Copies track <c>SageMakerInferenceComponentInvocationsPerCopy</c>; from zero copies, a request that finds none adds one.</summary>
    public override void ConfigureScaling()
    {
        var maxCopies = hosting.MaxCopies ?? hosting.MaxCopiesThatFit(InstanceType);
        if (maxCopies == hosting.MinCopies) return;
        var target = ScalableTarget("CopyScaling", $"inference-component/{InferenceComponentName}", "sagemaker:inference-component:DesiredCopyCount",
            hosting.MinCopies, maxCopies, Owner.InferenceComponent!);
        TargetTracking("InvocationsPerCopy", target, hosting.MaxRequestsPerSecondPerCopy * 60 * hosting.TargetUtilizationPercent / 100.0,
            new CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty
            {
                PredefinedMetricSpecification = new CfnScalingPolicy.PredefinedMetricSpecificationProperty { PredefinedMetricType = "SageMakerInferenceComponentInvocationsPerCopy" },
            });
        if (hosting.MinCopies == 0)
            ScaleOutFromZero(target, Owner.MetricNoCapacityInvocationFailures(new MetricOptions { Period = Duration.Minutes(1) }),
                $"Requests to {InferenceComponentName} find no copy to serve them: add one (scale out from zero).");
    }

    private static string TrimName(string name, int max) => name.Length <= max ? name : name[..max].TrimEnd('-');
}
