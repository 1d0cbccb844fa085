using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

public sealed record AsyncAccepted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("statusUrl")] string StatusUrl);

public sealed record AsyncStatus(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt)
{
    [JsonPropertyName("outputUrl")] public string? OutputUrl { get; init; }
    [JsonPropertyName("output")] public string? Output { get; init; }
    [JsonPropertyName("outputContentType")] public string? OutputContentType { get; init; }
    [JsonPropertyName("failure")] public string? Failure { get; init; }
}

/// <summary>
/// <c>POST /v1/endpoints/{model}/async-invocations</c> and <c>GET /v1/async-invocations/{id}</c>: SageMaker
/// InvokeEndpointAsync with the input and a durable record in S3 before the 202.
/// </summary>
public static partial class AsyncInvocationEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapPost("/endpoints/{model}/async-invocations", SubmitAsync)
            .WithTags("Async invocations")
            .WithName("InvokeEndpointAsync")
            .WithSummary("Stores the body in the async bucket, calls SageMaker InvokeEndpointAsync and records the request; 202 with its status URL.")
            .AcceptsBody("application/json", "application/octet-stream")
            .Produces<AsyncAccepted>(202)
            .ProducesProblems(400, 404, 413, 415, 429, 501, 502, 503, 504);

        v1.MapGet("/async-invocations/{id}", StatusAsync)
            .WithTags("Async invocations")
            .WithName("GetAsyncInvocation")
            .WithSummary("pending (202), completed (200, output inline or presigned URL) or failed (200, failure body).")
            .Produces<AsyncStatus>(200)
            .Produces<AsyncStatus>(202)
            .ProducesProblems(400, 404, 501, 502);
    }

    private static async Task SubmitAsync(string model, HttpContext http, ModelCatalog catalog, SageMakerRuntimeClient client,
        InvocationResilience resilience, AsyncInvocationStore store, IOptions<InferenceOptions> options)
    {
        var m = catalog.Resolve(model, http);
        _ = store.Bucket; // 501 before reading anything when async is not configured
        var request = await InvocationEndpoints.ReadRequestAsync(http, m);
        var ctx = http.Ctx();
        var ct = http.RequestAborted;
        var id = IdFor(http, ctx.Caller, m.Name);
        var statusUrl = $"/v1/async-invocations/{id}";

        // 0. A retried submission (same Idempotency-Key from the same caller for the same model) gets the first answer.
        if (http.Request.Headers.ContainsKey(IdempotencyKeyHeader) && await store.GetRecordAsync(id, ct) is not null)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
            await AcceptedAsync(http, id, statusUrl, ct);
            return;
        }

        // 1. The input is in S3 (KMS-encrypted) before SageMaker hears of it. A retry of an interrupted
        //    idempotent submission finds it there and carries on (SageMaker may then run it twice: at least once).
        var input = await store.PutInputAsync(id, request.Body.ToArray(), request.ContentType, ct);
        // 2. SageMaker accepts it.
        var accepted = await resilience.ExecuteAsync(m.EndpointName, TimeSpan.FromSeconds(options.Value.TimeoutSeconds),
            c => client.InvokeEndpointAsyncAsync(new AsyncInvokeRequest(m.EndpointName, input, request.ContentType)
            {
                Accept = request.Accept,
                CustomAttributes = request.CustomAttributes,
                InferenceId = request.InferenceId ?? id,
            }, c), ct);
        ctx.UpstreamRequestId = accepted.RequestId;
        // 3. The record is durable before the 202: a crash after this line can still be answered by the status route.
        await store.PutRecordAsync(new AsyncRecord(id, m.Name, m.EndpointName, input, accepted.OutputLocation, accepted.FailureLocation,
            accepted.InferenceId, ctx.Caller, DateTimeOffset.UtcNow), ct);

        if (accepted.RequestId is not null) http.Response.Headers[InvocationHeaders.UpstreamRequestId] = accepted.RequestId;
        await AcceptedAsync(http, id, statusUrl, ct);
    }

    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>A random id, or with an <c>Idempotency-Key</c> one derived from caller, model and key (so retries map to one request).</summary>
    internal static string IdFor(HttpContext http, string caller, string model)
    {
        var key = http.Request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length == 0) return Guid.NewGuid().ToString("N");
        if (key.Length > 255 || key.Any(c => c < 0x21 || c > 0x7e))
            throw Problems.BadRequest($"{IdempotencyKeyHeader} must be 1-255 printable ASCII characters without spaces.");
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{caller}\n{model}\n{key}"));
        return Convert.ToHexStringLower(hash)[..32];
    }

    private static async Task AcceptedAsync(HttpContext http, string id, string statusUrl, CancellationToken ct)
    {
        http.Response.Headers.Location = statusUrl;
        http.Response.StatusCode = 202;
        await http.Response.WriteAsJsonAsync(new AsyncAccepted(id, "pending", statusUrl), HandlerJsonContext.Default.AsyncAccepted, cancellationToken: ct);
    }

    private static async Task StatusAsync(string id, HttpContext http, AsyncInvocationStore store, IOptions<InferenceOptions> options)
    {
        if (!AsyncId().IsMatch(id)) throw Problems.BadRequest("An async invocation id is 32 lowercase hexadecimal characters.");
        var ct = http.RequestAborted;
        var record = await store.GetRecordAsync(id, ct) ?? throw Problems.NotFound($"No async invocation with id '{id}'.");
        http.Ctx().Model = record.Model;
        http.Ctx().Metrics = InferenceMetrics.Instance;
        var status = new AsyncStatus(record.Id, "pending", record.Model, record.CreatedAt);
        var o = options.Value.Async;

        if (record.OutputLocation is { } outputLocation && await store.HeadAsync(outputLocation, ct) is { } output)
        {
            status = status with { Status = "completed", OutputContentType = output.ContentType };
            if (output.Size <= o.InlineOutputBytes && IsText(output.ContentType))
            {
                var bytes = await store.ReadAsync(outputLocation, o.InlineOutputBytes, ct);
                status = status with { Output = Encoding.UTF8.GetString(bytes) };
            }
            else
            {
                status = status with { OutputUrl = await store.PresignAsync(outputLocation) };
            }
        }
        else if (record.FailureLocation is { } failureLocation && await store.HeadAsync(failureLocation, ct) is not null)
        {
            var bytes = await store.ReadAsync(failureLocation, o.InlineOutputBytes, ct);
            status = status with { Status = "failed", Failure = Encoding.UTF8.GetString(bytes) };
        }

        http.Response.StatusCode = status.Status == "pending" ? 202 : 200;
        await http.Response.WriteAsJsonAsync(status, HandlerJsonContext.Default.AsyncStatus, cancellationToken: ct);
    }

    private static bool IsText(string? contentType)
    {
        var media = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return media.StartsWith("text/", StringComparison.Ordinal) || media is "application/json" or "application/jsonlines" or "application/x-ndjson" || media.EndsWith("+json", StringComparison.Ordinal);
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex AsyncId();
}
