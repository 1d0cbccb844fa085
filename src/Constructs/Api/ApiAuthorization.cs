using Amazon.CDK.AWS.Cognito;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>A usage plan for API-key access: how much one key may call.</summary>
public sealed record UsagePlanOptions
{
    /// <summary>Name of the plan (e.g. <c>team-a</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Steady requests per second per key.</summary>
    public double RateLimit { get; init; } = 10;

    /// <summary>Burst of requests per key.</summary>
    public int BurstLimit { get; init; } = 20;

    /// <summary>Requests per day per key, or null for no daily quota.</summary>
    public int? DailyQuota { get; init; } = 10_000;
}

/// <summary>Who may call the API. Every route is authorized; there is no anonymous route.</summary>
public abstract record ApiAuthorization
{
    private ApiAuthorization() { }

    /// <summary>AWS IAM (SigV4): callers are AWS principals granted <c>execute-api:Invoke</c>. The default.</summary>
    public static ApiAuthorization Iam() => new IamAuthorization();

    /// <summary>JWTs issued by Cognito user pools (optionally requiring OAuth scopes).</summary>
    public static ApiAuthorization Cognito(IUserPool[] userPools, params string[] scopes) => new CognitoAuthorization(userPools, scopes);

    /// <summary>API keys with usage plans (per-plan rate, burst and quota); one key is created per plan.</summary>
    public static ApiAuthorization ApiKeys(params UsagePlanOptions[] plans) => new ApiKeyAuthorization(plans);

    internal sealed record IamAuthorization : ApiAuthorization;

    internal sealed record CognitoAuthorization(IUserPool[] UserPools, string[] Scopes) : ApiAuthorization;

    internal sealed record ApiKeyAuthorization(UsagePlanOptions[] Plans) : ApiAuthorization;
}
