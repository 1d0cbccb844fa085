using System.Text.Json.Nodes;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>What the sample's templates need to deploy in any region of the partitions cdk.json targets.</summary>
[Collection(BuiltSampleApp.Collection)]
public class SampleTemplateTests(BuiltSampleApp app)
{
    [Fact]
    public void The_TGI_image_is_taken_from_the_registry_of_the_region_the_sample_is_deployed_to()
    {
        // SageMaker pulls a model's image only from its own region, and the DLC registry account differs by region.
        var models = app.Inference["Resources"]!.AsObject().Select(r => r.Value!).Where(r => r["Type"]!.GetValue<string>() == "AWS::SageMaker::Model").ToList();
        Assert.Equal(3, models.Count);
        foreach (var model in models)
        {
            var image = model["Properties"]!["PrimaryContainer"]!["Image"]!;
            var parts = image["Fn::Join"]![1]!.AsArray().ToJsonString();
            Assert.Contains("""{"Fn::FindInMap":["AwsDeepLearningContainerRegistries",{"Ref":"AWS::Region"},"account"]}""", parts);
            Assert.Contains("""{"Ref":"AWS::URLSuffix"}""", parts);
            Assert.Contains("huggingface-pytorch-tgi-inference:", parts);
            Assert.DoesNotContain("us-east-1", parts);
        }
        var registries = app.Inference["Mappings"]!["AwsDeepLearningContainerRegistries"]!.AsObject();
        Assert.Equal("763104351884", registries["eu-west-1"]!["account"]!.GetValue<string>());
        Assert.Equal("727897471807", registries["cn-north-1"]!["account"]!.GetValue<string>());
    }

    [Fact]
    public void The_scale_to_zero_LLM_falls_back_to_another_OpenAI_model_on_another_GPU_family()
    {
        var variables = app.Function("buffered").Properties["Environment"]!["Variables"]!.AsObject();
        string? Setting(string model, string key) =>
            variables.Where(v => v.Key.StartsWith("Inference__Models__", StringComparison.Ordinal) && v.Key.EndsWith("__Name", StringComparison.Ordinal) && v.Value!.GetValue<string>() == model)
                .Select(v => variables[v.Key[..^"Name".Length] + key]?.GetValue<string>()).Single();
        Assert.Equal("llm_small", Setting("llm", "Fallbacks"));
        Assert.Equal("openai", Setting("llm", "Protocol"));
        Assert.Equal("openai", Setting("llm_small", "Protocol"));
        Assert.NotNull(Setting("llm_small", "InferenceComponentName")); // it scales to zero too, and is woken the same way

        // Another instance type, of another GPU family: a shortage of the LLM's type does not take its fallback too.
        var types = app.Inference["Resources"]!.AsObject().Select(r => r.Value!).Where(r => r["Type"]!.GetValue<string>() == "AWS::SageMaker::EndpointConfig")
            .SelectMany(c => c["Properties"]!["ProductionVariants"]!.AsArray().Select(v => v!["InstanceType"]?.GetValue<string>())).ToList();
        Assert.Contains("ml.g5.2xlarge", types);
        Assert.Contains("ml.g6.xlarge", types);
    }

    [Fact]
    public void The_Web_Adapter_layer_is_the_one_published_in_the_partition_and_region_deployed_to()
    {
        foreach (var template in new[] { app.Inference, app.Training })
        {
            var functions = template["Resources"]!.AsObject().Select(r => r.Value!)
                .Where(r => r["Type"]!.GetValue<string>() == "AWS::Lambda::Function" && r["Properties"]!["Environment"]?["Variables"]?["AWS_LWA_INVOKE_MODE"] is not null).ToList();
            Assert.NotEmpty(functions);
            foreach (var function in functions)
            {
                var layers = function["Properties"]!["Layers"]!.ToJsonString();
                Assert.Contains("arn:aws-cn:lambda:cn-north-1:041581134020:layer:LambdaAdapterLayerX86:26", layers);
                Assert.Contains("arn:aws-cn:lambda:cn-northwest-1:069767869989:layer:LambdaAdapterLayerX86:26", layers);
                Assert.Contains("""{"Ref":"AWS::Partition"}""", layers);
            }
        }
    }

    [Fact]
    public void Every_handler_function_environment_fits_Lambdas_4_KB_even_with_long_deploy_time_values()
    {
        // Lambda allows 4 KB of environment variables per function, keys and values together
        // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html). A value resolved at deploy time
        // (a bucket's name, a queue's or a key's ARN) is counted at 256 characters, more than any of them has.
        const int deployTimeValue = 256;
        static int Size(JsonNode value) => value switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => System.Text.Encoding.UTF8.GetByteCount(s),
            JsonObject o when o["Fn::Join"] is JsonArray join => join[1]!.AsArray().Sum(p => Size(p!)) + System.Text.Encoding.UTF8.GetByteCount(join[0]!.GetValue<string>()) * (join[1]!.AsArray().Count - 1),
            _ => deployTimeValue,
        };
        var sizes = new[] { app.Inference, app.Training }.SelectMany(t => t["Resources"]!.AsObject())
            .Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::Lambda::Function" && r.Value["Properties"]!["Environment"]?["Variables"]?["AWS_LWA_INVOKE_MODE"] is not null)
            .Select(r => (r.Key, Bytes: r.Value!["Properties"]!["Environment"]!["Variables"]!.AsObject().Sum(v => System.Text.Encoding.UTF8.GetByteCount(v.Key) + Size(v.Value!))))
            .ToList();
        // Per inference API (keys, IAM) a buffered and a streaming function, TeamAccess's authorizer and admin functions, the training API's.
        Assert.Equal(7, sizes.Count);
        Assert.All(sizes, s => Assert.True(s.Bytes <= 4096, $"{s.Key}: {s.Bytes} bytes of environment variables; Lambda allows 4096."));
    }

    [Fact]
    public void No_API_with_streaming_routes_compresses_responses()
    {
        var apis = app.Inference["Resources"]!.AsObject().Select(r => r.Value!).Where(r => r["Type"]!.GetValue<string>() == "AWS::ApiGateway::RestApi").ToList();
        Assert.Equal(2, apis.Count); // the key API and the IAM API
        Assert.All(apis, api => Assert.Null(api["Properties"]!["MinimumCompressionSize"]));
        Assert.Contains(app.Inference["Resources"]!.AsObject().Select(r => r.Value!), r =>
            r["Type"]!.GetValue<string>() == "AWS::ApiGateway::Method" && r["Properties"]!["Integration"]?["ResponseTransferMode"]?.GetValue<string>() == "STREAM");
    }

    [Fact]
    public void Synthesis_warns_that_the_account_needs_a_concurrency_quota_of_at_least_265()
    {
        // What the templates reserve: per inference API a buffered and a streaming function (50 + 50 on the key API, 10 + 10
        // on the IAM API, which serves a few services), TeamAccess's authorizer (20) and admin function (5), the training API's (20).
        var reserved = new[] { app.Inference, app.Training }.SelectMany(t => t["Resources"]!.AsObject().Select(r => r.Value!))
            .Where(r => r["Type"]!.GetValue<string>() == "AWS::Lambda::Function")
            .Sum(r => r["Properties"]!["ReservedConcurrentExecutions"]?.GetValue<int>() ?? 0);
        Assert.Equal(165, reserved);
        foreach (var stack in new[] { "Inference", "Training" })
        {
            var warning = Assert.Single(app.Warnings[stack], w => w.Contains("concurrent Lambda executions"));
            Assert.Contains("reserve 165 concurrent Lambda executions", warning);
            Assert.Contains("must be at least 265", warning);
        }
        Assert.DoesNotContain(app.Warnings["Foundation"], w => w.Contains("concurrent Lambda executions"));
    }
}
