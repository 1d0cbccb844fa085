using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AwsModelPlatform.Handlers.Tests.Fakes;

/// <summary>
/// An independent SigV4 verifier (written from the AWS specification, not from the SDK) for the fake SageMaker
/// Runtime: it recomputes the signature of each request and rejects any mismatch as AWS does.
/// </summary>
public sealed class SigV4Verifier(string region, string service, IReadOnlyDictionary<string, string> secrets)
{
    public (bool Ok, string ErrorType, string Message) Verify(HttpRequest request, byte[] body, DateTimeOffset now)
    {
        var auth = request.Headers.Authorization.ToString();
        if (!auth.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
            return (false, "MissingAuthenticationTokenException", "Missing Authentication Token");
        var parts = auth["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders) || !parts.TryGetValue("Signature", out var signature))
            return (false, "IncompleteSignatureException", "Authorization header is incomplete.");
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request") return (false, "IncompleteSignatureException", "Bad credential scope.");
        var (accessKey, date, scopeRegion, scopeService) = (scope[0], scope[1], scope[2], scope[3]);
        if (!secrets.TryGetValue(accessKey, out var secret)) return (false, "UnrecognizedClientException", "The security token included in the request is invalid.");
        if (scopeRegion != region || scopeService != service)
            return (false, "InvalidSignatureException", $"Credential should be scoped to region '{region}' and service '{service}', not '{scopeRegion}'/'{scopeService}'.");

        var amzDate = request.Headers["x-amz-date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
            return (false, "IncompleteSignatureException", "x-amz-date is missing or malformed.");
        if (Math.Abs((now - signedAt).TotalMinutes) > 5) return (false, "InvalidSignatureException", "Signature expired.");
        if (amzDate[..8] != date) return (false, "InvalidSignatureException", "Credential date does not match x-amz-date.");

        var signed = signedHeaders.Split(';');
        if (!signed.Contains("host") || !signed.Contains("x-amz-date")) return (false, "InvalidSignatureException", "host and x-amz-date must be signed.");
        var payloadHash = Hex(SHA256.HashData(body));
        var declared = request.Headers["x-amz-content-sha256"].ToString();
        if (declared.Length > 0 && declared != payloadHash) return (false, "InvalidSignatureException", "x-amz-content-sha256 does not match the body.");

        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var q = rawTarget.IndexOf('?');
        var rawPath = q >= 0 ? rawTarget[..q] : rawTarget;
        var rawQuery = q >= 0 ? rawTarget[(q + 1)..] : "";

        var canonical = new StringBuilder()
            .Append(request.Method).Append('\n')
            .Append(CanonicalUri(rawPath)).Append('\n')
            .Append(CanonicalQuery(rawQuery)).Append('\n');
        foreach (var name in signed)
        {
            var value = name == "host" ? request.Headers.Host.ToString() : string.Join(",", request.Headers[name].Select(v => v ?? ""));
            if (name != "host" && request.Headers[name].Count == 0) return (false, "InvalidSignatureException", $"Signed header {name} is missing.");
            canonical.Append(name).Append(':').Append(CollapseSpaces(value.Trim())).Append('\n');
        }
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);

        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{date}/{region}/{service}/aws4_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? (true, "", "")
            : (false, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.");
    }

    /// <summary>Non-S3 services: each segment of the normalized path is URI-encoded again.</summary>
    private static string CanonicalUri(string rawPath)
    {
        if (rawPath.Length == 0) return "/";
        return string.Join("/", rawPath.Split('/').Select(s => UriEncode(s)));
    }

    private static string CanonicalQuery(string raw)
    {
        if (raw.Length == 0) return "";
        return string.Join("&", raw.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (K: UriEncode(Uri.UnescapeDataString(p[0])), V: UriEncode(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))))
            .OrderBy(p => p.K, StringComparer.Ordinal).ThenBy(p => p.V, StringComparer.Ordinal)
            .Select(p => p.K + "=" + p.V));
    }

    private static string UriEncode(string s)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static string CollapseSpaces(string s) => System.Text.RegularExpressions.Regex.Replace(s, " +", " ");
    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
