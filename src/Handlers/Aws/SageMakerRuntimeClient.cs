using System.Net.Http.Headers;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Aws;

/// <summary>The headers of an <c>InvokeEndpoint</c>-family call (names from the SageMaker Runtime API model).</summary>
public sealed record InvokeRequest(string EndpointName, ReadOnlyMemory<byte> Body, string ContentType)
{
    public string? Accept { get; init; }
    public string? CustomAttributes { get; init; }
    public string? TargetModel { get; init; }
    public string? TargetVariant { get; init; }
    public string? TargetContainerHostname { get; init; }
    public string? InferenceId { get; init; }
    public string? InferenceComponentName { get; init; }
    public string? SessionId { get; init; }
}

public sealed record InvokeResult(byte[] Body, string ContentType, string? InvokedVariant, string? CustomAttributes, string? RequestId);

public sealed record AsyncInvokeRequest(string EndpointName, string InputLocation, string? ContentType)
{
    public string? Accept { get; init; }
    public string? CustomAttributes { get; init; }
    public string? InferenceId { get; init; }
    public int? RequestTtlSeconds { get; init; }
    public int? InvocationTimeoutSeconds { get; init; }
}

public sealed record AsyncInvokeResult(string? InferenceId, string? OutputLocation, string? FailureLocation, string? RequestId);

/// <summary>An open response stream: headers are known, events are read with <see cref="ReadEventsAsync"/>.</summary>
public sealed class ResponseStream(HttpResponseMessage response, string contentType, string? invokedVariant, string? requestId) : IDisposable
{
    public string ContentType { get; } = contentType;
    public string? InvokedVariant { get; } = invokedVariant;
    public string? RequestId { get; } = requestId;

    public async IAsyncEnumerable<StreamEvent> ReadEventsAsync(TimeSpan idleTimeout, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var e in EventStreamReader.ReadAsync(body, idleTimeout, ct)) yield return e;
    }

    public void Dispose() => response.Dispose();
}

/// <summary>
/// A thin typed client for SageMaker Runtime's REST-JSON API. The <see cref="HttpClient"/> it is given signs every
/// request with SigV4 (signing name <c>sagemaker</c>) through AWSSDK.Core's signer (<see cref="SigningHandler"/>); this
/// client sets the payload hash from the bytes it sends, so the signer need not buffer the body to hash it.
/// No retries here: the caller's resilience pipeline decides.
/// </summary>
public sealed class SageMakerRuntimeClient(HttpClient http)
{
    public const string SigningName = "sagemaker";

    /// <summary>SageMaker Runtime's own limits on the request headers it accepts.</summary>
    public static class Limits
    {
        public const int CustomAttributes = 1024;
        public const int TargetModel = 1024;
        public const int TargetVariant = 63;
        public const int TargetContainerHostname = 63;
        public const int InferenceId = 64;
        public const int InferenceComponentName = 63;
        public const int SessionId = 256;
        public const int Accept = 1024;
        public const int ContentType = 1024;
    }

    public async Task<InvokeResult> InvokeEndpointAsync(InvokeRequest r, CancellationToken ct)
    {
        using var request = Build(r, "invocations", streaming: false);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var requestId = RequestIdOf(response);
        if (!response.IsSuccessStatusCode) throw Error(response, requestId, body);
        return new InvokeResult(body, response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream",
            Header(response, "x-Amzn-Invoked-Production-Variant"), Header(response, "X-Amzn-SageMaker-Custom-Attributes"), requestId);
    }

    public async Task<ResponseStream> InvokeEndpointWithResponseStreamAsync(InvokeRequest r, CancellationToken ct)
    {
        using var request = Build(r, "invocations-response-stream", streaming: true);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var requestId = RequestIdOf(response);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                throw Error(response, requestId, body);
            }
        }
        return new ResponseStream(response, Header(response, "X-Amzn-SageMaker-Content-Type") ?? "application/octet-stream",
            Header(response, "x-Amzn-Invoked-Production-Variant"), requestId);
    }

    public async Task<AsyncInvokeResult> InvokeEndpointAsyncAsync(AsyncInvokeRequest r, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"endpoints/{Uri.EscapeDataString(r.EndpointName)}/async-invocations");
        request.Content = new ByteArrayContent([]);
        SigningHandler.SetPayloadHash(request, []);
        request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-InputLocation", r.InputLocation);
        Add(request, "X-Amzn-SageMaker-Content-Type", r.ContentType);
        Add(request, "X-Amzn-SageMaker-Accept", r.Accept);
        Add(request, "X-Amzn-SageMaker-Custom-Attributes", r.CustomAttributes);
        Add(request, "X-Amzn-SageMaker-Inference-Id", r.InferenceId);
        Add(request, "X-Amzn-SageMaker-RequestTTLSeconds", r.RequestTtlSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(request, "X-Amzn-SageMaker-InvocationTimeoutSeconds", r.InvocationTimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var requestId = RequestIdOf(response);
        if (!response.IsSuccessStatusCode) throw Error(response, requestId, body);
        string? inferenceId = null;
        if (body.Length > 0)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("InferenceId", out var id) && id.ValueKind == JsonValueKind.String)
                    inferenceId = id.GetString();
            }
            catch (JsonException)
            {
                // The id is informational; the locations in the headers are what matter.
            }
        }
        return new AsyncInvokeResult(inferenceId, Header(response, "X-Amzn-SageMaker-OutputLocation"), Header(response, "X-Amzn-SageMaker-FailureLocation"), requestId);
    }

    private static HttpRequestMessage Build(InvokeRequest r, string operation, bool streaming)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"endpoints/{Uri.EscapeDataString(r.EndpointName)}/{operation}");
        var content = new ReadOnlyMemoryContent(r.Body);
        content.Headers.ContentType = MediaTypeHeaderValue.TryParse(r.ContentType, out var ct) ? ct : new MediaTypeHeaderValue("application/octet-stream");
        request.Content = content;
        SigningHandler.SetPayloadHash(request, r.Body.Span);
        // InvokeEndpoint takes the standard Accept; the streaming operation takes X-Amzn-SageMaker-Accept.
        Add(request, streaming ? "X-Amzn-SageMaker-Accept" : "Accept", r.Accept);
        Add(request, "X-Amzn-SageMaker-Custom-Attributes", r.CustomAttributes);
        if (!streaming) Add(request, "X-Amzn-SageMaker-Target-Model", r.TargetModel);
        Add(request, "X-Amzn-SageMaker-Target-Variant", r.TargetVariant);
        Add(request, "X-Amzn-SageMaker-Target-Container-Hostname", r.TargetContainerHostname);
        Add(request, "X-Amzn-SageMaker-Inference-Id", r.InferenceId);
        Add(request, "X-Amzn-SageMaker-Inference-Component", r.InferenceComponentName);
        Add(request, "X-Amzn-SageMaker-Session-Id", r.SessionId);
        return request;
    }

    private static void Add(HttpRequestMessage request, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value)) request.Headers.TryAddWithoutValidation(name, value);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var v) || response.Content.Headers.TryGetValues(name, out v) ? string.Join(",", v) : null;

    private static string? RequestIdOf(HttpResponseMessage response) => Header(response, "x-amzn-RequestId");

    private static SageMakerException Error(HttpResponseMessage response, string? requestId, byte[] body)
    {
        TimeSpan? retryAfter = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } d ? d - DateTimeOffset.UtcNow : null);
        return SageMakerException.From(response.StatusCode, Header(response, "X-Amzn-ErrorType"), requestId, retryAfter, body);
    }
}
