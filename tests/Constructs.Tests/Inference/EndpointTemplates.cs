using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>
/// One synthesized stack per hosting mode, shared by the test classes of this folder (jsii makes a synth take
/// seconds): a real-time LLM endpoint with defaults, an inference-component endpoint that scales to zero, an async
/// endpoint that scales from zero, and a serverless one. Each is written to a temp file for the botocore check.
/// </summary>
public sealed class EndpointTemplates
{
    /// <summary>The test collection sharing one instance of these templates.</summary>
    public const string Collection = "Endpoint templates";

    public const string TgiImage = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04";

    public Template RealTime { get; }
    public Template Components { get; }
    public Template Async { get; }
    public Template Serverless { get; }

    public GpuModelEndpoint RealTimeEndpoint { get; private set; } = null!;
    public GpuModelEndpoint ComponentsEndpoint { get; private set; } = null!;
    public GpuModelEndpoint AsyncEndpoint { get; private set; } = null!;
    public GpuModelEndpoint ServerlessEndpoint { get; private set; } = null!;

    public EndpointTemplates()
    {
        RealTime = Synth.Template(s =>
        {
            RealTimeEndpoint = new GpuModelEndpoint(s, "Llm", new GpuModelEndpointProps
            {
                Image = ModelImage.FromImageUri(TgiImage),
                ModelData = ModelData.FromPrefix(Bucket.FromBucketName(s, "Models", "my-models"), "llama-3-8b/"),
                Environment = new Dictionary<string, string> { ["SM_NUM_GPUS"] = "1" },
                Hosting = new RealTimeHosting { InstanceType = "ml.g5.2xlarge", MaxInstances = 3 },
            });
            RealTimeEndpoint.GrantInvoke(new Role(s, "Caller", new RoleProps { AssumedBy = new ServicePrincipal("lambda.amazonaws.com") }));
        });
        Components = Synth.Template(s =>
        {
            ComponentsEndpoint = new GpuModelEndpoint(s, "Llm", new GpuModelEndpointProps
            {
                Image = ModelImage.FromEcrRepository(Repository.FromRepositoryName(s, "Repo", "llm-server"), "v1"),
                ModelData = ModelData.FromArchive(Bucket.FromBucketName(s, "Models", "my-models"), "llm/model.tar.gz"),
                Hosting = new InferenceComponentHosting { InstanceType = "ml.g5.12xlarge", MaxInstances = 2, MemoryPerCopy = Size.Gibibytes(16) },
            });
            ComponentsEndpoint.GrantInvoke(new Role(s, "Caller", new RoleProps { AssumedBy = new ServicePrincipal("lambda.amazonaws.com") }));
        });
        Async = Synth.Template(s =>
        {
            AsyncEndpoint = new GpuModelEndpoint(s, "Batchy", new GpuModelEndpointProps
            {
                Image = ModelImage.FromImageUri(TgiImage),
                Hosting = new RealTimeHosting { InstanceType = "ml.p3.2xlarge", MinInstances = 0, MaxInstances = 4, Async = new AsyncInference { MaxConcurrentInvocationsPerInstance = 4 } },
            });
            AsyncEndpoint.GrantAsyncPayloads(new Role(s, "Api", new RoleProps { AssumedBy = new ServicePrincipal("lambda.amazonaws.com") }));
        });
        Serverless = Synth.Template(s => ServerlessEndpoint = new GpuModelEndpoint(s, "Small", new GpuModelEndpointProps
        {
            Image = ModelImage.FromImageUri("763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"),
            ModelData = ModelData.FromArchive(Bucket.FromBucketName(s, "Models", "my-models"), "small/model.tar.gz"),
            Hosting = new ServerlessHosting { MemorySize = Size.Gibibytes(4), MaxConcurrency = 20, ProvisionedConcurrency = 2 },
        }));
    }

    public IEnumerable<(string Name, Template Template)> All =>
        new[] { ("RealTime", RealTime), ("Components", Components), ("Async", Async), ("Serverless", Serverless) };
}

[CollectionDefinition(EndpointTemplates.Collection)]
public sealed class EndpointTemplatesCollection : ICollectionFixture<EndpointTemplates> { }
