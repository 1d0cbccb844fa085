using System.Text.Json;

namespace AwsModelPlatform.Handlers.Aws;

/// <summary>
/// What an AWS JSON API (JSON 1.1 or REST-JSON) says in an error answer: its request id, its error code and its message.
/// JSON 1.1 puts the code in the body's <c>__type</c> (<c>namespace#Code</c>), REST-JSON in <c>X-Amzn-ErrorType</c>
/// (<c>Code:namespace</c>) or the body's <c>code</c>; the header wins when both are sent.
/// </summary>
internal readonly record struct AwsErrorDocument(int Status, string? RequestId, string? ErrorType, string? Message)
{
    public static AwsErrorDocument Read(HttpResponseMessage response, byte[] body)
    {
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        var errorType = response.Headers.TryGetValues("X-Amzn-ErrorType", out var types) ? types.FirstOrDefault()?.Split(':', 2)[0] : null;
        string? message = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.String) continue;
                    if (p.Name.Equals("message", StringComparison.OrdinalIgnoreCase)) message = p.Value.GetString();
                    else if (p.Name is "__type" or "code" && errorType is null) errorType = p.Value.GetString()?.Split('#').Last().Split(':')[0];
                }
            }
        }
        catch (JsonException)
        {
            message = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512));
        }
        return new((int)response.StatusCode, requestId, errorType, message is { Length: > 0 } ? message : null);
    }
}
