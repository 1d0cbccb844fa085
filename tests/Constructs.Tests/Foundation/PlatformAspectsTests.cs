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
    public void In_a_stack_with_an_explicit_region_the_AwsCustomResource_provider_is_moved_and_carries_its_reasons()
    {
        // With the region known, CDK resolves the provider's runtime to a literal (nodejs20.x) instead of a map lookup.
        var stack = new Stack(new App(), "Test", new StackProps { Env = new Amazon.CDK.Environment { Account = "111122223333", Region = "eu-west-1" } });
        PlatformAspects.ApplyOnce(stack);
        // The provider every AwsCustomResource of a stack shares (TrainingJobs' idle-compute lookup uses one).
        var call = new Amazon.CDK.CustomResources.AwsSdkCall
        {
            Service = "Batch", Action = "describeComputeEnvironments", PhysicalResourceId = Amazon.CDK.CustomResources.PhysicalResourceId.Of("lookup"),
        };
        _ = new Amazon.CDK.CustomResources.AwsCustomResource(stack, "Lookup", new Amazon.CDK.CustomResources.AwsCustomResourceProps
        {
            OnCreate = call,
            Policy = Amazon.CDK.CustomResources.AwsCustomResourcePolicy.FromSdkCalls(new Amazon.CDK.CustomResources.SdkCallsPolicyOptions { Resources = new[] { "*" } }),
            InstallLatestAwsSdk = false,
        });
        var template = Amazon.CDK.Assertions.Template.FromStack(stack);
        var provider = template.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("AWS679f53fac002430cb0da5b7982bd2287")).Value;
        Assert.Equal(PlatformAspects.NodeRuntime, provider["Properties"]!["Runtime"]!.GetValue<string>());
        var functionRules = provider["Metadata"]!["cdk_nag"]!["rules_to_suppress"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        foreach (var rule in new[] { "LambdaDLQ", "LambdaConcurrency", "LambdaInsideVPC" })
        {
            Assert.Contains("NIST.800.53.R5-" + rule, functionRules);
            Assert.Contains("HIPAA.Security-" + rule, functionRules);
        }
        var role = template.Resources("AWS::IAM::Role").Single(r => r.Key.StartsWith("AWS679f53fac002430cb0da5b7982bd2287ServiceRole")).Value;
        Assert.Equal("AwsSolutions-IAM4", role["Metadata"]!["cdk_nag"]!["rules_to_suppress"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public void Inline_policies_of_the_library_carry_their_reason_and_a_users_own_do_not()
    {
        var template = Synth.Template(s =>
        {
            var platform = new ModelPlatform(s, "Platform");
            var mine = new Amazon.CDK.AWS.IAM.Role(s, "Mine", new Amazon.CDK.AWS.IAM.RoleProps { AssumedBy = new Amazon.CDK.AWS.IAM.AccountRootPrincipal() });
            platform.Key.Key.GrantDecrypt(mine);
        });
        var policies = template.Resources("AWS::IAM::Policy");
        var users = Assert.Single(policies, p => p.Key.StartsWith("MineDefaultPolicy"));
        Assert.Null(users.Value["Metadata"]?["cdk_nag"]);
        var library = policies.Where(p => !p.Key.StartsWith("MineDefaultPolicy")).ToList();
        Assert.NotEmpty(library);
        Assert.All(library, p => Assert.Contains("HIPAA.Security-IAMNoInlinePolicy", p.Value["Metadata"].Text()));
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
