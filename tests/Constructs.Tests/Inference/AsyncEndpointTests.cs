using System.Text.Json.Nodes;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>An async endpoint on ml.p3.2xlarge (0 to 4 instances): queue, results in S3, SNS notifications, scale from zero.</summary>
[Collection(EndpointTemplates.Collection)]
public class AsyncEndpointTests
{
    private readonly EndpointTemplates _t;
    public AsyncEndpointTests(EndpointTemplates t) => _t = t;

    private JsonNode Config => _t.Async.Single("AWS::SageMaker::EndpointConfig")["Properties"]!;

    [Fact]
    public void Results_and_failures_go_to_the_endpoints_bucket_encrypted_with_the_platform_key()
    {
        var output = Config["AsyncInferenceConfig"]!["OutputConfig"]!;
        Assert.Contains("-data-", output["S3OutputPath"].Text());
        Assert.Contains("/async-output/", output["S3OutputPath"].Text());
        Assert.Contains("/async-failures/", output["S3FailurePath"].Text());
        Assert.Contains("PlatformKey", output["KmsKeyId"].Text());
        Assert.Equal(4, Config["AsyncInferenceConfig"]!["ClientConfig"]!["MaxConcurrentInvocationsPerInstance"]!.GetValue<int>());
    }

    [Fact]
    public void Success_and_error_topics_are_KMS_encrypted_and_the_role_may_publish_to_them()
    {
        var notification = Config["AsyncInferenceConfig"]!["OutputConfig"]!["NotificationConfig"]!;
        Assert.Contains("BatchyAsyncSuccess", notification["SuccessTopic"].Text());
        Assert.Contains("BatchyAsyncError", notification["ErrorTopic"].Text());
        Assert.All(_t.Async.Resources("AWS::SNS::Topic"), t => Assert.Contains("PlatformKey", t.Value["Properties"]!["KmsMasterKeyId"].Text()));
        var publish = _t.Async.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("BatchyExecutionRole")).Value.Text();
        Assert.Contains("PublishAsyncNotifications", publish);
        Assert.True(_t.AsyncEndpoint.IsAsync);
    }

    [Fact]
    public void Volume_KMS_key_is_set_for_an_instance_without_local_NVMe_storage()
    {
        Assert.Contains("PlatformKey", Config["KmsKeyId"].Text());
        Assert.Null(_t.Async.Single("AWS::SageMaker::EndpointConfig")["Metadata"]?["cdk_nag"]); // an EBS-backed type carries the key: nothing to exempt
    }

    [Fact]
    public void No_data_capture_and_no_guardrails_by_default_for_async()
    {
        Assert.Null(Config["DataCaptureConfig"]);
        Assert.Null(_t.Async.Single("AWS::SageMaker::Endpoint")["Properties"]!["DeploymentConfig"]);
    }

    [Fact]
    public void Instances_track_the_backlog_per_instance_down_to_zero()
    {
        var target = _t.Async.Single("AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]!;
        Assert.Equal(0, target["MinCapacity"]!.GetValue<int>());
        Assert.Equal(4, target["MaxCapacity"]!.GetValue<int>());
        var tracking = _t.Async.Resources("AWS::ApplicationAutoScaling::ScalingPolicy").Single(p => p.Key.StartsWith("BatchyBacklogPerInstance")).Value["Properties"]!["TargetTrackingScalingPolicyConfiguration"]!;
        Assert.Equal("ApproximateBacklogSizePerInstance", tracking["CustomizedMetricSpecification"]!["MetricName"]!.GetValue<string>());
        Assert.Equal(5, tracking["TargetValue"]!.GetValue<double>());
    }

    [Fact]
    public void A_backlog_without_capacity_scales_one_instance_out_from_zero()
    {
        var alarm = _t.Async.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("BatchyScaleOutFromZeroAlarm")).Value["Properties"]!;
        Assert.Equal("HasBacklogWithoutCapacity", alarm["MetricName"]!.GetValue<string>());
        Assert.Equal("GreaterThanOrEqualToThreshold", alarm["ComparisonOperator"]!.GetValue<string>());
        Assert.Contains("BatchyScaleOutFromZeroScaling", alarm["AlarmActions"].Text());
    }

    [Fact]
    public void Backlog_age_alarm_replaces_the_real_time_error_and_latency_alarms()
    {
        var alarms = _t.Async.Resources("AWS::CloudWatch::Alarm").Select(a => a.Key).ToList();
        Assert.Contains(alarms, a => a.StartsWith("BatchyBacklogAgeAlarm"));
        Assert.DoesNotContain(alarms, a => a.StartsWith("BatchyServerErrorsAlarm"));
        var age = _t.Async.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("BatchyBacklogAgeAlarm")).Value["Properties"]!;
        Assert.Equal("ApproximateAgeOfOldestRequest", age["MetricName"]!.GetValue<string>());
        Assert.Equal(900, age["Threshold"]!.GetValue<double>());
        Assert.Contains("PlatformAlarmsTopic", age["AlarmActions"].Text());
    }

    [Fact]
    public void Failed_async_invocations_raise_an_alarm_on_the_platform_topic_from_the_first_failure()
    {
        var (id, alarm) = _t.Async.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("BatchyAsyncInvocationFailuresAlarm"));
        var p = alarm["Properties"]!;
        Assert.Equal("AWS/SageMaker", p["Namespace"]!.GetValue<string>());
        Assert.Equal("InvocationFailures", p["MetricName"]!.GetValue<string>());
        // Published per endpoint and variant (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html).
        Assert.Equal($$"""[{"Name":"EndpointName","Value":"{{_t.AsyncEndpoint.EndpointName}}"},{"Name":"VariantName","Value":"AllTraffic"}]""", p["Dimensions"].Text());
        Assert.Equal("Sum", p["Statistic"]!.GetValue<string>());
        Assert.Equal(300, p["Period"]!.GetValue<int>());
        Assert.Equal(1, p["Threshold"]!.GetValue<double>());
        Assert.Equal(1, p["EvaluationPeriods"]!.GetValue<int>());
        Assert.Equal("GreaterThanOrEqualToThreshold", p["ComparisonOperator"]!.GetValue<string>());
        Assert.Equal("notBreaching", p["TreatMissingData"]!.GetValue<string>());
        Assert.Contains("PlatformAlarmsTopic", p["AlarmActions"].Text());
        Assert.Contains("PlatformAlarmsTopic", p["OKActions"].Text());
        Assert.Equal(id, Amazon.CDK.Stack.Of(_t.AsyncEndpoint).GetLogicalId((Amazon.CDK.CfnElement)_t.AsyncEndpoint.Alarms.AsyncInvocationFailures!.Node.DefaultChild!));
        Assert.DoesNotContain(_t.RealTime.Resources("AWS::CloudWatch::Alarm"), a => a.Key.Contains("AsyncInvocationFailures"));
        Assert.StartsWith("BatchyAsyncInvocationFailuresAlarm", id);
    }

    [Fact]
    public void The_failed_invocations_threshold_is_a_prop()
    {
        var template = Synth.Template(s => new GpuModelEndpoint(s, "Batchy", new GpuModelEndpointProps
        {
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 0, MaxInstances = 1, Async = new AsyncInference { InvocationFailuresAlarmThreshold = 10 } },
        }));
        var alarm = template.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("BatchyAsyncInvocationFailuresAlarm")).Value["Properties"]!;
        Assert.Equal(10, alarm["Threshold"]!.GetValue<double>());
        Assert.StartsWith("10 or more async requests to ", alarm["AlarmDescription"]!.GetValue<string>());
    }

    [Fact]
    public void Idle_alarm_counts_processed_async_requests()
    {
        var idle = _t.Async.Resources("AWS::CloudWatch::Alarm").Single(a => a.Key.StartsWith("BatchyIdleGpuAlarm")).Value["Properties"]!;
        Assert.Contains("InvocationsProcessed", idle["Metrics"].Text());
    }

    [Fact]
    public void GrantAsyncPayloads_lets_the_API_write_and_read_back_inputs_and_read_results_and_failures_only()
    {
        var statements = _t.Async.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("ApiDefaultPolicy")).Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        Assert.Equal(4, statements.Count);
        Assert.Equal("s3:PutObject", statements[0]!["Action"]!.GetValue<string>());
        Assert.Contains("/async-input/*", statements[0]!["Resource"].Text());
        Assert.Equal("s3:GetObject", statements[1]!["Action"]!.GetValue<string>());
        Assert.Contains("/async-input/*", statements[1]!["Resource"].Text());
        Assert.Contains("/async-output/*", statements[1]!["Resource"].Text());
        Assert.Contains("/async-failures/*", statements[1]!["Resource"].Text());
        // Listing only where the API reads keys before they exist, so S3 answers such a read 404 rather than 403.
        Assert.Equal("s3:ListBucket", statements[2]!["Action"]!.GetValue<string>());
        Assert.Equal("""{"StringLike":{"s3:prefix":["async-input/requests/*","async-output/*","async-failures/*"]}}""", statements[2]!["Condition"].Text());
        Assert.Contains("PlatformKey", statements[3]!["Resource"].Text());
        // The key only on S3's behalf (SSE-KMS of those objects), never directly.
        Assert.Contains("\"kms:ViaService\":{\"Fn::Join\":[\"\",[\"s3.\"", statements[3]!["Condition"]!["StringEquals"].Text());
    }

    [Fact]
    public void GrantAsyncPayloads_on_a_synchronous_endpoint_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => _t.RealTimeEndpoint.GrantAsyncPayloads(new Amazon.CDK.AWS.IAM.AnyPrincipal()));
        Assert.Equal("Test/Llm: GpuModelEndpoint test-llm-d84518bd is not async: GrantAsyncPayloads applies to RealTimeHosting with Async set.", error.Message);
    }
}
