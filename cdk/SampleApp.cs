using Amazon.CDK;
using AwsModelPlatform.Constructs.Foundation;
using Constructs;

namespace AwsModelPlatform.Cdk;

/// <summary>The sample app: the stacks a team deploys to run the platform. Context picks account, region and names.</summary>
public static class SampleApp
{
    public static void Build(App app)
    {
        var env = EnvironmentFromContext(app);
        var foundation = new FoundationStack(app, "Foundation", new StackProps
        {
            Env = env,
            Description = "AwsModelPlatform foundation: KMS key, isolated VPC with endpoints, CloudTrail, alarm topic",
        }, new ModelPlatformProps
        {
            ProjectName = Context(app, SampleContext.ProjectName) ?? "AwsModelPlatform",
            CostCenter = Context(app, SampleContext.CostCenter),
            AlarmEmail = Context(app, SampleContext.AlarmEmail),
        });
        _ = new TrainingStack(app, "Training", new StackProps
        {
            Env = env,
            Description = "AwsModelPlatform training: AWS Batch GPU queue, job definitions, buckets, alarms",
        }, foundation.Platform, Context(app, SampleContext.TrainingImageRepository) ?? "training", Context(app, SampleContext.TrainingImageTag) ?? "v1",
            Context(app, SampleContext.HandlerDirectory));
        _ = new InferenceStack(app, "Inference", new StackProps
        {
            Env = env,
            Description = "AwsModelPlatform inference: an LLM on inference components (scale to zero), an async endpoint, and the inference API in front of them",
        }, foundation.Platform, Context(app, SampleContext.HandlerDirectory));
    }

    /// <summary>Account and region from <c>-c account=... -c region=...</c>, else the CLI's defaults; agnostic when neither is set.</summary>
    private static Amazon.CDK.Environment? EnvironmentFromContext(Construct app)
    {
        var account = Context(app, SampleContext.Account) ?? System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT");
        var region = Context(app, SampleContext.Region) ?? System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION");
        return account is null && region is null ? null : new Amazon.CDK.Environment { Account = account, Region = region };
    }

    private static string? Context(Construct app, string key) => app.Node.TryGetContext(key) as string is { Length: > 0 } value ? value : null;
}

/// <summary>The shared foundation every other stack of the sample builds on.</summary>
public sealed class FoundationStack : Stack
{
    public ModelPlatform Platform { get; }

    public FoundationStack(Construct scope, string id, IStackProps props, ModelPlatformProps platform) : base(scope, id, props)
    {
        Platform = new ModelPlatform(this, "Platform", platform);
    }
}
