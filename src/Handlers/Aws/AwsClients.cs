using System.Net;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;
using Amazon.S3;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Aws;

/// <summary>Region, credentials and endpoints, resolved once from <see cref="AwsOptions"/> and the standard AWS chain.</summary>
public sealed class AwsEnvironment
{

    public AwsEnvironment(IOptions<AwsOptions> options)
    {
        var o = options.Value;
        RegionName = o.Region is { Length: > 0 } r ? r : Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1";
        Region = RegionEndpoint.GetBySystemName(RegionName);
        SageMakerRuntimeUrl = ServiceUrl(o.ServiceUrls.SageMakerRuntime, "Aws:ServiceUrls:SageMakerRuntime") ?? new Uri($"https://runtime.sagemaker.{RegionName}.amazonaws.com/");
        S3Url = ServiceUrl(o.ServiceUrls.S3, "Aws:ServiceUrls:S3");
        KmsUrl = ServiceUrl(o.ServiceUrls.Kms, "Aws:ServiceUrls:Kms");
        BatchUrl = ServiceUrl(o.ServiceUrls.Batch, "Aws:ServiceUrls:Batch") ?? new Uri($"https://batch.{RegionName}.amazonaws.com/");
        DynamoDbUrl = ServiceUrl(o.ServiceUrls.DynamoDb, "Aws:ServiceUrls:DynamoDb");
        SageMakerApiUrl = ServiceUrl(o.ServiceUrls.SageMaker, "Aws:ServiceUrls:SageMaker") ?? new Uri($"https://api.sagemaker.{RegionName}.amazonaws.com/");
    }

    public string RegionName { get; }
    public RegionEndpoint Region { get; }
    public Uri SageMakerRuntimeUrl { get; }
    public Uri? S3Url { get; }
    public Uri? KmsUrl { get; }
    public Uri BatchUrl { get; }
    public Uri? DynamoDbUrl { get; }
    /// <summary>SageMaker's control-plane API in the region (<c>api.sagemaker</c>, the endpoint prefix of its API model).</summary>
    public Uri SageMakerApiUrl { get; }
    /// <summary>The standard AWS credential chain, resolved on first use (so /healthz and 4xx answers need none).</summary>
    public AWSCredentials Credentials { get; } = new DeferredCredentials();

    /// <summary>Validates an endpoint override: absolute, https, or plain http only on a loopback address.</summary>
    public static Uri? ServiceUrl(string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw new OptionsValidationException(key, typeof(AwsOptions), [$"{key} must be an absolute http(s) URL; got '{value}'."]);
        if (uri.Scheme == "http" && !IsLoopback(uri.Host))
            throw new OptionsValidationException(key, typeof(AwsOptions), [$"{key} may use plain http only for a loopback address; got '{uri.Host}'."]);
        if (!uri.AbsolutePath.EndsWith('/')) uri = new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
        return uri;
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

public static class AwsClientFactory
{
    /// <summary>An <see cref="HttpClient"/> whose every request is SigV4-signed for SageMaker Runtime.</summary>
    public static HttpClient SageMakerRuntimeHttpClient(AwsEnvironment env) => SignedHttpClient(env, SageMakerRuntimeClient.SigningName, env.SageMakerRuntimeUrl);

    /// <summary>An <see cref="HttpClient"/> whose every request is SigV4-signed for AWS Batch (deadlines are the caller's pipeline's).</summary>
    public static HttpClient BatchHttpClient(AwsEnvironment env) => SignedHttpClient(env, BatchClient.SigningName, env.BatchUrl);

    /// <summary>
    /// An <see cref="HttpClient"/> whose every request is SigV4-signed for SageMaker's control plane (<see cref="SageMakerClient"/>),
    /// at <paramref name="baseAddress"/> (an override; tests and local runs) or the region's <see cref="AwsEnvironment.SageMakerApiUrl"/>.
    /// </summary>
    public static HttpClient SageMakerHttpClient(AwsEnvironment env, Uri? baseAddress = null) =>
        SignedHttpClient(env, SageMakerClient.SigningName, baseAddress ?? env.SageMakerApiUrl);

    // Deadlines belong to the callers' resilience pipelines, so the client itself never times out. Redirects are not
    // followed below the signer (a followed redirect would go out with a stale or stripped signature; AWS APIs do not
    // redirect these calls) and cookies are not kept (AWS APIs set none): both also take a layer off every request.
    private static HttpClient SignedHttpClient(AwsEnvironment env, string signingName, Uri baseAddress)
    {
        var transport = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AllowAutoRedirect = false,
            UseCookies = false,
        };
        var signer = new SigningHandler(new AWSSigV4Parameters
        {
            Credentials = env.Credentials,
            Region = env.Region,
            Service = signingName,
            SignPayload = true,
        }, transport);
        return new HttpClient(signer) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public static IAmazonKeyManagementService Kms(AwsEnvironment env)
    {
        var config = new AmazonKeyManagementServiceConfig { RegionEndpoint = env.Region };
        if (env.KmsUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = env.RegionName;
        }
        return new AmazonKeyManagementServiceClient(env.Credentials, config);
    }

    public static IAmazonDynamoDB DynamoDb(AwsEnvironment env)
    {
        var config = new AmazonDynamoDBConfig { RegionEndpoint = env.Region };
        if (env.DynamoDbUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = env.RegionName;
        }
        return new AmazonDynamoDBClient(env.Credentials, config);
    }

    public static IAmazonS3 S3(AwsEnvironment env)
    {
        var config = new AmazonS3Config { RegionEndpoint = env.Region };
        if (env.S3Url is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = env.RegionName;
            config.ForcePathStyle = true;
        }
        return new AmazonS3Client(env.Credentials, config);
    }
}

/// <summary>Resolves the default credential chain on the first signed request, not at startup.</summary>
internal sealed class DeferredCredentials : AWSCredentials
{
    private readonly Lazy<AWSCredentials> _inner = new(() => DefaultAWSCredentialsIdentityResolver.GetCredentials());

    public override ImmutableCredentials GetCredentials() => _inner.Value.GetCredentials();

    public override Task<ImmutableCredentials> GetCredentialsAsync() => _inner.Value.GetCredentialsAsync();
}
