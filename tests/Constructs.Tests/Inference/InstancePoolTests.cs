using AwsModelPlatform.Contracts;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>Instance pools: <c>InstanceTypes</c> by priority as the production variant's <c>InstancePools</c>, on every instance mode.</summary>
public class InstancePoolTests
{
    private static readonly string[] Pools = ["ml.g6e.2xlarge", "ml.g6.2xlarge", "ml.g5.2xlarge"];

    private static InferenceComponentHosting Ic => new() { InstanceTypes = Pools, MemoryPerCopy = Size.Gibibytes(16), MaxInstances = 2 };

    private static (Template Template, GpuModelEndpoint Endpoint) Synthesize(EndpointHosting hosting)
    {
        var stack = Synth.NewStack();
        var endpoint = new GpuModelEndpoint(stack, "Llm", new GpuModelEndpointProps { Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage), Hosting = hosting });
        return (Template.FromStack(stack), endpoint);
    }

    private static JsonNode Config(Template template) => template.Single("AWS::SageMaker::EndpointConfig")["Properties"]!;

    private static JsonNode Variant(Template template) => Config(template)["ProductionVariants"]![0]!;

    private static string Error(EndpointHosting hosting)
    {
        var message = Synth.ErrorOf(() => Synthesize(hosting));
        Assert.StartsWith("Test/Llm: ", message);
        return message["Test/Llm: ".Length..];
    }

    public static TheoryData<string> Modes => new() { "Components", "RealTime", "Async" };

    private static EndpointHosting Mode(string mode, string[] types) => mode switch
    {
        "Components" => Ic with { InstanceTypes = types },
        "RealTime" => new RealTimeHosting { InstanceTypes = types, MaxInstances = 2 },
        _ => new RealTimeHosting { InstanceTypes = types, MinInstances = 0, MaxInstances = 2, Async = new AsyncInference() },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Instance_types_become_instance_pools_by_priority_in_place_of_the_instance_type(string mode)
    {
        var variant = Variant(Synthesize(Mode(mode, Pools)).Template);
        Assert.Null(variant["InstanceType"]);
        var pools = variant["InstancePools"]!.AsArray();
        Assert.Equal(Pools, pools.Select(p => p!["InstanceType"]!.GetValue<string>()));
        Assert.Equal(Enumerable.Range(1, Pools.Length), pools.Select(p => p!["Priority"]!.GetValue<int>()));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void The_pooled_endpoint_config_is_a_valid_CreateEndpointConfig_request(string mode)
    {
        var path = SageMakerShapes.WriteTemplate(Synthesize(Mode(mode, Pools)).Template);
        try
        {
            var (exit, report, stderr) = SageMakerShapes.Run("validate", path);
            Assert.True(exit == 0, $"botocore refused the pooled {mode} template: {report["errors"]?.ToJsonString()} {stderr}");
            Assert.Contains("CreateEndpointConfig", SageMakerShapes.Operations(report));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void One_instance_type_keeps_the_variants_instance_type_and_no_pools()
    {
        var variant = Variant(Synthesize(Ic with { InstanceTypes = null, InstanceType = "ml.g5.2xlarge" }).Template);
        Assert.Equal("ml.g5.2xlarge", variant["InstanceType"]!.GetValue<string>());
        Assert.Null(variant["InstancePools"]);
    }

    [Fact]
    public void No_volume_key_when_any_pool_has_local_NVMe_storage()
    {
        // ml.p3.2xlarge is EBS-only and takes the key alone; beside the NVMe ml.g5.2xlarge, one config serves both.
        var ebsOnly = Config(Synthesize(new RealTimeHosting { InstanceTypes = ["ml.p3.2xlarge"] }).Template);
        Assert.Contains("PlatformKey", ebsOnly["KmsKeyId"].Text());
        var (mixed, _) = Synthesize(new RealTimeHosting { InstanceTypes = ["ml.p3.2xlarge", "ml.g5.2xlarge"] });
        Assert.Null(Config(mixed)["KmsKeyId"]);
        var metadata = mixed.Single("AWS::SageMaker::EndpointConfig")["Metadata"].Text();
        Assert.Contains("SageMakerEndpointConfigurationKMSKeyConfigured", metadata);
        Assert.Contains("ml.g5.2xlarge has local NVMe instance storage", metadata);
    }

    [Fact]
    public void The_worst_case_is_MaxInstances_of_the_dearest_pool_and_expected_use_is_priced_on_the_first()
    {
        string[] pools = ["ml.g5.2xlarge", "ml.p3.2xlarge", "ml.g6.2xlarge"];
        var (template, endpoint) = Synthesize(new RealTimeHosting { InstanceTypes = pools, MaxInstances = 3 });
        var prices = pools.Select(t => PriceTable.Default.Get("us-east-1", PriceTable.SageMakerHosting, t).Usd).ToList();
        Assert.NotEqual(prices.Max(), prices[0]);
        Assert.Equal(Math.Round(3 * prices.Max(), 4), endpoint.WorstCaseHourlyCostUsd);
        var record = template.Single("AWS::SageMaker::Endpoint")["Metadata"]![GpuModelEndpoint.CostMetadataKey]!;
        Assert.Equal(pools[0], record["instanceType"]!.GetValue<string>());
        Assert.Equal(pools, record["instanceTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public void Both_InstanceType_and_InstanceTypes_fail_synthesis() =>
        Assert.StartsWith("InferenceComponentHosting.InstanceType = 'ml.g5.2xlarge' and InstanceTypes are both set",
            Error(Ic with { InstanceType = "ml.g5.2xlarge" }));

    [Fact]
    public void Neither_fails_synthesis() =>
        Assert.StartsWith("RealTimeHosting.InstanceType is required", Error(new RealTimeHosting()));

    [Fact]
    public void More_than_five_pools_fail_synthesis() =>
        Assert.StartsWith("InferenceComponentHosting.InstanceTypes has 6 types: instance pools take 1 to 5",
            Error(Ic with { InstanceTypes = ["ml.g6e.2xlarge", "ml.g6.2xlarge", "ml.g5.2xlarge", "ml.g6e.xlarge", "ml.g5.xlarge", "ml.g6.xlarge"] }));

    [Fact]
    public void A_type_named_twice_fails_synthesis() =>
        Assert.Contains("names a type twice", Error(Ic with { InstanceTypes = ["ml.g5.2xlarge", "ml.g5.2xlarge"] }));

    [Fact]
    public void An_unknown_pool_type_fails_synthesis() =>
        Assert.StartsWith("InferenceComponentHosting.InstanceTypes entry 'ml.g7.2xlarge' is not a SageMaker hosting instance type",
            Error(Ic with { InstanceTypes = ["ml.g5.2xlarge", "ml.g7.2xlarge"] }));

    [Theory]
    [InlineData("ml.g5.12xlarge", "4 GPU(s)")]
    [InlineData("ml.inf2.xlarge", "1 Neuron device(s)")]
    public void Pools_with_other_accelerators_fail_synthesis(string other, string accelerators) =>
        Assert.Contains($"{other} ({accelerators})] mixes accelerators", Error(Ic with { InstanceTypes = ["ml.g5.2xlarge", other] }));

    [Fact]
    public void A_volume_size_fails_when_any_pool_has_local_NVMe_storage() =>
        Assert.StartsWith("RealTimeHosting.VolumeSize = 100 GiB cannot be set for ml.g5.2xlarge: it has local NVMe instance storage",
            Error(new RealTimeHosting { InstanceTypes = ["ml.p3.2xlarge", "ml.g5.2xlarge"], VolumeSize = Size.Gibibytes(100) }));
}
