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

    [Fact]
    public void The_role_may_write_execution_and_access_logs_of_every_API_of_the_account_and_region_as_AWS_documents()
    {
        var app = new App();
        var stack = new Stack(app, "Api");
        ApiOn(stack, new ModelPlatform(stack, "Platform"));
        var template = Template.FromStack(stack);
        var role = template.Resources("AWS::IAM::Role").Single(r => r.Key.StartsWith("ApiGatewayAccountLogging")).Value["Properties"]!;
        Assert.Null(role["ManagedPolicyArns"]);
        var statement = Assert.Single(role["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()))!;
        // The actions of AmazonAPIGatewayPushToCloudWatchLogs (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
        Assert.Equal(new[] { "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:PutLogEvents" },
            statement["Action"]!.AsArray().Select(a => a!.GetValue<string>()).Order());
        // Every log group of this account and region: the stage's access log group has a generated name, and other teams' APIs name theirs.
        Assert.Equal("""{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":logs:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":log-group:*"]]}""", statement["Resource"].Text());
        var stage = template.Single("AWS::ApiGateway::Stage")["Properties"]!;
        Assert.Contains("ApiAccessLogs", stage["AccessLogSetting"]!["DestinationArn"].Text());
    }

    [Fact]
    public void An_account_whose_setting_is_managed_elsewhere_gets_no_role_and_a_warning_saying_what_its_role_needs()
    {
        var app = new App();
        var stack = new Stack(app, "Api");
        ApiOn(stack, new ModelPlatform(stack, "Platform", new ModelPlatformProps { ManageApiGatewayLoggingRole = false }));
        var template = Template.FromStack(stack);
        template.ResourceCountIs("AWS::ApiGateway::Account", 0);
        Assert.DoesNotContain(template.Resources("AWS::IAM::Role"), r => r.Key.StartsWith("ApiGatewayAccountLogging"));
        var warning = Assert.Single(Synth.Warnings(stack), w => w.Contains("ManageApiGatewayLoggingRole = false"));
        Assert.Contains("logs:PutLogEvents", warning);
        Assert.Contains("log groups of this account and region", warning);
    }
}
