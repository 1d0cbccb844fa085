using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>The platform in one stack, the endpoint in another, as in the sample app.</summary>
public class CrossStackTests
{
    [Fact]
    public void Endpoint_in_another_stack_than_its_platform_synthesizes_without_a_cycle_and_the_platform_stack_imports_nothing()
    {
        var app = new App();
        var foundation = new Stack(app, "Foundation");
        var platform = new ModelPlatform(foundation, "Platform");
        var inference = new Stack(app, "Inference");
        new GpuModelEndpoint(inference, "Llm", new GpuModelEndpointProps
        {
            Platform = platform,
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 0, MaxInstances = 2, Async = new AsyncInference() },
        });
        var assembly = app.Synth();
        var foundationTemplate = Template.FromStack(foundation).Json().ToJsonString();
        Assert.DoesNotContain("Fn::ImportValue", foundationTemplate);
        // The trail and the access-log bucket cover the endpoint's bucket by the platform's name prefix.
        Assert.Contains($":s3:::{platform.NamePrefix}-", foundationTemplate);
        Assert.Contains($"\"{platform.NamePrefix}-data-", Template.FromStack(inference).Json().ToJsonString());
        Assert.Contains("Fn::ImportValue", Template.FromStack(inference).Json().ToJsonString());
        Assert.Equal(2, assembly.Stacks.Length);
    }

    [Fact]
    public void Wildcard_suppressions_name_each_wildcard_instead_of_the_whole_rule()
    {
        var template = Synth.Template(s => new GpuModelEndpoint(s, "Llm", new GpuModelEndpointProps
        {
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            ModelData = ModelData.FromPrefix(Amazon.CDK.AWS.S3.Bucket.FromBucketName(s, "Models", "my-models"), "llm/"),
            Hosting = new ServerlessHosting(),
        }));
        Assert.Equal("""{"MaxConcurrency":10,"MemorySizeInMB":2048}""", // serverless defaults
            template.Single("AWS::SageMaker::EndpointConfig")["Properties"]!["ProductionVariants"]![0]!["ServerlessConfig"].Text());
        var rule = template.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith("LlmExecutionRole")).Value["Metadata"]!["cdk_nag"]!["rules_to_suppress"]![0]!;
        Assert.Equal("AwsSolutions-IAM5", rule["id"]!.GetValue<string>());
        var appliesTo = rule["applies_to"]!.AsArray();
        Assert.Equal("Resource::*", appliesTo[0]!.GetValue<string>());
        Assert.Contains("data-capture|async-output", appliesTo[1]!["regex"]!.GetValue<string>());
        Assert.Contains("Endpoints\\/test-llm-", appliesTo[2]!["regex"]!.GetValue<string>());
        Assert.Contains("llm\\/\\*$", appliesTo[3]!["regex"]!.GetValue<string>());
    }
}

/// <summary>A stack in a region the price table does not cover.</summary>
public class PriceRegionTests
{
    [Fact]
    public void A_region_without_prices_is_priced_at_the_default_region_with_a_warning()
    {
        var stack = new Stack(new App(), "Test", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        var endpoint = new GpuModelEndpoint(stack, "Small", new GpuModelEndpointProps
        {
            Image = ModelImage.FromDeepLearningContainer("huggingface-pytorch-tgi-inference", "2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04"),
            Hosting = new ServerlessHosting { MemorySize = Size.Gibibytes(1), MaxConcurrency = 1 },
        });
        Assert.Equal(1 * 1 * 3600 * 0.00002, endpoint.WorstCaseHourlyCostUsd, 6);
        Assert.Contains(Synth.Warnings(stack), w => w.Contains("The price table has no prices for eu-west-1") && w.Contains("uses us-east-1 prices"));
        var cost = Template.FromStack(stack).Single("AWS::SageMaker::Endpoint")["Metadata"]![GpuModelEndpoint.CostMetadataKey]!;
        Assert.Equal("us-east-1", cost["pricedRegion"]!.GetValue<string>());
    }
}
