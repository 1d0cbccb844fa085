namespace AwsModelPlatform.Cdk;

/// <summary>The context keys the sample app reads (<c>cdk synth -c key=value</c> or cdk.json), in one place for the app and its tests.</summary>
public static class SampleContext
{
    /// <summary>Project name of the platform (tags, resource names). Default: <c>AwsModelPlatform</c>.</summary>
    public const string ProjectName = "projectName";

    /// <summary>The <c>CostCenter</c> tag. Default: none.</summary>
    public const string CostCenter = "costCenter";

    /// <summary>Address subscribed to the alarm topic. Default: none.</summary>
    public const string AlarmEmail = "alarmEmail";

    /// <summary>Account to deploy to. Default: <c>CDK_DEFAULT_ACCOUNT</c>, else environment-agnostic.</summary>
    public const string Account = "account";

    /// <summary>Region to deploy to. Default: <c>CDK_DEFAULT_REGION</c>, else environment-agnostic.</summary>
    public const string Region = "region";

    /// <summary>ECR repository of the training image. Default: <c>training</c>.</summary>
    public const string TrainingImageRepository = "trainingImageRepository";

    /// <summary>Tag of the training image. Default: <c>v1</c>.</summary>
    public const string TrainingImageTag = "trainingImageTag";

    /// <summary>A prebuilt handler directory (its <c>bootstrap</c>) instead of publishing src/Handlers. Default: none.</summary>
    public const string HandlerDirectory = "handlerDirectory";

    /// <summary>Bucket of the model weights. Default: <c>awsmodelplatform-models</c>.</summary>
    public const string ModelBucket = "modelBucket";
}
