using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>An LLM on inference components (ml.g5.12xlarge, 0 to 2 instances, one GPU per copy): scale to zero.</summary>
[Collection(EndpointTemplates.Collection)]
public class InferenceComponentEndpointTests
{
    private readonly EndpointTemplates _t;
    public InferenceComponentEndpointTests(EndpointTemplates t) => _t = t;

    private JsonNode Config => _t.Components.Single("AWS::SageMaker::EndpointConfig")["Properties"]!;

    [Fact]
    public void Instances_are_managed_by_SageMaker_down_to_zero_with_least_outstanding_requests_routing()
    {
        var variant = Config["ProductionVariants"]![0]!;
        Assert.Equal("""{"MaxInstanceCount":2,"MinInstanceCount":0,"Status":"ENABLED"}""", variant["ManagedInstanceScaling"].Text());
        Assert.Equal("LEAST_OUTSTANDING_REQUESTS", variant["RoutingConfig"]!["RoutingStrategy"]!.GetValue<string>());
        Assert.Equal(1, variant["InitialInstanceCount"]!.GetValue<int>());
        Assert.Null(variant["ModelName"]);
    }

    [Fact]
    public void Endpoint_config_carries_the_execution_role_and_VPC_and_no_data_capture()
    {
        Assert.Contains("LlmExecutionRole", Config["ExecutionRoleArn"].Text());
        Assert.Contains("WorkloadSubnet", Config["VpcConfig"].Text());
        Assert.True(Config["EnableNetworkIsolation"]!.GetValue<bool>());
        Assert.Null(Config["DataCaptureConfig"]);
        Assert.Null(Config["KmsKeyId"]);
    }

    [Fact]
    public void Component_reserves_one_accelerator_and_the_memory_per_copy_and_starts_with_one_copy()
    {
        var component = _t.Components.Single("AWS::SageMaker::InferenceComponent")["Properties"]!;
        Assert.Equal("test-llm-d84518bd-model", component["InferenceComponentName"]!.GetValue<string>());
        Assert.Equal("""{"MinMemoryRequiredInMb":16384,"NumberOfAcceleratorDevicesRequired":1}""", component["Specification"]!["ComputeResourceRequirements"].Text());
        Assert.Equal(600, component["Specification"]!["StartupParameters"]!["ContainerStartupHealthCheckTimeoutInSeconds"]!.GetValue<int>());
        Assert.Equal(1, component["RuntimeConfig"]!["CopyCount"]!.GetValue<int>());
        Assert.Equal("AllTraffic", component["VariantName"]!.GetValue<string>());
        Assert.Equal(new[] { "test-llm-d84518bd-model" }, _t.ComponentsEndpoint.InferenceComponentNames);
    }

    [Fact]
    public void Copies_scale_between_zero_and_what_the_instances_hold_tracking_invocations_per_copy()
    {
        var target = _t.Components.Single("AWS::ApplicationAutoScaling::ScalableTarget");
        Assert.Equal("inference-component/test-llm-d84518bd-model", target["Properties"]!["ResourceId"]!.GetValue<string>());
        Assert.Equal("sagemaker:inference-component:DesiredCopyCount", target["Properties"]!["ScalableDimension"]!.GetValue<string>());
        Assert.Equal(0, target["Properties"]!["MinCapacity"]!.GetValue<int>());
        Assert.Equal(8, target["Properties"]!["MaxCapacity"]!.GetValue<int>()); // 2 instances × 4 GPUs / 1 GPU per copy
        Assert.Contains("LlmInferenceComponent", target["DependsOn"].Text());
        var tracking = _t.Components.Resources("AWS::ApplicationAutoScaling::ScalingPolicy").Single(p => p.Key.StartsWith("LlmInvocationsPerCopy")).Value["Properties"]!;
        Assert.Equal("SageMakerInferenceComponentInvocationsPerCopy", tracking["TargetTrackingScalingPolicyConfiguration"]!["PredefinedMetricSpecification"]!["PredefinedMetricType"]!.GetValue<string>());
    }

    [Fact]
    public void A_fixed_number_of_copies_gets_no_copy_scaling()
    {
        var stack = Synth.NewStack();
        _ = new GpuModelEndpoint(stack, "Fixed", new GpuModelEndpointProps
        {
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            Hosting = new InferenceComponentHosting { InstanceType = "ml.g5.12xlarge", MemoryPerCopy = Size.Gibibytes(1), MinInstances = 1, MaxInstances = 1, MinCopies = 2, MaxCopies = 2, InitialCopies = 2 },
        });
        var template = Template.FromStack(stack);
        Assert.Empty(template.Resources("AWS::ApplicationAutoScaling::ScalableTarget"));
        Assert.Equal(2, template.Single("AWS::SageMaker::InferenceComponent")["Properties"]!["RuntimeConfig"]!["CopyCount"]!.GetValue<int>());
    }

    [Fact]
    public void A_request_finding_no_copy_scales_one_out_from_zero()
    {
        var step = _t.Components.Resources("AWS::ApplicationAutoScaling::ScalingPolicy").Single(p => p.Key.StartsWith("LlmScaleOutFromZero"));
        Assert.Equal("""{"AdjustmentType":"ChangeInCapacity","Cooldown":300,"MetricAggregationType":"Maximum","StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":1}]}""",
            step.Value["Properties"]!["StepScalingPolicyConfiguration"].Text());
        var alarm = _t.Components.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("LlmScaleOutFromZeroAlarm")).Value["Properties"]!;
        Assert.Equal("NoCapacityInvocationFailures", alarm["MetricName"]!.GetValue<string>());
        Assert.Contains("test-llm-d84518bd-model", alarm["Dimensions"].Text());
        Assert.Equal(60, alarm["Period"]!.GetValue<int>());
        Assert.Equal($$"""[{"Ref":"{{step.Key}}"}]""", alarm["AlarmActions"].Text());
    }

    [Fact]
    public void No_deployment_guardrails_on_inference_component_endpoints()
    {
        Assert.Null(_t.Components.Single("AWS::SageMaker::Endpoint")["Properties"]!["DeploymentConfig"]);
    }

    [Fact]
    public void Invocation_metrics_are_per_inference_component()
    {
        var metric = _t.ComponentsEndpoint.MetricInvocations();
        Assert.Equal("test-llm-d84518bd-model", metric.Dimensions!["InferenceComponentName"]);
        Assert.Equal("test-llm-d84518bd", _t.ComponentsEndpoint.MetricGpuUtilization().Dimensions!["EndpointName"]);
    }

    [Fact]
    public void Worst_case_is_max_instances_even_when_the_minimum_is_zero()
    {
        Assert.Equal(2 * 7.09, _t.ComponentsEndpoint.WorstCaseHourlyCostUsd, 6);
    }
}
