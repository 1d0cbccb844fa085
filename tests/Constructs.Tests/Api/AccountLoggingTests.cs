using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Api;

/// <summary>API Gateway's account-wide logging role: one per platform, in the platform's stack, as in the sample app.</summary>
public class AccountLoggingTests
{
    private static PlatformRestApi ApiOn(Stack stack, IModelPlatform platform)
    {
        var handler = new HandlerFunction(stack, "Handler", new HandlerFunctionProps
        {
            Platform = platform, Purpose = "api", Code = HandlerCode.FromDirectory(FakeHandlerCode.Directory), Configuration = new Dictionary<string, string>(),
        });
        var api = new PlatformRestApi(stack, "Api", new PlatformRestApiProps { Platform = platform, Name = stack.StackName });
        api.AddRoute("GET", "/v1/models", handler, InvokeMode.Buffered);
        return api;
    }

    [Fact]
    public void APIs_in_two_stacks_on_one_platform_share_one_account_setting_in_the_platforms_stack()
    {
        var app = new App();
        var foundation = new Stack(app, "Foundation");
        var platform = new ModelPlatform(foundation, "Platform");
        var inference = new Stack(app, "Inference");
        var training = new Stack(app, "Training");
        ApiOn(inference, platform);
        ApiOn(training, platform);
        var assembly = app.Synth();

        Template.FromStack(foundation).ResourceCountIs("AWS::ApiGateway::Account", 1);
        Template.FromStack(inference).ResourceCountIs("AWS::ApiGateway::Account", 0);
        Template.FromStack(training).ResourceCountIs("AWS::ApiGateway::Account", 0);
        var role = Template.FromStack(foundation).Resources("AWS::IAM::Role").Single(r => r.Key.StartsWith("ApiGatewayAccountLogging")).Value;
        Assert.Equal("Retain", role["DeletionPolicy"]!.GetValue<string>());
        // The stages wait for the setting: their stacks deploy after the platform's.
        foreach (var name in new[] { "Inference", "Training" })
        {
            Assert.Contains(assembly.GetStackByName(name).Dependencies, d => d.Id == "Foundation");
            Template.FromStack(name == "Inference" ? inference : training).ResourceCountIs("AWS::Logs::LogGroup", 4); // handler, access, execution and WAF logs
        }
        Assert.DoesNotContain(Synth.Warnings(inference).Concat(Synth.Warnings(training)).Concat(Synth.Warnings(foundation)), w => w.Contains("account-wide logging role"));
        Assert.DoesNotContain("Fn::ImportValue", Template.FromStack(foundation).Json().ToJsonString());
    }

    [Fact]
    public void A_standalone_API_sets_it_in_its_own_stack_and_a_second_one_in_the_same_account_is_warned_about()
    {
        var app = new App();
        var first = new Stack(app, "First");
        var second = new Stack(app, "Second");
        ApiOn(first, new ModelPlatform(first, "Platform"));
        ApiOn(second, new ModelPlatform(second, "Platform"));

        Template.FromStack(first).ResourceCountIs("AWS::ApiGateway::Account", 1);
        Template.FromStack(second).ResourceCountIs("AWS::ApiGateway::Account", 1);
        Assert.DoesNotContain(Synth.Warnings(first), w => w.Contains("account-wide logging role"));
        Assert.Contains(Synth.Warnings(second), w => w.Contains("Stack 'First' already sets API Gateway's account-wide logging role"));
    }

    [Fact]
    public void Stacks_in_different_accounts_each_set_their_own_without_a_warning()
    {
        var app = new App();
        Stack In(string id, string account) => new(app, id, new StackProps { Env = new Amazon.CDK.Environment { Account = account, Region = "us-east-1" } });
        var first = In("First", "111111111111");
        var second = In("Second", "222222222222");
        ApiOn(first, new ModelPlatform(first, "Platform"));
        ApiOn(second, new ModelPlatform(second, "Platform"));
        Template.FromStack(second).ResourceCountIs("AWS::ApiGateway::Account", 1);
        Assert.DoesNotContain(Synth.Warnings(second), w => w.Contains("account-wide logging role"));
    }
}
