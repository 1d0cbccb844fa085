using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Foundation;

public class PlatformAspectsTests
{
    [Fact]
    public void CDK_provider_functions_run_on_a_runtime_Lambda_still_creates_and_the_unused_runtime_map_is_gone()
    {
        var template = Synth.Template(s => new PlatformNetwork(s, "Net"));
        var provider = template.Single("AWS::Lambda::Function");
        Assert.Equal(PlatformAspects.NodeRuntime, provider["Properties"]!["Runtime"]!.GetValue<string>());
        Assert.Null(template.Json()["Mappings"]?["LatestNodeRuntimeMap"]);
    }

    [Fact]
    public void CDK_provider_roles_carry_the_reasoned_cdk_nag_suppression_for_their_managed_policy()
    {
        var template = Synth.Template(s => new PlatformNetwork(s, "Net"));
        var role = template.Resources("AWS::IAM::Role").Single(r => r.Key.Contains("CustomResourceProvider")).Value;
        var rule = role["Metadata"]!["cdk_nag"]!["rules_to_suppress"]![0]!;
        Assert.Equal("AwsSolutions-IAM4", rule["id"]!.GetValue<string>());
        Assert.Contains("runs only during deployment", rule["reason"]!.GetValue<string>());
        Assert.Contains("AWSLambdaBasicExecutionRole", rule["applies_to"].Text());
    }

    [Theory]
    [InlineData("nodejs18.x", PlatformAspects.NodeRuntime)]
    [InlineData("nodejs20.x", PlatformAspects.NodeRuntime)]
    [InlineData("nodejs22.x", "nodejs22.x")]
    [InlineData("python3.13", "python3.13")]
    public void Functions_on_runtimes_Lambda_blocks_are_moved_and_others_left_alone(string runtime, string expected)
    {
        var template = Synth.Template(s =>
        {
            PlatformAspects.ApplyOnce(s);
            new CfnFunction(s, "Fn", new CfnFunctionProps { Runtime = runtime, Handler = "index.handler", Role = "arn:aws:iam::111111111111:role/r", Code = new CfnFunction.CodeProperty { ZipFile = "x" } });
        });
        Assert.Equal(expected, template.Single("AWS::Lambda::Function")["Properties"]!["Runtime"]!.GetValue<string>());
    }

    [Fact]
    public void The_aspect_is_added_once_per_stack_however_many_constructs_ask()
    {
        var stack = Synth.NewStack();
        new ModelPlatform(stack, "A");
        new ModelPlatform(stack, "B");
        Assert.Single(Aspects.Of(stack).All, a => a is PlatformAspects);
    }
}
