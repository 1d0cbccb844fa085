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
        Validate.That(Token.IsUnresolved(tagOrDigest) || Regex.IsMatch(tagOrDigest, @"^(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$"),
            $"ModelImage.FromEcrRepository: tagOrDigest = '{tagOrDigest}' is neither an image tag (letters, digits, _ . -, up to 128) nor a digest (sha256: and 64 hex digits).");
        return new RepositoryImage(repository, tagOrDigest);
    }

    /// <summary>
    /// An image by URI, such as an AWS deep-learning container
    /// (<c>763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04</c>).
    /// The execution role may pull from that one repository.
    /// </summary>
    public static ModelImage FromImageUri(string imageUri)
    {
        var match = Regex.Match(imageUri, @"^(?<account>\d{12})\.dkr\.ecr\.(?<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?<repo>[a-z0-9][a-z0-9._/-]*)(:(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@sha256:[a-f0-9]{64})$");
        Validate.That(match.Success,
            $"ModelImage.FromImageUri: imageUri = '{imageUri}' is not an ECR image URI; give ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG (or @sha256:DIGEST), e.g. an AWS deep-learning container.");
        return new UriImage(imageUri, match.Groups["account"].Value, match.Groups["region"].Value, match.Groups["repo"].Value);
    }

    internal abstract string ImageUri { get; }

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
        internal override string ImageUri => repository.RepositoryUriForTagOrDigest(tagOrDigest);
        internal override string RepositoryArn(Construct scope) => repository.RepositoryArn;
    }

    private sealed class UriImage(string uri, string account, string region, string repo) : ModelImage
    {
        internal override string ImageUri => uri;
        internal override string RepositoryArn(Construct scope) => $"arn:{Stack.Of(scope).Partition}:ecr:{region}:{account}:repository/{repo}";
    }
}
