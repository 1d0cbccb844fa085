using System.Net;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Aws;

/// <summary>An error answered by SageMaker Runtime (REST-JSON protocol: <c>X-Amzn-ErrorType</c> and a JSON body).</summary>
public sealed class SageMakerException(int statusCode, string errorType, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The short error code: <c>ValidationError</c>, <c>ModelError</c>, <c>ThrottlingException</c>, ...</summary>
    public string ErrorType { get; } = errorType;

    public string? RequestId { get; init; }
    public int? OriginalStatusCode { get; init; }
    public string? OriginalMessage { get; init; }
    public string? LogStreamArn { get; init; }
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// The text SageMaker answers an invocation of an inference component that has no copy with (HTTP 400,
    /// <c>ValidationError</c>): "Inference Component has no capacity to process this request. ApplicationAutoScaling may be
    /// in-progress (if configured) or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API."
    /// (AWS's scale-to-zero announcement, "Unlock cost savings with the new scale down to zero feature in SageMaker Inference",
    /// December 2024; https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html).
    /// </summary>
    public const string NoCapacityMessage = "Inference Component has no capacity to process this request";

    /// <summary>
    /// The model has no copy to serve the request: scaled to zero, still scaling out, or short of instances. SageMaker says so
    /// with a 400 <c>ValidationError</c> that is not about the request, so it is recognized by its message. The request was
    /// not processed and may be sent again once a copy serves, minutes later: it is the client's to retry, not this call's.
    /// </summary>
    public bool IsNoCapacity => StatusCode == 400 && ErrorType == "ValidationError"
        && Message.Contains("has no capacity to process this request", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Throttling, a model not ready yet and service-side failures may succeed when tried again within the call's deadline.
    /// A model with no capacity (<see cref="IsNoCapacity"/>) is not retried here: a copy takes minutes, not seconds, to start.
    /// </summary>
    public bool IsRetryable => ErrorType is "ThrottlingException" or "ModelNotReadyException" or "ServiceUnavailable" or "InternalFailure" or "InternalDependencyException"
        || StatusCode is 429 or 500 or 502 or 503 or 504;

    /// <summary>Failures that count against the endpoint's circuit breaker (the service or endpoint is unhealthy).</summary>
    public bool IsServiceFault => StatusCode >= 500;

    internal static SageMakerException From(HttpStatusCode status, string? errorTypeHeader, string? requestId, TimeSpan? retryAfter, ReadOnlySpan<byte> body)
    {
        // X-Amzn-ErrorType is "Code:namespace-uri"; keep the code.
        var errorType = errorTypeHeader is { Length: > 0 } h ? h.Split(':', 2)[0] : null;
        string? message = null, code = null, originalMessage = null, logStreamArn = null;
        int? originalStatus = null;
        if (!body.IsEmpty)
        {
            try
            {
                var reader = new Utf8JsonReader(body);
                using var doc = JsonDocument.ParseValue(ref reader);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in doc.RootElement.EnumerateObject())
                    {
                        switch (p.Name.ToLowerInvariant())
                        {
                            case "message" when p.Value.ValueKind == JsonValueKind.String: message = p.Value.GetString(); break;
                            case "__type" or "code" when p.Value.ValueKind == JsonValueKind.String: code = p.Value.GetString(); break;
                            case "originalmessage" when p.Value.ValueKind == JsonValueKind.String: originalMessage = p.Value.GetString(); break;
                            case "originalstatuscode" when p.Value.ValueKind == JsonValueKind.Number: originalStatus = p.Value.GetInt32(); break;
                            case "logstreamarn" when p.Value.ValueKind == JsonValueKind.String: logStreamArn = p.Value.GetString(); break;
                        }
                    }
                }
            }
            catch (JsonException)
            {
                message = System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 512)]);
            }
        }
        if (errorType is null && code is not null) errorType = code.Split('#').Last().Split(':')[0];
        errorType ??= (int)status switch
        {
            400 => "ValidationError",
            424 => "ModelError",
            429 => "ModelNotReadyException",
            500 => "InternalFailure",
            503 => "ServiceUnavailable",
            530 => "InternalDependencyException",
            _ => "Http" + (int)status,
        };
        return new SageMakerException((int)status, errorType, message ?? $"SageMaker answered {(int)status} {errorType}.")
        {
            RequestId = requestId,
            OriginalStatusCode = originalStatus,
            OriginalMessage = originalMessage,
            LogStreamArn = logStreamArn,
            RetryAfter = retryAfter,
        };
    }
}

/// <summary>A response stream that broke: an exception event, a bad frame or a cut connection.</summary>
public sealed class SageMakerStreamException(string errorType, string message, string? errorCode = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary><c>ModelStreamError</c>, <c>InternalStreamFailure</c>, <c>TruncatedStream</c> or <c>InvalidFrame</c>.</summary>
    public string ErrorType { get; } = errorType;
    public string? ErrorCode { get; } = errorCode;
}
