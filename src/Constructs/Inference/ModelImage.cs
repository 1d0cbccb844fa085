using System.Text.RegularExpressions;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.IAM;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>The container image a model runs in: an ECR repository of yours, or an AWS deep-learning container.</summary>
public abstract class ModelImage
{
    private protected ModelImage() { }

    /// <summary>An image in an ECR repository; the execution role may pull from that repository only.</summary>
    /// <param name="repository">The repository.</param>
    /// <param name="tagOrDigest">A tag, or a digest <c>sha256:...</c>. A digest pins the exact image an endpoint runs.</param>
    public static ModelImage FromEcrRepository(IRepository repository, string tagOrDigest)
    {
        Validate.OfFactory("ModelImage.FromEcrRepository").That(Token.IsUnresolved(tagOrDigest) || Regex.IsMatch(tagOrDigest, @"^(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$"),
            $"tagOrDigest = '{tagOrDigest}' is neither an image tag (letters, digits, _ . -, up to 128) nor a digest (sha256: and 64 hex digits).");
        return new RepositoryImage(repository, tagOrDigest);
    }

    /// <summary>
    /// An image by URI in one region's ECR (<c>ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG</c>). SageMaker pulls a
    /// model's image only from the model's own region: a stack with a region of its own must be in the image's region
    /// (else synthesis fails), and an environment-agnostic stack gets a warning, since its template deploys only there.
    /// For an AWS Deep Learning Container use <see cref="FromDeepLearningContainer"/>, which names the image of every region.
    /// The execution role may pull from that one repository.
    /// </summary>
    public static ModelImage FromImageUri(string imageUri)
    {
        var match = Regex.Match(imageUri, @"^(?<account>\d{12})\.dkr\.ecr\.(?<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?<repo>[a-z0-9][a-z0-9._/-]*)(:(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@sha256:[a-f0-9]{64})$");
        Validate.OfFactory("ModelImage.FromImageUri").That(match.Success,
            $"imageUri = '{imageUri}' is not an ECR image URI; give ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG (or @sha256:DIGEST), e.g. an AWS deep-learning container.");
        return new UriImage(imageUri, match.Groups["account"].Value, match.Groups["region"].Value, match.Groups["repo"].Value);
    }

    /// <summary>
    /// An AWS Deep Learning Container (e.g. <c>huggingface-pytorch-tgi-inference</c>, <c>2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04</c>)
    /// from the registry of the stack's region (<see cref="DeepLearningContainerRegistries"/>): the account differs by
    /// region, and SageMaker pulls the image only from the endpoint's own region. A stack with a region of its own gets
    /// that region's URI, and synthesis fails for a region without a registry; an environment-agnostic stack gets a
    /// region-to-registry mapping resolved at deploy time (<c>Fn::FindInMap</c> on <c>AWS::Region</c>, host name with
    /// <c>AWS::URLSuffix</c>), which CloudFormation refuses before creating anything in a region without a registry.
    /// The execution role may pull from that one repository.
    /// </summary>
    /// <param name="repository">The DLC repository, e.g. <c>huggingface-pytorch-tgi-inference</c>.</param>
    /// <param name="tagOrDigest">Its tag, or a digest <c>sha256:...</c>.</param>
    public static ModelImage FromDeepLearningContainer(string repository, string tagOrDigest)
    {
        var check = Validate.OfFactory("ModelImage.FromDeepLearningContainer");
        check.That(Regex.IsMatch(repository, "^[a-z0-9][a-z0-9._/-]{0,255}$"),
            $"repository = '{repository}' is not an ECR repository name (lowercase letters, digits, . _ - /), e.g. huggingface-pytorch-tgi-inference.");
        check.That(Regex.IsMatch(tagOrDigest, @"^(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$"),
            $"tagOrDigest = '{tagOrDigest}' is neither an image tag (letters, digits, _ . -, up to 128) nor a digest (sha256: and 64 hex digits).");
        return new DeepLearningContainerImage(repository, tagOrDigest);
    }

    /// <summary>The image URI the model names, checked against (or resolved for) the region of <paramref name="scope"/>'s stack.</summary>
    internal abstract string ImageUri(Construct scope);

    internal abstract string RepositoryArn(Construct scope);

    /// <summary>ECR pull on the one repository, plus the registry auth token (which has no resource).</summary>
    internal PolicyStatement[] PullStatements(Construct scope) => new[]
    {
        new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PullModelImage",
            Actions = new[] { "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability" },
            Resources = new[] { RepositoryArn(scope) },
        }),
        new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EcrAuthToken",
            Actions = new[] { "ecr:GetAuthorizationToken" },
            Resources = new[] { "*" },
        }),
    };

    private sealed class RepositoryImage(IRepository repository, string tagOrDigest) : ModelImage
    {
        internal override string ImageUri(Construct scope) => repository.RepositoryUriForTagOrDigest(tagOrDigest);
        internal override string RepositoryArn(Construct scope) => repository.RepositoryArn;
    }

    private sealed class UriImage(string uri, string account, string region, string repo) : ModelImage
    {
        internal override string ImageUri(Construct scope)
        {
            var stackRegion = Stack.Of(scope).Region;
            if (Token.IsUnresolved(stackRegion))
                Annotations.Of(scope).AddWarningV2("AwsModelPlatform:ImageRegion",
                    $"ModelImage.FromImageUri: the image {uri} is in {region}; SageMaker pulls a model's image only from the model's own region, so this environment-agnostic template deploys only to {region}. " +
                    "Give the stack a region, or use ModelImage.FromDeepLearningContainer for an AWS deep-learning container (resolved per region).");
            else
                Validate.That(scope, stackRegion == region,
                    $"ModelImage.FromImageUri: the image {uri} is in {region}, but the stack deploys to {stackRegion}, and SageMaker pulls a model's image only from the model's own region " +
                    $"(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ContainerDefinition.html). Use an image in {stackRegion}, or ModelImage.FromDeepLearningContainer for an AWS deep-learning container.");
            return uri;
        }

        internal override string RepositoryArn(Construct scope) => $"arn:{Stack.Of(scope).Partition}:ecr:{region}:{account}:repository/{repo}";
    }

    private sealed class DeepLearningContainerImage(string repository, string tagOrDigest) : ModelImage
    {
        private const string MappingId = "AwsDeepLearningContainerRegistries";

        private string Reference => tagOrDigest.StartsWith("sha256:", StringComparison.Ordinal) ? "@" + tagOrDigest : ":" + tagOrDigest;

        internal override string ImageUri(Construct scope)
        {
            var (account, region, urlSuffix) = Registry(scope);
            return Token.IsUnresolved(region)
                ? Fn.Join("", new[] { account, ".dkr.ecr.", region, ".", urlSuffix, "/", repository + Reference })
                : $"{account}.dkr.ecr.{region}.{urlSuffix}/{repository}{Reference}";
        }

        internal override string RepositoryArn(Construct scope)
        {
            var (account, region, _) = Registry(scope);
            return $"arn:{Stack.Of(scope).Partition}:ecr:{region}:{account}:repository/{repository}";
        }

        /// <summary>The registry of the stack's region: literal for a known region, a mapping lookup for an agnostic stack.</summary>
        private static (string Account, string Region, string UrlSuffix) Registry(Construct scope)
        {
            var stack = Stack.Of(scope);
            var region = stack.Region;
            if (!Token.IsUnresolved(region))
            {
                Validate.That(scope, DeepLearningContainerRegistries.ByRegion.TryGetValue(region, out var account),
                    $"ModelImage.FromDeepLearningContainer: the stack deploys to {region}, which has no AWS Deep Learning Containers registry " +
                    $"(regions: {string.Join(", ", DeepLearningContainerRegistries.ByRegion.Keys)}; https://github.com/aws/deep-learning-containers/blob/master/available_images.md). " +
                    "Deploy to one of those regions, or copy the image into an ECR repository of your own in this region and use ModelImage.FromEcrRepository.");
                return (account!, region, DeepLearningContainerRegistries.UrlSuffixOf(region));
            }
            var mapping = stack.Node.TryFindChild(MappingId) as CfnMapping ?? new CfnMapping(stack, MappingId, new CfnMappingProps
            {
                Mapping = DeepLearningContainerRegistries.ByRegion.ToDictionary(r => r.Key, r => (IDictionary<string, object>)new Dictionary<string, object> { ["account"] = r.Value }),
            });
            return (mapping.FindInMap(Aws.REGION, "account"), Aws.REGION, Aws.URL_SUFFIX);
        }
    }
}
