using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Tests.Api;
using AwsModelPlatform.Constructs.Training;

namespace AwsModelPlatform.Constructs.Tests.Training;

public sealed class TrainingApiFixture
{
    public Template Template { get; }

    public TrainingApiFixture()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var training = new TrainingJobs(stack, "Training", TrainingJobsTests.Props(platform));
        new TrainingApi(stack, "Api", new TrainingApiProps { Training = training, HandlerDirectory = FakeHandlerCode.Directory });
        Template = Template.FromStack(stack);
    }
}

public class TrainingApiTests(TrainingApiFixture fixture) : IClassFixture<TrainingApiFixture>
{
    private Template T => fixture.Template;

    private JsonNode Env => T.Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiHandlerFunction")).Value["Properties"]!["Environment"]!["Variables"]!;

    private List<JsonNode> Statements =>
        T.Resources("AWS::IAM::Policy").Where(p => p.Key.StartsWith("ApiHandler")).SelectMany(p => p.Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!).ToList();

    [Fact]
    public void The_function_gets_exactly_the_training_configuration_of_the_handler()
    {
        var env = Env;
        Assert.Equal("training", env["Api__RouteGroups"]!.GetValue<string>());
        Assert.Contains("TrainingQueue", env["Training__JobQueue"].Text());
        Assert.EndsWith("-finetune\"", env["Training__JobDefinitions__finetune"].Text());
        Assert.Contains("-ddp", env["Training__JobDefinitions__ddp__Name"].Text());
        Assert.Equal("2", env["Training__JobDefinitions__ddp__Nodes"]!.GetValue<string>());
        Assert.Equal("2", env["Training__JobDefinitions__ddp__MaxNodes"]!.GetValue<string>()); // default: the definition's Nodes
        Assert.Null(env["Training__JobDefinitions__finetune__MaxNodes"]);
        Assert.Equal("g5.12xlarge,g6.12xlarge", env["Training__AllowedInstanceTypes"]!.GetValue<string>());
        Assert.Equal("86400", env["Training__MaxRuntimeSeconds"]!.GetValue<string>());
        foreach (var bucket in new[] { "Datasets", "Checkpoints", "Output" })
            Assert.Contains("Training" + bucket, env[$"Training__{bucket}Bucket"].Text());
        Assert.Contains("ApiState", env["Training__StateBucket"].Text());
        Assert.Contains("PlatformKey", env["Training__KeyId"].Text());
    }

    [Fact]
    public void A_raised_MaxNodes_reaches_the_handler()
    {
        var stack = Synth.NewStack();
        var props = TrainingJobsTests.Props(new ModelPlatform(stack, "Platform"));
        var training = new TrainingJobs(stack, "Training", props with { JobDefinitions = new[] { props.JobDefinitions[1] with { MaxNodes = 4 } } });
        new TrainingApi(stack, "Api", new TrainingApiProps { Training = training, HandlerDirectory = FakeHandlerCode.Directory });
        var env = Template.FromStack(stack).Resources("AWS::Lambda::Function").Single(f => f.Key.StartsWith("ApiHandlerFunction")).Value["Properties"]!["Environment"]!["Variables"]!;
        Assert.Equal("2", env["Training__JobDefinitions__ddp__Nodes"]!.GetValue<string>());
        Assert.Equal("4", env["Training__JobDefinitions__ddp__MaxNodes"]!.GetValue<string>());
    }

    [Fact]
    public void The_four_routes_are_IAM_authorized_on_the_training_API()
    {
        var methods = T.Resources("AWS::ApiGateway::Method").Select(m => m.Value["Properties"]!).ToList();
        Assert.Equal(new[] { "DELETE", "GET", "GET", "POST" }, methods.Select(m => m["HttpMethod"]!.GetValue<string>()).Order());
        Assert.All(methods, m => Assert.Equal("AWS_IAM", m["AuthorizationType"]!.GetValue<string>()));
    }

    [Fact]
    public void The_role_submits_only_to_this_queue_and_encrypts_secrets_only_under_the_job_context()
    {
        var statements = Statements;
        var submit = statements.Single(s => s["Action"].Text() == "\"batch:SubmitJob\"");
        Assert.Equal(3, submit["Resource"]!.AsArray().Count);
        var secrets = statements.Single(s => s["Sid"]?.GetValue<string>() == "JobSecretsUnderTheirContext");
        Assert.Equal(
            """{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"aws-model-platform:job-name"},"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["aws-model-platform:job-name","aws-model-platform:submission","aws-model-platform:secret"]}}""",
            secrets["Condition"].Text());
        var viaS3 = statements.Single(s => s["Sid"]?.GetValue<string>() == "StateBucketKey");
        Assert.Contains("kms:ViaService", viaS3["Condition"].Text());
        var records = statements.Single(s => s["Sid"]?.GetValue<string>() == "IdempotencyRecords");
        Assert.Contains("/training/idempotency/*", records["Resource"].Text());
        Assert.DoesNotContain(statements, s => s["Action"].Text().Contains("s3:*") || s["Action"].Text().Contains("batch:*") || s["Action"].Text().Contains("kms:*"));
    }

    [Fact]
    public void Idempotency_records_live_in_an_encrypted_expiring_state_bucket_named_for_the_trail()
    {
        var state = T.Resources("AWS::S3::Bucket").Single(b => b.Key.StartsWith("ApiState")).Value["Properties"]!;
        Assert.Contains("aws:kms", state["BucketEncryption"].Text());
        Assert.Equal(30, state["LifecycleConfiguration"]!["Rules"]![0]!["ExpirationInDays"]!.GetValue<int>());
        Assert.Contains("-state-", state["BucketName"].Text());
    }

    [Fact]
    public void An_allowed_instance_type_the_compute_cannot_launch_fails_synthesis()
    {
        var stack = Synth.NewStack();
        var training = new TrainingJobs(stack, "Training", TrainingJobsTests.Props());
        var message = Synth.ErrorOf(() => new TrainingApi(stack, "Api", new TrainingApiProps
        {
            Training = training, HandlerDirectory = FakeHandlerCode.Directory, AllowedInstanceTypes = new[] { "p5.48xlarge" },
        }));
        Assert.StartsWith("TrainingApiProps.AllowedInstanceTypes: 'p5.48xlarge' is not one of the training compute environments' types", message);
    }
}
