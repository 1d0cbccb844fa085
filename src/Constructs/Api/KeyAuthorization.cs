using Amazon.CDK.AWS.APIGateway;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// API-key mode on a REST API: the <see cref="Access.TeamAccess"/>'s REQUEST authorizer on every method, and the
/// gateway responses of a refused or missing key as 401 problem documents (RFC 9457).
/// </summary>
internal static class KeyAuthorization
{
    /// <summary>The <c>type</c> of the problem a refused or missing key is answered with (docs/access.md).</summary>
    public const string ProblemType = ProblemTypes.Base + ProblemTypes.InvalidApiKey;

    /// <summary>
    /// The authorizer of <paramref name="keys"/> on <paramref name="api"/>. Keys in <c>Authorization</c> only: that header
    /// is the identity source and the gateway caches answers by it for the key cache TTL. With <c>x-api-key</c> too: no
    /// identity source, since API Gateway refuses a request unseen (401) unless every identity source is present, and
    /// caching needs one (https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html, identitySource); the
    /// gateway cache is off and the authorizer caches in memory.
    /// </summary>
    public static RequestAuthorizer Create(Construct scope, RestApi api, ApiAuthorization.ApiKeyAuthorization keys)
    {
        var access = keys.Access;
        var xApiKey = keys.Options.AcceptXApiKey;
        if (xApiKey) access.UseInProcessKeyCache();
        var authorizer = new RequestAuthorizer(scope, "KeyAuthorizer", new RequestAuthorizerProps
        {
            Handler = access.Authorizer.Function,
            IdentitySources = xApiKey ? Array.Empty<string>() : new[] { IdentitySource.Header("Authorization") },
            ResultsCacheTtl = xApiKey ? Duration.Seconds(0) : access.KeyCacheTtl,
        });
        // The authorizer answers for the whole stage (its policy names api/stage/*); an authorizer is attached by a method.
        Problem(api, "KeyDenied", ResponseType_.ACCESS_DENIED, "$context.authorizer.detail");
        Problem(api, "KeyMissing", ResponseType_.UNAUTHORIZED,
            xApiKey ? "Send an API key as Authorization: Bearer <key> or x-api-key: <key>." : "Send an API key as Authorization: Bearer <key>.");
        return authorizer;
    }

    // ACCESS_DENIED: the authorizer denied (its reason in context.detail, which gateway response templates can read:
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html and
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html); UNAUTHORIZED:
    // the identity source was missing or the authorizer failed. Both are 401 for a client: the key is missing or not valid.
    private static void Problem(RestApi api, string id, ResponseType_ type, string detail) => api.AddGatewayResponse(id, new GatewayResponseOptions
    {
        Type = type,
        StatusCode = "401",
        ResponseHeaders = new Dictionary<string, string>
        {
            ["Content-Type"] = "'application/problem+json'",
            ["WWW-Authenticate"] = "'Bearer'",
        },
        Templates = new Dictionary<string, string>
        {
            ["application/json"] =
                $$"""{"type":"{{ProblemType}}","title":"Invalid API key","status":401,"detail":"{{detail}}","requestId":"$context.requestId"}""",
        },
    });
}
