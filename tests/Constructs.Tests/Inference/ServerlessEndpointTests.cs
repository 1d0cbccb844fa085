namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>A small CPU model on SageMaker Serverless Inference (4 GB, up to 20 concurrent, 2 provisioned).</summary>
[Collection(EndpointTemplates.Collection)]
public class ServerlessEndpointTests
{
    private readonly EndpointTemplates _t;
    public ServerlessEndpointTests(EndpointTemplates t) => _t = t;

    [Fact]
    public void Variant_is_serverless_with_memory_concurrency_and_provisioned_concurrency()
    {
        var variant = _t.Serverless.Single("AWS::SageMaker::EndpointConfig")["Properties"]!["ProductionVariants"]![0]!;
        Assert.Equal("""{"MaxConcurrency":20,"MemorySizeInMB":4096,"ProvisionedConcurrency":2}""", variant["ServerlessConfig"].Text());
        Assert.Null(variant["InstanceType"]);
    }

    [Fact]
    public void Serverless_model_has_no_VPC_config_and_no_network_isolation_which_SageMaker_does_not_support_for_it()
    {
        var model = _t.Serverless.Single("AWS::SageMaker::Model")["Properties"]!;
        Assert.Null(model["VpcConfig"]);
        Assert.False(model["EnableNetworkIsolation"]!.GetValue<bool>());
        Assert.DoesNotContain(_t.Serverless.Resources("AWS::EC2::SecurityGroup"), sg => sg.Key.StartsWith("SmallSecurityGroup"));
    }

    [Fact]
    public void No_instance_alarms_no_scaling_and_no_volume_key()
    {
        var config = _t.Serverless.Single("AWS::SageMaker::EndpointConfig")["Properties"]!;
        Assert.Null(config["KmsKeyId"]);
        Assert.Contains("a serverless endpoint has no instances", _t.Serverless.Single("AWS::SageMaker::EndpointConfig")["Metadata"].Text());
        Assert.Null(config["DataCaptureConfig"]);
        Assert.Empty(_t.Serverless.Resources("AWS::ApplicationAutoScaling::ScalableTarget"));
        var alarms = _t.Serverless.Resources("AWS::CloudWatch::Alarm").Select(a => a.Key).Where(a => !a.Contains("Platform")).ToList();
        Assert.Equal(2, alarms.Count(a => a.StartsWith("Small")));
        Assert.DoesNotContain(alarms, a => a.Contains("Gpu"));
    }

    [Fact]
    public void Worst_case_is_max_concurrency_busy_all_hour_plus_provisioned_concurrency()
    {
        // 20 × 4 GB × 3600 s × $0.00002 + 2 × 4 GB × 3600 s × $0.0000048
        Assert.Equal(20 * 4 * 3600 * 0.00002 + 2 * 4 * 3600 * 0.0000048, _t.ServerlessEndpoint.WorstCaseHourlyCostUsd, 4);
    }
}
