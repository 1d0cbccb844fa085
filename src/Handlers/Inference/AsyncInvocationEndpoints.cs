using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Access;
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
/// <see cref="Routes.InvokeAsync"/> and <see cref="Routes.GetAsyncInvocation"/>: SageMaker
/// InvokeEndpointAsync with the input and a durable record in S3 before the 202.
/// </summary>
public static partial class AsyncInvocationEndpoints
{
    internal static void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        if (routes.Contains(Routes.InvokeAsync))
            app.MapPost(Routes.InvokeAsync.Path, SubmitAsync)
                .Named(Routes.InvokeAsync)
                .WithTags("Async invocations")
                .WithSummary("Stores the body in the async bucket, calls SageMaker InvokeEndpointAsync and records the request; 202 with its status URL.")
                .AcceptsBody("application/json", "application/octet-stream")
                .Produces<AsyncAccepted>(202)
                .ProducesProblems(400, 404, 409, 413, 415, 429, 501, 502, 503, 504);

        if (routes.Contains(Routes.GetAsyncInvocation))
            app.MapGet(Routes.GetAsyncInvocation.Path, StatusAsync)
                .Named(Routes.GetAsyncInvocation)
                .WithTags("Async invocations")
                .WithSummary("pending (202), completed (200, output inline or presigned URL) or failed (200, failure body); another caller's id is 404.")
                .Produces<AsyncStatus>(200)
                .Produces<AsyncStatus>(202)
                .ProducesProblems(400, 404, 501, 502);
    }

    private static async Task SubmitAsync(string model, HttpContext http, ModelCatalog catalog, SageMakerRuntimeClient client,
        InvocationResilience resilience, AsyncInvocationStore store, IOptions<InferenceSettings> options, ModelAccess access)
    {
        var m = catalog.Resolve(model, http);
        m.EnsureServes(ModelInvocations.Async);
        _ = store.Bucket; // 501 before reading anything when async is not configured
        // An async invocation counts as a request of its team; its tokens and GPU time are not seen here (docs/access.md).
        await using var grant = await access.AdmitAsync(http, m.Name, 0, null);
        var ctx = http.Ctx();
        var ct = http.RequestAborted;
        var id = IdFor(http, ctx.Caller, m.Name);
        var statusUrl = Routes.GetAsyncInvocation.PathWith((Routes.Id, id));
        var request = await InvocationEndpoints.ReadRequestAsync(http, m);
        var digest = AsyncInvocationStore.Digest(request.ContentType, request.Body.Span);

        // 0. A retried submission (same Idempotency-Key from the same caller for the same model) gets the first answer,
        //    if it asks for the same thing: another body under the key would otherwise never run.
        if (http.Request.Headers.ContainsKey(IdempotencyKey.Header) && await store.GetRecordAsync(id, ct) is { } earlier)
        {
            if (earlier.BodyDigest != digest) throw KeyReused();
            http.Response.Headers["Idempotent-Replayed"] = "true";
            await AcceptedAsync(http, id, statusUrl, ct);
            grant.Complete(null);
            return;
        }

        // 1. The input is in S3 (KMS-encrypted) before SageMaker hears of it. A retry of an interrupted
        //    idempotent submission finds it there and carries on (SageMaker may then run it twice: at least once),
        //    unless the stored input is another submission's.
        var input = await store.PutInputAsync(id, request.Body.ToArray(), request.ContentType, digest, ct);
        if (input.BodyDigest != digest) throw KeyReused();
        // 2. SageMaker accepts it.
        var accepted = await resilience.ExecuteAsync(m.EndpointName, TimeSpan.FromSeconds(options.Value.TimeoutSeconds),
            c => client.InvokeEndpointAsyncAsync(new AsyncInvokeRequest(m.EndpointName, input.Location, request.ContentType)
            {
                Accept = request.Accept,
                CustomAttributes = request.CustomAttributes,
                InferenceId = request.InferenceId ?? id,
            }, c), ct);
        ctx.UpstreamRequestId = accepted.RequestId;
        // 3. The record is durable before the 202: a crash after this line can still be answered by the status route.
        //    Not on the client's token: SageMaker runs the request now, and a client hanging up must not leave its id unknown.
        using (var recording = new CancellationTokenSource(RecordWriteTimeout))
        {
            await store.PutRecordAsync(new AsyncRecord(id, m.Name, m.EndpointName, input.Location, accepted.OutputLocation, accepted.FailureLocation,
                accepted.InferenceId, ctx.Caller, DateTimeOffset.UtcNow, digest), recording.Token);
        }

        if (accepted.RequestId is not null) http.Response.Headers[InvocationHeaders.UpstreamRequestId] = accepted.RequestId;
        await AcceptedAsync(http, id, statusUrl, ct);
        grant.Complete(null);
    }

    /// <summary>How long the record write may take once SageMaker accepted, independent of the client.</summary>
    private static readonly TimeSpan RecordWriteTimeout = TimeSpan.FromSeconds(10);

    private static ApiProblemException KeyReused() =>
        Problems.IdempotencyKeyReused($"This {IdempotencyKey.Header} was used with a different request body or content type; use a new key for a different request.");

    /// <summary>A random id, or with an <c>Idempotency-Key</c> one derived from caller, model and key (so retries map to one request).</summary>
    internal static string IdFor(HttpContext http, string caller, string model)
    {
        if (IdempotencyKey.From(http.Request) is not { } key) return Guid.NewGuid().ToString("N");
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{caller}\n{model}\n{key}"));
        return Convert.ToHexStringLower(hash)[..32];
    }

    private static async Task AcceptedAsync(HttpContext http, string id, string statusUrl, CancellationToken ct)
    {
        http.Response.Headers.Location = statusUrl;
        http.Response.StatusCode = 202;
        await http.Response.WriteAsJsonAsync(new AsyncAccepted(id, "pending", statusUrl), HandlerJsonContext.Default.AsyncAccepted, cancellationToken: ct);
    }

    private static async Task StatusAsync(string id, HttpContext http, AsyncInvocationStore store, IOptions<InferenceSettings> options)
    {
        if (!AsyncId().IsMatch(id)) throw Problems.BadRequest("An async invocation id is 32 lowercase hexadecimal characters.");
        var ct = http.RequestAborted;
        // Another caller's invocation answers exactly like an unknown id: its existence is not revealed.
        var record = await store.GetRecordAsync(id, ct) is { } r && r.Caller == http.Ctx().Caller
            ? r : throw Problems.NotFound($"No async invocation with id '{id}'.");
        http.Ctx().Model = record.Model;
        http.Ctx().Metrics = InferenceMetrics.Instance;
        var status = new AsyncStatus(record.Id, "pending", record.Model, record.CreatedAt);
        var o = options.Value.Async;

        if (record.OutputLocation is { } outputLocation && await store.HeadAsync(outputLocation, ct) is { } output)
        {
            status = status with { Status = "completed", OutputContentType = output.ContentType };
            if (output.Size <= o.InlineOutputBytes && IsText(output.ContentType))
            {
                var bytes = await store.ReadAsync(outputLocation, output.Size, ct);
                status = status with { Output = Encoding.UTF8.GetString(bytes) };
            }
            else
            {
                status = status with { OutputUrl = await store.PresignAsync(outputLocation) };
            }
        }
        else if (record.FailureLocation is { } failureLocation && await store.HeadAsync(failureLocation, ct) is { } failure)
        {
            var bytes = await store.ReadAsync(failureLocation, Math.Min(failure.Size, o.InlineOutputBytes), ct);
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

    // \z, not $: $ also matches before a final newline, which would let "<id>\n" through as an id.
    [GeneratedRegex("^[0-9a-f]{32}\\z")]
    private static partial Regex AsyncId();
}
