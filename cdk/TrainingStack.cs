using Amazon.CDK;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Training;
using Constructs;

namespace AwsModelPlatform.Cdk;

/// <summary>GPU training on AWS Batch: a single-node fine-tuning definition and a 2-node DDP one, on Spot with an on-demand fallback, and the job API.</summary>
public sealed class TrainingStack : Stack
{
    public TrainingJobs Training { get; }

    public TrainingApi Api { get; }

    public TrainingStack(Construct scope, string id, IStackProps props, IModelPlatform platform, string imageRepository, string imageTag, string? handlerDirectory) : base(scope, id, props)
    {
        var image = ContainerImage.FromEcrRepository(Repository.FromRepositoryName(this, "Image", imageRepository), imageTag);
        Training = new TrainingJobs(this, "Training", new TrainingJobsProps
        {
            Platform = platform,
            InstanceTypes = new[] { "g5.12xlarge", "g6.12xlarge" },
            MaxVCpus = 192,
            UseSpot = true,
            OnDemandFallback = true,
            JobDefinitions = new[]
            {
                new TrainingJobDefinitionOptions { Name = "finetune", Image = image, Gpus = 4 },
                new TrainingJobDefinitionOptions { Name = "ddp", Image = image, Gpus = 4, Nodes = 2, MaxNodes = 4 },
            },
        });
        Api = new TrainingApi(this, "Api", new TrainingApiProps { Training = Training, HandlerDirectory = handlerDirectory });
        _ = new CfnOutput(this, "ApiUrl", new CfnOutputProps { Value = Api.Url, Description = "Base URL of the training API (IAM auth: sign requests with SigV4 for execute-api)" });
    }
}
