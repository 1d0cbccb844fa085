using AwsModelPlatform.Contracts;
using System.Text.Json.Nodes;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Cost;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>A real-time LLM endpoint on ml.g5.2xlarge (1 to 3 instances) with every default.</summary>
[Collection(EndpointTemplates.Collection)]
public class RealTimeEndpointTests
{
    private readonly EndpointTemplates _t;
    public RealTimeEndpointTests(EndpointTemplates t) => _t = t;

    private JsonNode Config => _t.RealTime.Single("AWS::SageMaker::EndpointConfig")["Properties"]!;
    private JsonNode Variant => Config["ProductionVariants"]![0]!;

    [Fact]
    public void Endpoint_logs_go_to_a_group_created_first_under_SageMakers_name_encrypted_and_expiring()
    {
        foreach (var (name, template) in _t.All)
        {
            var endpointName = (name switch { "Async" => _t.AsyncEndpoint, "Serverless" => _t.ServerlessEndpoint, "Components" => _t.ComponentsEndpoint, _ => _t.RealTimeEndpoint }).EndpointName;
            var (id, group) = template.Resources("AWS::Logs::LogGroup").Single(g => g.Value["Properties"]!["LogGroupName"].Text() == $"\"/aws/sagemaker/Endpoints/{endpointName}\"");
            Assert.Contains("PlatformKey", group["Properties"]!["KmsKeyId"].Text());
            Assert.Equal(365, group["Properties"]!["RetentionInDays"]!.GetValue<int>());
            // SageMaker would create it (unencrypted, kept forever) when the endpoint starts: the endpoint waits for it.
            Assert.Contains(id, template.Single("AWS::SageMaker::Endpoint")["DependsOn"].Text());
        }
        Assert.Equal("/aws/sagemaker/Endpoints/test-llm-d84518bd", ((Amazon.CDK.AWS.Logs.CfnLogGroup)_t.RealTimeEndpoint.LogGroup.Node.DefaultChild!).LogGroupName);
    }

    [Fact]
    public void Model_runs_in_the_platforms_private_subnets_with_its_own_security_group_and_network_isolation()
    {
        var model = _t.RealTime.Single("AWS::SageMaker::Model")["Properties"]!;
        Assert.True(model["EnableNetworkIsolation"]!.GetValue<bool>());
        Assert.Equal(2, model["VpcConfig"]!["Subnets"]!.AsArray().Count);
        Assert.Contains("WorkloadSubnet", model["VpcConfig"]!["Subnets"].Text());
        Assert.Contains("LlmSecurityGroup", model["VpcConfig"]!["SecurityGroupIds"].Text());
        var sg = _t.RealTime.Resources("AWS::EC2::SecurityGroup").Single(r => r.Key.StartsWith("LlmSecurityGroup")).Value["Properties"]!;
        Assert.Null(sg["SecurityGroupIngress"]);
        var egress = Assert.Single(sg["SecurityGroupEgress"]!.AsArray())!;
        Assert.Equal(443, egress["FromPort"]!.GetValue<int>());
    }

    [Fact]
    public void Model_loads_uncompressed_weights_from_an_S3_prefix_with_the_given_environment()
    {
        var container = _t.RealTime.Single("AWS::SageMaker::Model")["Properties"]!["PrimaryContainer"]!;
        Assert.Equal("""{"CompressionType":"None","S3DataType":"S3Prefix","S3Uri":"s3://my-models/llama-3-8b/"}""", container["ModelDataSource"]!["S3DataSource"].Text());
        Assert.Equal(EndpointTemplates.TgiImage, container["Image"]!.GetValue<string>());
        Assert.Equal("1", container["Environment"]!["SM_NUM_GPUS"]!.GetValue<string>());
    }

    [Fact]
    public void Variant_has_LLM_friendly_timeouts_and_starts_with_the_minimum()
    {
        Assert.Equal("ml.g5.2xlarge", Variant["InstanceType"]!.GetValue<string>());
        Assert.Equal(1, Variant["InitialInstanceCount"]!.GetValue<int>());
        Assert.Equal(600, Variant["ContainerStartupHealthCheckTimeoutInSeconds"]!.GetValue<int>());
        Assert.Equal(600, Variant["ModelDataDownloadTimeoutInSeconds"]!.GetValue<int>());
    }

    [Fact]
    public void No_volume_KMS_key_or_volume_size_for_an_instance_with_local_NVMe_storage()
    {
        Assert.Null(Config["KmsKeyId"]);
        Assert.Null(Variant["VolumeSizeInGB"]);
        // The compliance packs' volume-key rule is exempted on the resource, with SageMaker's reason.
        var metadata = _t.RealTime.Single("AWS::SageMaker::EndpointConfig")["Metadata"].Text();
        Assert.Contains("NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured", metadata);
        Assert.Contains("local NVMe instance storage", metadata);
    }

    [Fact]
    public void Data_capture_is_on_at_20_percent_into_the_endpoints_KMS_encrypted_bucket()
    {
        var capture = Config["DataCaptureConfig"]!;
        Assert.True(capture["EnableCapture"]!.GetValue<bool>());
        Assert.Equal(20, capture["InitialSamplingPercentage"]!.GetValue<int>());
        Assert.Contains("PlatformKey", capture["KmsKeyId"].Text());
        Assert.Contains("/data-capture", capture["DestinationS3Uri"].Text());
        Assert.Equal("""[{"CaptureMode":"Input"},{"CaptureMode":"Output"}]""", capture["CaptureOptions"].Text());
        var bucket = _t.RealTime.Resources("AWS::S3::Bucket").Single(b => b.Key.StartsWith("LlmData")).Value["Properties"]!;
        Assert.Equal("aws:kms", bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!.GetValue<string>());
        Assert.NotNull(bucket["LoggingConfiguration"]);
        Assert.Contains("ExpireCapturedDataAndResults", bucket["LifecycleConfiguration"].Text());
        Assert.Contains("\"ExpirationInDays\":90", bucket["LifecycleConfiguration"].Text());
    }

    [Fact]
    public void Endpoint_config_waits_for_the_data_bucket_and_the_role_policy()
    {
        var dependsOn = _t.RealTime.Single("AWS::SageMaker::EndpointConfig")["DependsOn"].Text();
        Assert.Contains("LlmData", dependsOn);
        Assert.Contains("LlmExecutionRoleDefaultPolicy", dependsOn);
    }

    [Fact]
    public void Data_bucket_objects_are_logged_by_the_audit_trail()
    {
        var trail = _t.RealTime.Single("AWS::CloudTrail::Trail")["Properties"]!["AdvancedEventSelectors"].Text();
        var bucketName = _t.RealTime.Resources("AWS::S3::Bucket").Single(b => b.Key.StartsWith("LlmData")).Value["Properties"]!["BucketName"]!["Fn::Join"]![1]![0]!.GetValue<string>();
        var prefix = bucketName[..bucketName.IndexOf("-data-", StringComparison.Ordinal)];
        Assert.Contains($"s3:::{prefix}-", trail);
    }

    [Fact]
    public void Blue_green_deployment_rolls_back_on_the_error_and_latency_alarms_by_default()
    {
        var deployment = _t.RealTime.Single("AWS::SageMaker::Endpoint")["Properties"]!["DeploymentConfig"]!;
        var policy = deployment["BlueGreenUpdatePolicy"]!;
        Assert.Equal("ALL_AT_ONCE", policy["TrafficRoutingConfiguration"]!["Type"]!.GetValue<string>());
        Assert.Equal(600, policy["TrafficRoutingConfiguration"]!["WaitIntervalInSeconds"]!.GetValue<int>());
        Assert.Equal(300, policy["TerminationWaitInSeconds"]!.GetValue<int>());
        Assert.Equal(3600, policy["MaximumExecutionTimeoutInSeconds"]!.GetValue<int>());
        var alarms = deployment["AutoRollbackConfiguration"]!["Alarms"].Text();
        Assert.Contains("LlmServerErrorsAlarm", alarms);
        Assert.Contains("LlmModelLatencyAlarm", alarms);
    }

    [Fact]
    public void Autoscaling_tracks_invocations_per_instance_at_70_percent_of_the_sustainable_rate()
    {
        var target = _t.RealTime.Single("AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]!;
        Assert.Equal(1, target["MinCapacity"]!.GetValue<int>());
        Assert.Equal(3, target["MaxCapacity"]!.GetValue<int>());
        Assert.Equal("endpoint/test-llm-d84518bd/variant/AllTraffic", target["ResourceId"]!.GetValue<string>());
        Assert.Null(target["RoleARN"]); // the service-linked role
        var policy = _t.RealTime.Single("AWS::ApplicationAutoScaling::ScalingPolicy")["Properties"]!["TargetTrackingScalingPolicyConfiguration"]!;
        Assert.Equal("SageMakerVariantInvocationsPerInstance", policy["PredefinedMetricSpecification"]!["PredefinedMetricType"]!.GetValue<string>());
        Assert.Equal(42, policy["TargetValue"]!.GetValue<double>()); // 1 request/s × 60 s × 70 %
        Assert.Equal(300, policy["ScaleOutCooldown"]!.GetValue<int>());
        Assert.Equal(600, policy["ScaleInCooldown"]!.GetValue<int>());
    }

    [Fact]
    public void Default_alarms_notify_the_platform_topic()
    {
        var alarms = _t.RealTime.Resources("AWS::CloudWatch::Alarm").Where(a => !a.Key.Contains("Platform")).ToList();
        Assert.Equal(new[] { "LlmGpuMemoryAlarm", "LlmIdleGpuAlarm", "LlmModelLatencyAlarm", "LlmServerErrorsAlarm" },
            alarms.Select(a => a.Key[..^8]).OrderBy(k => k).ToArray());
        Assert.All(alarms, a => Assert.Contains("PlatformAlarmsTopic", a.Value["Properties"]!["AlarmActions"].Text()));
        Assert.All(alarms, a => Assert.Contains("PlatformAlarmsTopic", a.Value["Properties"]!["OKActions"].Text()));
    }

    [Fact]
    public void Error_alarm_fires_above_5_percent_5xx_for_three_5_minute_periods()
    {
        var errors = _t.RealTime.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("LlmServerErrorsAlarm")).Value["Properties"]!;
        Assert.Equal(5, errors["Threshold"]!.GetValue<double>());
        Assert.Equal(3, errors["EvaluationPeriods"]!.GetValue<int>());
        Assert.Contains(errors["Metrics"]!.AsArray(), m => m!["Expression"]?.GetValue<string>() == "IF(invocations > 0, 100 * errors / invocations, 0)");
    }

    [Fact]
    public void Latency_alarm_is_on_p99_model_latency_in_microseconds()
    {
        var latency = _t.RealTime.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("LlmModelLatencyAlarm")).Value["Properties"]!;
        Assert.Equal("p99", latency["ExtendedStatistic"]!.GetValue<string>());
        Assert.Equal(60_000_000, latency["Threshold"]!.GetValue<double>());
    }

    [Fact]
    public void GPU_memory_alarm_normalizes_by_the_GPUs_of_the_instance()
    {
        var alarm = _t.RealTime.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("LlmGpuMemoryAlarm")).Value["Properties"]!;
        Assert.Contains("memory / 1", alarm["Metrics"].Text());
        Assert.Contains("/aws/sagemaker/Endpoints", alarm["Metrics"].Text());
        Assert.Equal(95, alarm["Threshold"]!.GetValue<double>());
    }

    [Fact]
    public void Idle_GPU_alarm_fires_after_6_hours_of_instances_without_invocations()
    {
        var idle = _t.RealTime.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("LlmIdleGpuAlarm")).Value["Properties"]!;
        Assert.Equal(6, idle["EvaluationPeriods"]!.GetValue<int>());
        Assert.Contains(idle["Metrics"]!.AsArray(), m => m!["Expression"]?.GetValue<string>() == "IF(FILL(instances, 0) > 0 AND FILL(invocations, 0) == 0, 1, 0)");
        Assert.Contains("SampleCount", idle["Metrics"].Text());
        Assert.Contains("idle ml.g5.2xlarge", idle["AlarmDescription"]!.GetValue<string>());
    }

    [Fact]
    public void Endpoint_widgets_are_added_to_the_platform_dashboard()
    {
        var body = _t.RealTime.Single("AWS::CloudWatch::Dashboard")["Properties"]!["DashboardBody"].Text();
        Assert.Contains("SageMaker endpoint test-llm-d84518bd (RealTimeHosting, worst case $4.55/h)", body);
        Assert.Contains("GPUMemoryUtilization", body);
        Assert.Contains("ModelLatency", body);
    }

    [Fact]
    public void Worst_case_hourly_cost_is_max_instances_times_the_instance_price_in_property_and_metadata()
    {
        Assert.Equal(3 * 1.515, _t.RealTimeEndpoint.WorstCaseHourlyCostUsd, 6);
        Assert.Equal(Math.Round(3 * 1.515 * 730, 2), _t.RealTimeEndpoint.WorstCaseMonthlyCostUsd, 2);
        var cost = _t.RealTime.Single("AWS::SageMaker::Endpoint")["Metadata"]![GpuModelEndpoint.CostMetadataKey]!;
        Assert.Equal(4.545, cost["worstCaseHourlyUsd"]!.GetValue<double>(), 6);
        Assert.Equal("us-east-1", cost["pricedRegion"]!.GetValue<string>());
        var item = cost["items"]![0]!;
        Assert.Equal("ml.g5.2xlarge", item["sku"]!.GetValue<string>());
        Assert.Equal(PriceTable.Default.Get("us-east-1", PriceTable.SageMakerHosting, "ml.g5.2xlarge").Source, item["source"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", item["date"]!.GetValue<string>());
    }

    [Fact]
    public void Every_SageMaker_and_scaling_resource_is_tagged_with_project_and_component()
    {
        foreach (var type in new[] { "AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint", "AWS::S3::Bucket", "AWS::IAM::Role" })
            Assert.All(_t.RealTime.Resources(type).Where(r => r.Key.StartsWith("Llm") && !r.Key.StartsWith("LlmPlatform")), r =>
            {
                var tags = r.Value["Properties"]!["Tags"].Text();
                Assert.Contains("""{"Key":"Component","Value":"inference"}""", tags);
                Assert.Contains("""{"Key":"Project","Value":"AwsModelPlatform"}""", tags);
            });
    }

    [Fact]
    public void Metric_helpers_keep_their_statistic_when_only_the_period_is_overridden()
    {
        var latency = _t.RealTimeEndpoint.MetricModelLatency(new Amazon.CDK.AWS.CloudWatch.MetricOptions { Period = Amazon.CDK.Duration.Minutes(1) });
        Assert.Equal("Average", latency.Statistic);
        Assert.Equal(60, latency.Period.ToSeconds());
        Assert.Equal("p99", _t.RealTimeEndpoint.MetricModelLatency(new Amazon.CDK.AWS.CloudWatch.MetricOptions { Statistic = "p99" }).Statistic);
        Assert.Equal("Sum", _t.RealTimeEndpoint.MetricInvocation5xxErrors().Statistic);
        Assert.Equal("/aws/sagemaker/Endpoints", _t.RealTimeEndpoint.MetricGpuUtilization().Namespace);
        Assert.Equal("ApproximateAgeOfOldestRequest", _t.AsyncEndpoint.MetricBacklogAge().MetricName);
        Assert.Equal("test-llm-d84518bd", _t.RealTimeEndpoint.MetricInvocations().Dimensions!["EndpointName"]);
        Assert.Equal("AllTraffic", _t.RealTimeEndpoint.MetricInvocations().Dimensions!["VariantName"]);
        var failures = _t.AsyncEndpoint.MetricInvocationFailures();
        Assert.Equal(("AWS/SageMaker", "InvocationFailures", "Sum", 300d), (failures.Namespace, failures.MetricName, failures.Statistic, failures.Period.ToSeconds()));
        Assert.Equal(new Dictionary<string, object> { ["EndpointName"] = _t.AsyncEndpoint.EndpointName, ["VariantName"] = "AllTraffic" }, failures.Dimensions);
        Assert.Equal(new[] { "EndpointName" }, _t.AsyncEndpoint.MetricBacklogSizePerInstance().Dimensions!.Keys);
    }

    [Fact]
    public void Metric_helpers_refuse_a_metric_the_hosting_mode_never_publishes()
    {
        // Async endpoints publish InvocationsProcessed, no Invocations and no OverheadLatency; only they have a backlog;
        // serverless endpoints have no instance metrics; only inference components report NoCapacityInvocationFailures.
        var refused = new (GpuModelEndpoint Endpoint, Func<GpuModelEndpoint, object> Helper, string Name)[]
        {
            (_t.AsyncEndpoint, e => e.MetricInvocations(), "MetricInvocations"),
            (_t.AsyncEndpoint, e => e.MetricOverheadLatency(), "MetricOverheadLatency"),
            (_t.AsyncEndpoint, e => e.MetricInvocationsPerInstance(), "MetricInvocationsPerInstance"),
            (_t.RealTimeEndpoint, e => e.MetricBacklogAge(), "MetricBacklogAge"),
            (_t.RealTimeEndpoint, e => e.MetricInvocationFailures(), "MetricInvocationFailures"),
            (_t.RealTimeEndpoint, e => e.MetricNoCapacityInvocationFailures(), "MetricNoCapacityInvocationFailures"),
            (_t.ComponentsEndpoint, e => e.MetricInvocationsPerInstance(), "MetricInvocationsPerInstance"),
            (_t.ServerlessEndpoint, e => e.MetricGpuUtilization(), "MetricGpuUtilization"),
            (_t.ServerlessEndpoint, e => e.MetricCpuUtilization(), "MetricCpuUtilization"),
        };
        Assert.All(refused, r =>
        {
            var error = Assert.Throws<InvalidOperationException>(() => r.Helper(r.Endpoint));
            Assert.Contains(r.Name, error.Message);
            Assert.Contains(r.Endpoint.Node.Path, error.Message);
        });
        Assert.Equal("InvocationsPerInstance", _t.RealTimeEndpoint.MetricInvocationsPerInstance().MetricName);
        Assert.Equal("NoCapacityInvocationFailures", _t.ComponentsEndpoint.MetricNoCapacityInvocationFailures().MetricName);
        Assert.Equal("Invocations", _t.ServerlessEndpoint.MetricInvocations().MetricName);
    }
}
