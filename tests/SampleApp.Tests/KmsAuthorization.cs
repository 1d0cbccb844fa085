using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// What AWS KMS authorizes: <c>kms:&lt;Operation&gt;</c> (from <c>X-Amz-Target: TrentService.&lt;Operation&gt;</c>) on the
/// key, with the request's encryption-context keys as <c>kms:EncryptionContextKeys</c>, judged with the role policy and
/// the key policy.
/// </summary>
public sealed class KmsAuthorization : IServiceAuthorization
{
    public string SigningName => "kms";

    public Task<(string Operation, IReadOnlyList<AuthorizationCheck> Checks)> ChecksAsync(HttpRequest request, JsonObject body)
    {
        var operation = request.Headers["X-Amz-Target"].ToString().Split('.').Last();
        var keyId = body["KeyId"]?.GetValue<string>() ?? throw new NotSupportedException($"the KMS stand-in needs KeyId on {operation}");
        var key = keyId.StartsWith("arn:", StringComparison.Ordinal) ? keyId : $"arn:aws:kms:{MotoAccount.Region}:{MotoAccount.Account}:key/{keyId}";
        var context = new JsonObject();
        if (body["EncryptionContext"] is JsonObject encryptionContext && encryptionContext.Count > 0)
            context["kms:EncryptionContextKeys"] = new JsonArray(encryptionContext.Select(p => (JsonNode)p.Key).ToArray());
        return Task.FromResult<(string, IReadOnlyList<AuthorizationCheck>)>((operation, [new AuthorizationCheck("kms:" + operation, key, context)]));
    }

    public async Task DenyAsync(HttpContext http, string message)
    {
        // KMS answers AccessDeniedException with 400, the JSON 1.1 protocol's client-error status.
        http.Response.StatusCode = 400;
        http.Response.ContentType = "application/x-amz-json-1.1";
        await http.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["__type"] = "AccessDeniedException", ["message"] = message }, (System.Text.Json.JsonSerializerOptions?)null, "application/x-amz-json-1.1");
    }
}
