using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>Three endpoints on one given platform, each with options other than the defaults.</summary>
public sealed class OptionTemplates
{
    public Template Template { get; }
    public GpuModelEndpoint Neuron { get; private set; } = null!;
    public GpuModelEndpoint Linear { get; private set; } = null!;
    public GpuModelEndpoint Plain { get; private set; } = null!;
    public GpuModelEndpoint Quiet { get; private set; } = null!;

    public OptionTemplates()
    {
        Template = Synth.Template(s =>
        {
            var platform = new ModelPlatform(s, "Platform", new ModelPlatformProps { ProjectName = "Llm", CostCenter = "ml-42" });
            Neuron = new GpuModelEndpoint(s, "Neuron", new GpuModelEndpointProps
            {
                Platform = platform,
                Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
                Hosting = new RealTimeHosting { InstanceType = "ml.inf2.xlarge", MinInstances = 2, MaxInstances = 4, VolumeSize = Size.Gibibytes(100), MaxRequestsPerSecondPerInstance = 5, TargetUtilizationPercent = 50 },
            });
            Linear = new GpuModelEndpoint(s, "Linear", new GpuModelEndpointProps
            {
                Platform = platform,
                EndpointName = "custom-endpoint",
                NetworkIsolation = false,
                Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
                Hosting = new RealTimeHosting
                {
                    InstanceType = "ml.g6.12xlarge",
                    DataCapture = DataCapture.Off,
                    ScaleInCooldown = Duration.Minutes(20),
                    Guardrails = new DeploymentGuardrails { Traffic = TrafficShift.Linear(25, Duration.Minutes(3)), RollbackOnAlarms = false },
                },
            });
            Plain = new GpuModelEndpoint(s, "Plain", new GpuModelEndpointProps
            {
                Platform = platform,
                Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
                Hosting = new RealTimeHosting { InstanceType = "ml.m5.xlarge", Guardrails = DeploymentGuardrails.None, DataCapture = new DataCapture { SamplingPercent = 100, CaptureOutput = false } },
            });
            Quiet = new GpuModelEndpoint(s, "Quiet", new GpuModelEndpointProps
            {
                Platform = platform,
                Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
                DataRetention = Duration.Days(30),
                IdleAlarmAfter = Duration.Hours(2),
                Hosting = new RealTimeHosting
                {
                    InstanceType = "ml.g5.xlarge",
                    MaxInstances = 2,
                    Async = new AsyncInference { Notifications = false },
                    Guardrails = new DeploymentGuardrails(),
                },
            });
        });
    }
}

public class EndpointOptionsTests : IClassFixture<OptionTemplates>
{
    private readonly OptionTemplates _t;
    public EndpointOptionsTests(OptionTemplates t) => _t = t;

    private System.Text.Json.Nodes.JsonNode Props(string type, string prefix) =>
        _t.Template.Resources(type).Single(r => r.Key.StartsWith(prefix)).Value["Properties"]!;

    [Fact]
    public void Volume_size_and_volume_KMS_key_are_set_for_an_EBS_only_type()
    {
        var config = Props("AWS::SageMaker::EndpointConfig", "NeuronEndpointConfig");
        Assert.Equal(100, config["ProductionVariants"]![0]!["VolumeSizeInGB"]!.GetValue<int>());
        Assert.Contains("PlatformKey", config["KmsKeyId"].Text());
    }

    [Fact]
    public void Two_starting_instances_get_a_10_percent_canary_by_default()
    {
        var routing = Props("AWS::SageMaker::Endpoint", "NeuronEndpoint")["DeploymentConfig"]!["BlueGreenUpdatePolicy"]!["TrafficRoutingConfiguration"]!;
        Assert.Equal("""{"CanarySize":{"Type":"CAPACITY_PERCENT","Value":10},"Type":"CANARY","WaitIntervalInSeconds":600}""", routing.Text());
    }

    [Fact]
    public void Scaling_target_follows_the_request_rate_and_utilization()
    {
        var policy = Props("AWS::ApplicationAutoScaling::ScalingPolicy", "NeuronInvocationsPerInstance");
        Assert.Equal(150, policy["TargetTrackingScalingPolicyConfiguration"]!["TargetValue"]!.GetValue<double>()); // 5 × 60 × 50 %
    }

    [Fact]
    public void Neuron_instances_get_no_GPU_alarm()
    {
        Assert.DoesNotContain(_t.Template.Resources("AWS::CloudWatch::Alarm"), a => a.Key.StartsWith("NeuronGpuMemory"));
        Assert.Contains(_t.Template.Resources("AWS::CloudWatch::Alarm"), a => a.Key.StartsWith("NeuronIdleGpu"));
    }

    [Fact]
    public void Linear_shift_without_rollback_alarms()
    {
        var deployment = Props("AWS::SageMaker::Endpoint", "LinearEndpoint")["DeploymentConfig"]!;
        Assert.Equal("""{"LinearStepSize":{"Type":"CAPACITY_PERCENT","Value":25},"Type":"LINEAR","WaitIntervalInSeconds":180}""", deployment["BlueGreenUpdatePolicy"]!["TrafficRoutingConfiguration"].Text());
        Assert.Null(deployment["AutoRollbackConfiguration"]);
    }

    [Fact]
    public void Name_isolation_and_data_capture_can_be_set()
    {
        Assert.Equal("custom-endpoint", Props("AWS::SageMaker::Endpoint", "LinearEndpoint")["EndpointName"]!.GetValue<string>());
        Assert.False(Props("AWS::SageMaker::Model", "LinearModel")["EnableNetworkIsolation"]!.GetValue<bool>());
        Assert.Null(Props("AWS::SageMaker::EndpointConfig", "LinearEndpointConfig")["DataCaptureConfig"]);
        var capture = Props("AWS::SageMaker::EndpointConfig", "PlainEndpointConfig")["DataCaptureConfig"]!;
        Assert.Equal(100, capture["InitialSamplingPercentage"]!.GetValue<int>());
        Assert.Equal("""[{"CaptureMode":"Input"}]""", capture["CaptureOptions"].Text());
    }

    [Fact]
    public void Max_instances_defaults_to_min_so_there_is_no_scaling()
    {
        Assert.DoesNotContain(_t.Template.Resources("AWS::ApplicationAutoScaling::ScalableTarget"), t => t.Key.StartsWith("Linear") || t.Key.StartsWith("Plain"));
        Assert.Equal(5.752, _t.Linear.WorstCaseHourlyCostUsd, 4); // one ml.g6.12xlarge (estimated: 4.6016 × 1.25)
    }

    [Fact]
    public void GPU_memory_alarm_divides_by_four_GPUs_on_a_12xlarge()
    {
        Assert.Contains("memory / 4", Props("AWS::CloudWatch::Alarm", "LinearGpuMemoryAlarm")["Metrics"].Text());
    }

    [Fact]
    public void Guardrails_can_be_turned_off()
    {
        Assert.Null(Props("AWS::SageMaker::Endpoint", "PlainEndpoint")["DeploymentConfig"]);
    }

    [Fact]
    public void Endpoints_on_a_given_platform_share_its_topic_and_dashboard_and_carry_its_cost_center()
    {
        Assert.Single(_t.Template.Resources("AWS::CloudWatch::Dashboard"));
        Assert.Single(_t.Template.Resources("AWS::SNS::Topic"));
        var body = _t.Template.Single("AWS::CloudWatch::Dashboard")["Properties"]!["DashboardBody"].Text();
        Assert.Contains("custom-endpoint", body);
        Assert.Contains("test-neuron-", body);
        Assert.Contains("""{"Key":"CostCenter","Value":"ml-42"}""", Props("AWS::SageMaker::Endpoint", "PlainEndpoint")["Tags"].Text());
    }

    [Fact]
    public void Async_without_notifications_has_no_topics_and_keeps_its_minimum_of_one()
    {
        Assert.Null(_t.Quiet.SuccessTopic);
        var output = Props("AWS::SageMaker::EndpointConfig", "QuietEndpointConfig")["AsyncInferenceConfig"]!["OutputConfig"]!;
        Assert.Null(output["NotificationConfig"]);
        Assert.DoesNotContain(_t.Template.Resources("AWS::CloudWatch::Alarm"), a => a.Key.StartsWith("QuietScaleOutFromZero"));
        Assert.Equal(1, Props("AWS::ApplicationAutoScaling::ScalableTarget", "QuietInstanceScaling")["MinCapacity"]!.GetValue<int>());
    }

    [Fact]
    public void Guardrails_given_explicitly_apply_to_an_async_endpoint_rolling_back_on_backlog_age()
    {
        var deployment = Props("AWS::SageMaker::Endpoint", "QuietEndpoint")["DeploymentConfig"]!;
        Assert.Contains("QuietBacklogAgeAlarm", deployment["AutoRollbackConfiguration"].Text());
    }

    [Fact]
    public void Retention_and_idle_period_can_be_set()
    {
        Assert.Contains("\"ExpirationInDays\":30", Props("AWS::S3::Bucket", "QuietData")["LifecycleConfiguration"].Text());
        Assert.Equal(2, Props("AWS::CloudWatch::Alarm", "QuietIdleGpuAlarm")["EvaluationPeriods"]!.GetValue<int>());
    }
}
