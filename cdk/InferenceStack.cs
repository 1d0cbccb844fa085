using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;
using Constructs;

namespace AwsModelPlatform.Cdk;

/// <summary>
/// The sample's models, on the foundation's platform: an LLM on inference components that scales to zero, and an
/// async endpoint for long jobs that scales from zero on its backlog, and the inference API in front of both (IAM auth;
/// its URL is the stack output <c>ApiUrl</c>). The TGI deep-learning container comes from the registry of the stack's
/// region (resolved at deploy time when the app has no region). Context: <c>modelBucket</c> (where the weights are).
/// The handler directory (context <c>handlerDirectory</c>, read by the app as for the training stack) holds a prebuilt
/// handler <c>bootstrap</c>; null: the handler is published with Native AOT from src/Handlers while the app synthesizes.
/// </summary>
public sealed class InferenceStack : Stack
{
    public GpuModelEndpoint Llm { get; }
    public GpuModelEndpoint AsyncLlm { get; }
    public InferenceApi Api { get; }

    public InferenceStack(Construct scope, string id, IStackProps props, IModelPlatform platform, string? handlerDirectory) : base(scope, id, props)
    {
        // SageMaker pulls the image only from the endpoint's region, and the DLC registry account differs by region.
        var tgi = ModelImage.FromDeepLearningContainer("huggingface-pytorch-tgi-inference", "2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04");
        var models = Bucket.FromBucketName(this, "Models", Node.TryGetContext(SampleContext.ModelBucket) as string ?? "awsmodelplatform-models");
        var llmEnvironment = new Dictionary<string, string> { ["HF_MODEL_ID"] = "/opt/ml/model", ["SM_NUM_GPUS"] = "1", ["MAX_TOTAL_TOKENS"] = "8192" };

        Llm = new GpuModelEndpoint(this, "Llm", new GpuModelEndpointProps
        {
            Platform = platform,
            Image = tgi,
            ModelData = ModelData.FromPrefix(models, "llama-3-1-8b-instruct/"),
            Environment = llmEnvironment,
            Hosting = new InferenceComponentHosting
            {
                InstanceType = "ml.g5.2xlarge",
                MinInstances = 0,
                MaxInstances = 2,
                MemoryPerCopy = Size.Gibibytes(16),
                MinCopies = 0,
                MaxRequestsPerSecondPerCopy = 2,
                // Office hours in Berlin: the first request of the working day finds a copy awake.
                WarmSchedule = new WarmSchedule
                {
                    Start = "cron(0 8 ? * MON-FRI *)",
                    End = "cron(0 18 ? * MON-FRI *)",
                    TimeZone = "Europe/Berlin",
                    MinCapacity = 1,
                },
            },
        });

        AsyncLlm = new GpuModelEndpoint(this, "AsyncLlm", new GpuModelEndpointProps
        {
            Platform = platform,
            Image = tgi,
            ModelData = ModelData.FromPrefix(models, "llama-3-1-8b-instruct/"),
            Environment = llmEnvironment,
            Hosting = new RealTimeHosting
            {
                InstanceType = "ml.g5.xlarge",
                MinInstances = 0,
                MaxInstances = 2,
                Async = new AsyncInference { MaxConcurrentInvocationsPerInstance = 4 },
            },
        });

        Api = new InferenceApi(this, "Api", new InferenceApiProps
        {
            Platform = platform,
            Models = new[]
            {
                new InferenceModel { Endpoint = Llm, Name = "llm", Protocol = ModelProtocol.OpenAi },
                // An async endpoint serves only InvokeEndpointAsync: its model is reached on the async routes, with raw bodies.
                new InferenceModel { Endpoint = AsyncLlm, Name = "llm_async", Protocol = ModelProtocol.Raw },
            },
            HandlerDirectory = handlerDirectory,
        });
        _ = new CfnOutput(this, "ApiUrl", new CfnOutputProps { Value = Api.Url, Description = "Base URL of the inference API (IAM auth: sign requests with SigV4 for execute-api)" });
    }
}
