using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// The REQUEST authorizer of an API in key mode: reads the key from <c>Authorization: Bearer</c> or <c>x-api-key</c>, checks it
/// against the key store, and answers an IAM policy for the whole stage (API Gateway caches the answer per identity source
/// and applies it to every method, so a per-method policy would deny the next method from the cache) with the team and key
/// id as context. A refusal is a Deny with the reason in <c>context.detail</c>, which the API's ACCESS_DENIED gateway response
/// turns into a 401 problem (a function error is the only other way to a 401, and the Web Adapter answers with the body).
/// Successful checks are also cached here for <paramref name="cacheTtl"/> (for APIs that accept x-api-key, whose gateway cache
/// is off), keyed by a hash of the key, never the key; a revocation therefore takes effect within the TTL.
/// </summary>
public sealed class KeyAuthorizer(KeyStore store, TimeProvider clock, TimeSpan cacheTtl)
{
    private const int CacheLimit = 10_000;
    private const string Unknown = "The API key is not valid: it is unknown, expired or revoked. Ask your platform team for a key.";
    private readonly ConcurrentDictionary<string, (KeyRecord Record, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>The answer for one authorizer event.</summary>
    public async Task<AuthorizerResponse> AuthorizeAsync(AuthorizerRequest request, CancellationToken cancellationToken)
    {
        if (StageArn(request.MethodArn) is not { } stage) return Deny("*", "The authorizer event has no valid methodArn.");
        var headers = new Dictionary<string, string?>(request.Headers ?? [], StringComparer.OrdinalIgnoreCase);
        var presented = ApiKey.FromHeaders(headers.GetValueOrDefault("authorization"), headers.GetValueOrDefault("x-api-key"));
        if (presented.Key is not { } key) return Deny(stage, presented.Problem!);

        var now = clock.GetUtcNow();
        var cacheKey = Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(key.ToString())));
        if (_cache.TryGetValue(cacheKey, out var hit) && hit.Until > now) return Allow(stage, hit.Record);

        var authentication = await store.AuthenticateAsync(key, cancellationToken);
        if (authentication.Record is not { } record) return Deny(stage, Unknown);
        if (_cache.Count >= CacheLimit) _cache.Clear();
        var until = now + cacheTtl;
        if (record.ExpiresAt is { } expires && expires < until) until = expires;
        _cache[cacheKey] = (record, until);
        return Allow(stage, record);
    }

    /// <summary>
    /// The stage of a method ARN (<c>arn:aws:execute-api:region:account:api/stage/VERB/path</c>) with every method and path:
    /// <c>arn:aws:execute-api:region:account:api/stage/*</c>; null when it is not one.
    /// </summary>
    public static string? StageArn(string? methodArn)
    {
        if (methodArn is null) return null;
        var parts = methodArn.Split(':', 6);
        if (parts is not [ "arn", { Length: > 0 }, "execute-api", { Length: > 0 }, { Length: 12 }, var resource ]) return null;
        var path = resource.Split('/');
        if (path.Length < 3 || path[0].Length == 0 || path[1].Length == 0) return null;
        return $"{string.Join(':', parts[..5])}:{path[0]}/{path[1]}/*";
    }

    private static AuthorizerResponse Allow(string stage, KeyRecord record) => new(
        $"{record.Team}/{record.KeyId}",
        Policy("Allow", stage),
        new() { ["team"] = record.Team, ["keyId"] = record.KeyId });

    private static AuthorizerResponse Deny(string stage, string detail) => new("anonymous", Policy("Deny", stage), new() { ["detail"] = detail });

    private static PolicyDocument Policy(string effect, string resource) =>
        new("2012-10-17", [new PolicyStatement("execute-api:Invoke", effect, resource)]);
}
