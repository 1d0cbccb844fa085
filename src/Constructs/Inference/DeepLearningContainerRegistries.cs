namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// The ECR registry account of the AWS Deep Learning Containers in each region: the images live in every region they
/// are offered in, under an account that differs by region, and SageMaker pulls a model's image only from the model's own
/// region ("the Docker image for inference container in Amazon EC2 Container Registry must be in the same region as the
/// model or endpoint you are creating", https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ContainerDefinition.html).
/// </summary>
/// <remarks>
/// Sources: the region table of https://github.com/aws/deep-learning-containers/blob/master/available_images.md (commercial
/// and China regions); the GovCloud registries from the SageMaker Python SDK's image catalog
/// (https://github.com/aws/sagemaker-python-sdk/blob/master/src/sagemaker/image_uri_config/huggingface-llm.json), which
/// lists the same accounts for every other region. Whether a given repository and tag is published in every listed
/// region is not part of either table (docs/deploy.md, "Inference").
/// </remarks>
public static class DeepLearningContainerRegistries
{
    /// <summary>Registry account by region.</summary>
    public static IReadOnlyDictionary<string, string> ByRegion { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["af-south-1"] = "626614931356",
        ["ap-east-1"] = "871362719292",
        ["ap-east-2"] = "763104351884",
        ["ap-northeast-1"] = "763104351884",
        ["ap-northeast-2"] = "763104351884",
        ["ap-northeast-3"] = "364406365360",
        ["ap-south-1"] = "763104351884",
        ["ap-south-2"] = "772153158452",
        ["ap-southeast-1"] = "763104351884",
        ["ap-southeast-2"] = "763104351884",
        ["ap-southeast-3"] = "907027046896",
        ["ap-southeast-4"] = "457447274322",
        ["ap-southeast-5"] = "550225433462",
        ["ap-southeast-7"] = "590183813437",
        ["ca-central-1"] = "763104351884",
        ["ca-west-1"] = "204538143572",
        ["cn-north-1"] = "727897471807",
        ["cn-northwest-1"] = "727897471807",
        ["eu-central-1"] = "763104351884",
        ["eu-central-2"] = "380420809688",
        ["eu-north-1"] = "763104351884",
        ["eu-south-1"] = "692866216735",
        ["eu-south-2"] = "503227376785",
        ["eu-west-1"] = "763104351884",
        ["eu-west-2"] = "763104351884",
        ["eu-west-3"] = "763104351884",
        ["il-central-1"] = "780543022126",
        ["me-central-1"] = "914824155844",
        ["me-south-1"] = "217643126080",
        ["mx-central-1"] = "637423239942",
        ["sa-east-1"] = "763104351884",
        ["us-east-1"] = "763104351884",
        ["us-east-2"] = "763104351884",
        ["us-gov-east-1"] = "446045086412",
        ["us-gov-west-1"] = "442386744353",
        ["us-west-1"] = "763104351884",
        ["us-west-2"] = "763104351884",
    };

    /// <summary>The ECR host name suffix of a region (<c>amazonaws.com.cn</c> in China).</summary>
    internal static string UrlSuffixOf(string region) => region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";

    /// <summary>The partition of a region of <see cref="ByRegion"/>.</summary>
    internal static string PartitionOf(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";
}
