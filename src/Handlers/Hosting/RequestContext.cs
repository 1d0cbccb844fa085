using System.Diagnostics;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>Per-request facts gathered for logs, metrics and problem documents.</summary>
public sealed class RequestContext
{
    public required string RequestId { get; init; }
    public required string Caller { get; init; }

    /// <summary>No caller identity reached the handler (no API Gateway request context): <see cref="Caller"/> is <c>anonymous</c>.</summary>
    public bool IsAnonymous { get; init; }

    public string? Model { get; set; }

    /// <summary>The EMF metrics of this request's log line, set by the route (none: the access log only).</summary>
    public RequestMetrics? Metrics { get; set; }

    public string? UpstreamRequestId { get; set; }
    public long StartTimestamp { get; } = Stopwatch.GetTimestamp();
    public TokenUsage? Usage { get; set; }

    /// <summary>This request asked SageMaker to wake its model (the <c>Wakes</c> metric).</summary>
    public bool Woke { get; set; }

    /// <summary>The model that served the request when it was a fallback, not the one asked for (the <c>Fallbacks</c> metric).</summary>
    public string? ServedByFallback { get; set; }

    /// <summary>The model's cold start this request ended (its first success after no capacity), for the <c>ColdStartSeconds</c> metric.</summary>
    public TimeSpan? ColdStart { get; set; }

    /// <summary>Set when a response failed after it started (a broken stream): counted as an error.</summary>
    public bool FailedAfterStart { get; set; }

    /// <summary>The caller's team on an API with team access (the <c>Team</c> dimension of the per-team metrics).</summary>
    public string? Team { get; set; }

    /// <summary>The team's budget use after this request settled, in percent, when the team has a budget.</summary>
    public double? BudgetUsedPercent { get; set; }

    /// <summary>
    /// Reads the API Gateway request context that the Lambda Web Adapter forwards in <c>x-amzn-request-context</c>.
    /// The caller is the authorizer's principal, the JWT subject, the IAM user ARN or the API key id, in that order.
    /// API Gateway authorizes; the handler uses the caller for logs and metrics and, on the training routes, to scope
    /// which jobs a caller sees (<c>Training:JobVisibility</c>). In Lambda the adapter sets this header from the event,
    /// replacing any header of that name a client sent.
    /// </summary>
    public static RequestContext From(HttpContext http)
    {
        string? requestId = null, caller = null;
        if (http.Request.Headers["x-amzn-request-context"].ToString() is { Length: > 0 and < 16_384 } raw)
        {
            try
            {
                using var doc = JsonDocument.Parse(raw);
                var root = doc.RootElement;
                requestId = Str(root, "requestId") is { Length: <= 128 } contextId && IsSafe(contextId) ? contextId : null;
                if (root.TryGetProperty("authorizer", out var auth) && auth.ValueKind == JsonValueKind.Object)
                {
                    caller = Str(auth, "principalId")
                        ?? (auth.TryGetProperty("claims", out var c) ? Str(c, "sub") : null)
                        ?? (auth.TryGetProperty("jwt", out var jwt) && jwt.ValueKind == JsonValueKind.Object && jwt.TryGetProperty("claims", out var jc) ? Str(jc, "sub") : null)
                        ?? (auth.TryGetProperty("iam", out var iam) ? Str(iam, "userArn") : null);
                }
                if (caller is null && root.TryGetProperty("identity", out var id) && id.ValueKind == JsonValueKind.Object)
                    caller = Str(id, "userArn") ?? Str(id, "caller") ?? Str(id, "apiKeyId");
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // A malformed context (not JSON, or a string that is not valid UTF-16, such as a lone surrogate) only
                // loses the caller; the request itself is still served.
            }
        }
        // The id is echoed in a response header: only a short id of safe characters is taken from outside.
        requestId ??= http.Request.Headers["x-request-id"].ToString() is { Length: > 0 and <= 128 } given && IsSafe(given) ? given : null;
        return new RequestContext { RequestId = requestId ?? Guid.NewGuid().ToString("N"), Caller = caller ?? "anonymous", IsAnonymous = caller is null };
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private static bool IsSafe(string s)
    {
        foreach (var ch in s) if (!(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')) return false;
        return true;
    }
}

public sealed record TokenUsage(long PromptTokens, long CompletionTokens, long TotalTokens);

public static class RequestContextExtensions
{
    public static RequestContext Ctx(this HttpContext http) =>
        http.Features.Get<RequestContext>() ?? throw new InvalidOperationException("RequestPipelineMiddleware is not registered.");
}
