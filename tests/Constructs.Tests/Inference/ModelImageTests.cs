using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>SageMaker pulls a model's image only from the model's own region: the image must be named per region.</summary>
public class ModelImageTests
{
    private const string Tgi = "huggingface-pytorch-tgi-inference";
    private const string TgiTag = "2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04";

    private static Stack In(string? region) => region is null
        ? Synth.NewStack()
        : new Stack(new App(), "Test", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = region } });

    private static GpuModelEndpoint Endpoint(Stack stack, ModelImage image, string id = "Llm") => new(stack, id, new GpuModelEndpointProps
    {
        Image = image,
        Hosting = new ServerlessHosting(),
    });

    private static JsonNode ModelOf(Stack stack) => Template.FromStack(stack).Resources("AWS::SageMaker::Model").First().Value["Properties"]!;

    private static JsonNode PullStatement(Stack stack, string endpointId = "Llm") => Template.FromStack(stack).Resources("AWS::IAM::Policy")
        .Where(p => p.Key.StartsWith(endpointId + "ExecutionRole", StringComparison.Ordinal))
        .SelectMany(p => p.Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
        .Single(s => s!["Sid"]?.GetValue<string>() == "PullModelImage")!;

    [Theory]
    [InlineData("eu-south-1", "692866216735", "amazonaws.com")]
    [InlineData("ap-east-1", "871362719292", "amazonaws.com")]
    [InlineData("us-west-2", "763104351884", "amazonaws.com")]
    [InlineData("cn-northwest-1", "727897471807", "amazonaws.com.cn")]
    [InlineData("us-gov-west-1", "442386744353", "amazonaws.com")]
    public void A_deep_learning_container_in_a_stack_with_a_region_comes_from_that_regions_registry(string region, string account, string suffix)
    {
        var stack = In(region);
        Endpoint(stack, ModelImage.FromDeepLearningContainer(Tgi, TgiTag));
        Assert.Equal($"{account}.dkr.ecr.{region}.{suffix}/{Tgi}:{TgiTag}", ModelOf(stack)["PrimaryContainer"]!["Image"]!.GetValue<string>());
        Assert.EndsWith($":ecr:{region}:{account}:repository/{Tgi}\"]]}}", PullStatement(stack)["Resource"].Text());
        Assert.Null(Template.FromStack(stack).Json()["Mappings"]?["AwsDeepLearningContainerRegistries"]);
    }

    [Fact]
    public void A_deep_learning_container_in_an_environment_agnostic_stack_is_resolved_by_region_at_deploy_time()
    {
        var stack = In(null);
        Endpoint(stack, ModelImage.FromDeepLearningContainer(Tgi, TgiTag));
        Endpoint(stack, ModelImage.FromDeepLearningContainer("pytorch-inference", "sha256:" + new string('a', 64)), "Small");
        var template = Template.FromStack(stack).Json();

        // One mapping for the stack, with every region of the table.
        var mapping = template["Mappings"]!["AwsDeepLearningContainerRegistries"]!.AsObject();
        Assert.Equal(DeepLearningContainerRegistries.ByRegion.Keys.Order(), mapping.Select(r => r.Key).Order());
        Assert.All(DeepLearningContainerRegistries.ByRegion, r => Assert.Equal(r.Value, mapping[r.Key]!["account"]!.GetValue<string>()));

        var images = Template.FromStack(stack).Resources("AWS::SageMaker::Model").Select(m => m.Value["Properties"]!["PrimaryContainer"]!["Image"]!).ToList();
        foreach (var image in images)
        {
            var parts = image["Fn::Join"]![1]!.AsArray();
            Assert.Equal("AWS::Region", parts[0]!["Fn::FindInMap"]![1]!["Ref"]!.GetValue<string>());
            Assert.Equal("account", parts[0]!["Fn::FindInMap"]![2]!.GetValue<string>());
            Assert.Contains("""{"Ref":"AWS::URLSuffix"}""", parts.ToJsonString());
        }
        Assert.Contains(images, i => i.Text().Contains($"/{Tgi}:{TgiTag}"));
        Assert.Contains(images, i => i.Text().Contains("/pytorch-inference@sha256:"));
        Assert.Contains("Fn::FindInMap", PullStatement(stack)["Resource"].Text());
    }

    [Fact]
    public void A_deep_learning_container_in_a_region_without_a_registry_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => Endpoint(In("us-iso-east-1"), ModelImage.FromDeepLearningContainer(Tgi, TgiTag)));
        Assert.StartsWith("Test/Llm: ModelImage.FromDeepLearningContainer: the stack deploys to us-iso-east-1, which has no AWS Deep Learning Containers registry", message);
        Assert.Contains("ModelImage.FromEcrRepository", message);
    }

    [Theory]
    [InlineData("Huggingface", TgiTag, "repository = 'Huggingface'")]
    [InlineData(Tgi, "latest tag", "tagOrDigest = 'latest tag'")]
    public void A_malformed_deep_learning_container_name_fails_synthesis(string repository, string tag, string expected)
    {
        Assert.Contains(expected, Synth.ErrorOf(() => ModelImage.FromDeepLearningContainer(repository, tag)));
    }

    [Fact]
    public void An_image_of_another_region_fails_synthesis_in_a_stack_with_a_region()
    {
        var message = Synth.ErrorOf(() => Endpoint(In("eu-west-1"), ModelImage.FromImageUri(EndpointTemplates.TgiImage)));
        Assert.StartsWith("Test/Llm: ModelImage.FromImageUri: the image ", message);
        Assert.Contains("is in us-east-1, but the stack deploys to eu-west-1", message);
        Assert.Contains("ModelImage.FromDeepLearningContainer", message);
        Endpoint(In("us-east-1"), ModelImage.FromImageUri(EndpointTemplates.TgiImage)); // its own region: fine
    }

    [Fact]
    public void An_image_uri_in_an_environment_agnostic_stack_warns_that_the_template_deploys_only_to_its_region()
    {
        var stack = In(null);
        Endpoint(stack, ModelImage.FromImageUri(EndpointTemplates.TgiImage));
        Assert.Contains(Synth.Warnings(stack), w => w.Contains("this environment-agnostic template deploys only to us-east-1"));
    }
}
