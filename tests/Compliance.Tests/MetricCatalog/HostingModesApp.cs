using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Cdk;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Compliance.Tests.MetricCatalog;

/// <summary>
/// One stack with an endpoint of every hosting mode the sample does not have (real-time with autoscaling, serverless
/// with and without provisioned concurrency) beside the two it has (inference components scaled to zero, async scaled
/// from zero), and an inference API in front of the synchronous ones: the metrics each mode watches, in one synthesis.
/// </summary>
public sealed class HostingModesApp : IDisposable
{
    private const string Tgi = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04";

    private readonly string _outDir = Directory.CreateTempSubdirectory("amp-modes-").FullName;
    private readonly string _handler = Directory.CreateTempSubdirectory("amp-modes-bootstrap-").FullName;

    public JsonObject Template { get; }

    public HostingModesApp()
    {
        NodeWarnings.Silence();
        File.WriteAllText(Path.Combine(_handler, "bootstrap"), "#!/bin/sh\n");
        var app = new App(new AppProps { Outdir = _outDir });
        var stack = new Stack(app, "HostingModes");
        var platform = new ModelPlatform(stack, "Platform");
        var models = Bucket.FromBucketName(stack, "Models", "my-models");
        GpuModelEndpoint Endpoint(string id, EndpointHosting hosting, string image = Tgi) => new(stack, id, new GpuModelEndpointProps
        {
            Platform = platform,
            Image = ModelImage.FromImageUri(image),
            ModelData = ModelData.FromPrefix(models, id.ToLowerInvariant() + "/"),
            Hosting = hosting,
        });
        var realTime = Endpoint("RealTime", new RealTimeHosting { InstanceType = "ml.g5.2xlarge", MinInstances = 1, MaxInstances = 3 });
        var components = Endpoint("Components", new InferenceComponentHosting { InstanceType = "ml.g5.12xlarge", MinInstances = 0, MaxInstances = 2, MemoryPerCopy = Size.Gibibytes(16), MinCopies = 0 });
        _ = Endpoint("Async", new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 0, MaxInstances = 2, Async = new AsyncInference() });
        const string cpuImage = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker";
        _ = Endpoint("Serverless", new ServerlessHosting { MemorySize = Size.Gibibytes(4), MaxConcurrency = 10 }, cpuImage);
        _ = Endpoint("Provisioned", new ServerlessHosting { MemorySize = Size.Gibibytes(4), MaxConcurrency = 10, ProvisionedConcurrency = 2 }, cpuImage);
        _ = new InferenceApi(stack, "Api", new InferenceApiProps
        {
            Platform = platform,
            Models = new InferenceModel[] { new() { Endpoint = realTime, Name = "chat" }, new() { Endpoint = components, Name = "shared" } },
            HandlerDirectory = _handler,
        });
        var assembly = app.Synth();
        Template = JsonNode.Parse(File.ReadAllText(Path.Combine(assembly.Directory, assembly.GetStackByName("HostingModes").TemplateFile)))!.AsObject();
    }

    public void Dispose()
    {
        Directory.Delete(_outDir, recursive: true);
        Directory.Delete(_handler, recursive: true);
    }
}
