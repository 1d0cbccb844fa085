using Amazon.CDK.AWS.Cognito;
using AwsModelPlatform.Constructs.Access;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>Options of <see cref="ApiAuthorization.ApiKeys"/>.</summary>
public sealed record ApiKeyOptions
{
    /// <summary>
    /// Whether the API also takes keys in <c>x-api-key</c> (tools that send it), beside <c>Authorization: Bearer</c>. API
    /// Gateway calls a REQUEST authorizer only when every identity source is present, so no identity source can name
    /// both headers: such an API has its gateway cache off, and the authorizer keeps checked keys in memory instead
    /// (<see cref="TeamAccessProps.KeyCacheTtl"/>); each request then invokes the authorizer.
    /// </summary>
    /// <remarks>Default: false: keys in <c>Authorization</c> only (what the OpenAI clients send), answers cached by the gateway.</remarks>
    public bool AcceptXApiKey { get; init; }
}

/// <summary>Who may call the API. Every route is authorized; there is no anonymous route.</summary>
public abstract record ApiAuthorization
{
    private ApiAuthorization() { }

    /// <summary>AWS IAM (SigV4): callers are AWS principals granted <c>execute-api:Invoke</c>. The default.</summary>
    public static ApiAuthorization Iam() => new IamAuthorization();

    /// <summary>JWTs issued by Cognito user pools (optionally requiring OAuth scopes).</summary>
    public static ApiAuthorization Cognito(IUserPool[] userPools, params string[] scopes) => new CognitoAuthorization(userPools, scopes);

    /// <summary>
    /// API keys of <paramref name="access"/> (<c>Authorization: Bearer amp_…</c>, as OpenAI clients send them), checked on
    /// every method by its REQUEST authorizer; each key belongs to a team whose limits and budget hold. The admin routes
    /// that manage keys and teams are on the API too, under IAM.
    /// </summary>
    public static ApiAuthorization ApiKeys(TeamAccess access, ApiKeyOptions? options = null) => new ApiKeyAuthorization(access, options ?? new ApiKeyOptions());

    internal sealed record IamAuthorization : ApiAuthorization;

    internal sealed record CognitoAuthorization(IUserPool[] UserPools, string[] Scopes) : ApiAuthorization;

    internal sealed record ApiKeyAuthorization(TeamAccess Access, ApiKeyOptions Options) : ApiAuthorization;
}
