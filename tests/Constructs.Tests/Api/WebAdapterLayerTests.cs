using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using AwsModelPlatform.Constructs.Api;

namespace AwsModelPlatform.Constructs.Tests.Api;

/// <summary>The Web Adapter layer is published per partition (and per region in China): the template must name the one of its region.</summary>
public class WebAdapterLayerTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static Stack In(string region) =>
        new(new App(), "Test", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = region } });

    [Theory]
    [InlineData("us-east-1", "X86_64", "arn:aws:lambda:us-east-1:753240598075:layer:LambdaAdapterLayerX86:26")]
    [InlineData("eu-central-2", "ARM_64", "arn:aws:lambda:eu-central-2:753240598075:layer:LambdaAdapterLayerArm64:26")]
    [InlineData("cn-north-1", "X86_64", "arn:aws-cn:lambda:cn-north-1:041581134020:layer:LambdaAdapterLayerX86:26")]
    [InlineData("cn-northwest-1", "X86_64", "arn:aws-cn:lambda:cn-northwest-1:069767869989:layer:LambdaAdapterLayerX86:26")]
    public void A_stack_with_a_region_gets_the_layer_published_there(string region, string architecture, string expected)
    {
        Assert.Equal(expected, WebAdapterLayers.Arn(In(region), architecture == "ARM_64" ? Architecture.ARM_64 : Architecture.X86_64));
    }

    [Fact]
    public void Arm64_in_China_where_only_an_x86_64_layer_is_published_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => WebAdapterLayers.Arn(In("cn-north-1"), Architecture.ARM_64));
        Assert.Contains("published in cn-north-1 for x86_64 only", message);
        Assert.Contains("WebAdapterLayerArn", message);
    }

    [Theory]
    [InlineData("us-gov-west-1")]
    [InlineData("us-iso-east-1")]
    public void A_region_without_a_published_layer_fails_synthesis_with_the_fix(string region)
    {
        var message = Synth.ErrorOf(() => WebAdapterLayers.Arn(In(region), Architecture.X86_64));
        Assert.Contains($"no AWS Lambda Web Adapter layer is published in {region}", message);
        Assert.Contains("pass its ARN as WebAdapterLayerArn", message);
    }

    [Fact]
    public void An_environment_agnostic_stack_chooses_the_China_layers_or_the_commercial_one_by_region_at_deploy_time()
    {
        var stack = Synth.NewStack();
        var resolved = JsonSerializer.Serialize(stack.Resolve(WebAdapterLayers.Arn(stack, Architecture.X86_64)));
        Assert.Contains("\"Fn::If\":[\"WebAdapterInCnNorth1\",\"arn:aws-cn:lambda:cn-north-1:041581134020:layer:LambdaAdapterLayerX86:26\"", resolved);
        Assert.Contains("\"Fn::If\":[\"WebAdapterInCnNorthwest1\",\"arn:aws-cn:lambda:cn-northwest-1:069767869989:layer:LambdaAdapterLayerX86:26\"", resolved);
        Assert.Contains("{\"Ref\":\"AWS::Partition\"},\":lambda:\",{\"Ref\":\"AWS::Region\"},\":753240598075:layer:LambdaAdapterLayerX86:26\"", resolved);
        var conditions = api.Template.Json()["Conditions"]!;
        Assert.Equal("""{"Fn::Equals":[{"Ref":"AWS::Region"},"cn-north-1"]}""", conditions["WebAdapterInCnNorth1"].Text());
        Assert.Equal("""{"Fn::Equals":[{"Ref":"AWS::Region"},"cn-northwest-1"]}""", conditions["WebAdapterInCnNorthwest1"].Text());
        Assert.Contains("WebAdapterInCnNorth1", api.Template.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("BufferedFunction")).Value["Properties"]!["Layers"].Text());
    }

    [Fact]
    public void An_own_layer_is_used_as_given_in_any_region()
    {
        var stack = In("us-gov-west-1");
        var platform = new AwsModelPlatform.Constructs.Foundation.ModelPlatform(stack, "Platform");
        var function = new HandlerFunction(stack, "Handler", new HandlerFunctionProps
        {
            Platform = platform, Purpose = "api", Code = HandlerCode.FromDirectory(FakeHandlerCode.Directory),
            Configuration = new Dictionary<string, string>(),
            WebAdapterLayerArn = "arn:aws-us-gov:lambda:us-gov-west-1:111111111111:layer:OwnWebAdapter:1",
        });
        Assert.Equal("""["arn:aws-us-gov:lambda:us-gov-west-1:111111111111:layer:OwnWebAdapter:1"]""",
            Amazon.CDK.Assertions.Template.FromStack(stack).Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("HandlerFunction")).Value["Properties"]!["Layers"].Text());
    }
}
