using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Access;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;
using Constructs;

namespace AwsModelPlatform.Cdk;

/// <summary>
/// The sample's models, on the foundation's platform: an LLM on inference components that scales to zero (with a warm
/// window on office hours, and a smaller LLM on another GPU family as its fallback), and an
/// async endpoint for long jobs that scales from zero on its backlog, and the inference API in front of both (IAM auth;
/// its URL is the stack output <c>ApiUrl</c>). The TGI deep-learning container comes from the registry of the stack's
/// region (resolved at deploy time when the app has no region). Context: <c>modelBucket</c> (where the weights are).
/// The handler directory (context <c>handlerDirectory</c>, read by the app as for the training stack) holds a prebuilt
/// handler <c>bootstrap</c>; null: the handler is published with Native AOT from src/Handlers while the app synthesizes.
/// </summary>
public sealed class InferenceStack : Stack
{
    public GpuModelEndpoint Llm { get; }
    public GpuModelEndpoint SmallLlm { get; }
    public GpuModelEndpoint AsyncLlm { get; }
    public InferenceApi Api { get; }
    public TeamAccess Access { get; }

    /// <summary>The role whose callers count as <see cref="IamTeam"/> on <see cref="IamApi"/>.</summary>
    public const string IamTeamRole = "research-services";

    /// <summary>The IAM team's name, the one its limits are set under (PUT /v1/admin/teams/research).</summary>
    public const string IamTeam = "research";
    public InferenceApi IamApi { get; }

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

        // The LLM's fallback: a 3B model on another GPU family (L4 instead of A10G), so a shortage of g5 instances or a
        // cold or failing LLM still gets an answer. It scales to zero as well and costs nothing while idle; it is woken
        // with the LLM when both are cold, and whichever copy is up first answers.
        SmallLlm = new GpuModelEndpoint(this, "SmallLlm", new GpuModelEndpointProps
        {
            Platform = platform,
            Image = tgi,
            ModelData = ModelData.FromPrefix(models, "llama-3-2-3b-instruct/"),
            Environment = llmEnvironment,
            Hosting = new InferenceComponentHosting
            {
                InstanceType = "ml.g6.xlarge",
                MinInstances = 0,
                MaxInstances = 1,
                MemoryPerCopy = Size.Gibibytes(8),
                MinCopies = 0,
                MaxRequestsPerSecondPerCopy = 4,
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

        var served = new[]
        {
            new InferenceModel { Endpoint = Llm, Name = "llm", Protocol = ModelProtocol.OpenAi, Fallbacks = ["llm_small"] },
            new InferenceModel { Endpoint = SmallLlm, Name = "llm_small", Protocol = ModelProtocol.OpenAi },
            // An async endpoint serves only InvokeEndpointAsync: its model is reached on the async routes, with raw bodies.
            new InferenceModel { Endpoint = AsyncLlm, Name = "llm_async", Protocol = ModelProtocol.Raw },
        };
        // Two teams, two ways in: a method has one authorizer, so the key team's clients (OpenAI SDKs with an API key)
        // and the IAM team's services (SigV4) each get an API over the same models; one TeamAccess behind both keeps
        // one table, so each team's limits and budget hold whichever API it calls.
        Access = new TeamAccess(this, "Access", new TeamAccessProps { Platform = platform, HandlerDirectory = handlerDirectory });
        Api = new InferenceApi(this, "Api", new InferenceApiProps
        {
            Platform = platform,
            Models = served,
            HandlerDirectory = handlerDirectory,
            Authorization = ApiAuthorization.ApiKeys(Access),
        });
        IamApi = new InferenceApi(this, "IamApi", new InferenceApiProps
        {
            Platform = platform,
            Name = "inference-iam",
            Models = served,
            // A few services call it: it reserves less of the account's Lambda concurrency than the key API.
            ReservedConcurrency = 10,
            StreamingReservedConcurrency = 10,
            HandlerDirectory = handlerDirectory,
            TeamAccess = Access,
            CallerTeams = new Dictionary<string, string> { [$"arn:{Aws.PARTITION}:iam::{Account}:role/{IamTeamRole}"] = IamTeam },
        });
        _ = new CfnOutput(this, "ApiUrl", new CfnOutputProps { Value = Api.Url, Description = "Base URL of the inference API (API keys: Authorization: Bearer <key>; admin routes under IAM)" });
        _ = new CfnOutput(this, "IamApiUrl", new CfnOutputProps { Value = IamApi.Url, Description = "Base URL of the IAM inference API (SigV4 for execute-api; the caller's role maps to its team)" });
    }
}
