using System.Text.Json.Serialization;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>An RFC 9457 problem details document, with our and the upstream request ids.</summary>
public sealed record Problem(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string? Detail = null,
    [property: JsonPropertyName("instance")] string? Instance = null,
    [property: JsonPropertyName("requestId")] string? RequestId = null,
    [property: JsonPropertyName("upstreamRequestId")] string? UpstreamRequestId = null,
    [property: JsonPropertyName("errorType")] string? ErrorType = null,
    [property: JsonPropertyName("originalStatusCode")] int? OriginalStatusCode = null,
    [property: JsonPropertyName("originalMessage")] string? OriginalMessage = null,
    [property: JsonPropertyName("logStreamArn")] string? LogStreamArn = null);

/// <summary>Thrown anywhere in a request to answer with a problem; the middleware writes it.</summary>
public sealed class ApiProblemException(Problem problem, TimeSpan? retryAfter = null) : Exception(problem.Detail ?? problem.Title)
{
    public Problem Problem { get; } = problem;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The problem types this API answers with; <c>type</c> URIs are stable identifiers documented in docs/handlers.md.</summary>
public static class Problems
{
    private const string Base = "https://awsmodelplatform.dev/problems/";

    public static ApiProblemException BadRequest(string detail) => new(new(Base + "bad-request", "Bad request", 400, detail));
    public static ApiProblemException MalformedJson(string detail) => new(new(Base + "malformed-json", "Malformed JSON", 400, detail));
    public static ApiProblemException NotFound(string detail) => new(new(Base + "not-found", "Not found", 404, detail));
    public static ApiProblemException UnknownModel(string model) => new(new(Base + "unknown-model", "Unknown model", 404, $"No model named '{model}' is configured."));
    public static ApiProblemException PayloadTooLarge(long limit) => new(new(Base + "payload-too-large", "Payload too large", 413, $"The request body exceeds this model's limit of {limit} bytes."));
    public static ApiProblemException UnsupportedMediaType(string detail) => new(new(Base + "unsupported-media-type", "Unsupported media type", 415, detail));
    public static ApiProblemException IdempotencyKeyReused(string detail) => new(new(Base + "idempotency-key-reused", "Idempotency key reused", 409, detail));
    public static ApiProblemException NotConfigured(string detail) => new(new(Base + "not-configured", "Not configured", 501, detail));
    public static ApiProblemException InvocationNotSupported(string detail) => new(new(Base + "invocation-not-supported", "Invocation not supported by the model's endpoint", 400, detail));

    public static Problem ForStatus(int status) => status switch
    {
        404 => new(Base + "not-found", "Not found", 404, "No route matches this path."),
        405 => new(Base + "method-not-allowed", "Method not allowed", 405, "This route does not accept this method."),
        413 => new(Base + "payload-too-large", "Payload too large", 413, "The request body is too large."),
        431 => new(Base + "headers-too-large", "Request headers too large", 431, "The request headers are too large."),
        _ => new(Base + "http-" + status, ReasonPhrase(status), status),
    };

    public static Problem Internal() => new(Base + "internal", "Internal error", 500, "An unexpected error occurred; the request id identifies it in the logs.");
    public static Problem Timeout(string detail) => new(Base + "upstream-timeout", "Upstream timeout", 504, detail);
    public static Problem CircuitOpen(string endpoint) => new(Base + "circuit-open", "Endpoint unavailable", 503, $"Calls to endpoint '{endpoint}' are failing; they are paused for a short while.");

    /// <summary>
    /// How long a client is told to wait (<c>Retry-After</c>) when the model has no capacity and the handler has no better
    /// figure (<c>Inference:Wake:RetryAfterSeconds</c>'s default). It is within what the official OpenAI clients honour
    /// (under 60 s for Node, 120 s for Python), so they wait it out before retrying.
    /// </summary>
    public static readonly TimeSpan NoCapacityRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The model has no copy to serve the request (scaled to zero, scaling out, or short of instances): 503 <c>model-no-capacity</c>
    /// with <c>Retry-After</c> (<paramref name="retryAfter"/>: what is left of the model's observed cold start). The name says
    /// what is known: SageMaker's answer is the same whether the model sleeps, is waking or cannot get instances, and in
    /// every case the request was fine and may be sent again later.
    /// </summary>
    public static (Problem Problem, TimeSpan RetryAfter) NoCapacity(Aws.SageMakerException e, string? model = null, TimeSpan? retryAfter = null)
    {
        var after = retryAfter ?? NoCapacityRetryAfter;
        return (new Problem(Base + "model-no-capacity", "The model has no capacity yet", 503,
            $"No copy of {(model is null ? "the model" : $"model '{model}'")} is running: it scaled to zero or is scaling out, which takes minutes for a large model. " +
            $"The request was not processed; send it again after {(int)Math.Ceiling(after.TotalSeconds)} s. SageMaker said: {e.Message}",
            UpstreamRequestId: e.RequestId, ErrorType: e.ErrorType), after);
    }

    /// <summary>Maps a SageMaker Runtime error to the status users see (docs/handlers.md, "Error mapping").</summary>
    public static (Problem Problem, TimeSpan? RetryAfter) FromSageMaker(Aws.SageMakerException e, string? model = null)
    {
        if (e.IsNoCapacity) return NoCapacity(e, model);
        var retryAfter = (TimeSpan?)null;
        var (status, slug, title) = e.ErrorType switch
        {
            "ValidationError" => (400, "upstream-validation", "Rejected by SageMaker"),
            "ModelError" => (424, "model-error", "The model returned an error"),
            "ModelNotReadyException" => (429, "model-not-ready", "The model is not ready"),
            "ThrottlingException" => (429, "throttled", "Throttled"),
            "ServiceUnavailable" => (503, "upstream-unavailable", "SageMaker is unavailable"),
            "InternalDependencyException" => (503, "upstream-unavailable", "SageMaker dependency failure"),
            _ when e.StatusCode == 429 => (429, "throttled", "Throttled"),
            _ when e.StatusCode == 503 => (503, "upstream-unavailable", "SageMaker is unavailable"),
            _ when e.StatusCode is 401 or 403 => (502, "upstream-auth", "SageMaker refused our credentials"),
            _ when e.StatusCode == 400 => (400, "upstream-validation", "Rejected by SageMaker"),
            _ => (502, "upstream-error", "SageMaker failed"),
        };
        if (status == 429) retryAfter = e.RetryAfter ?? TimeSpan.FromSeconds(1);
        var problem = new Problem(Base + slug, title, status, e.Message,
            UpstreamRequestId: e.RequestId, ErrorType: e.ErrorType,
            OriginalStatusCode: e.OriginalStatusCode, OriginalMessage: e.OriginalMessage, LogStreamArn: e.LogStreamArn);
        return (problem, retryAfter);
    }

    /// <summary>Maps a failed S3 call (async payloads, records, idempotency records) to what users see.</summary>
    public static (Problem Problem, TimeSpan? RetryAfter) FromS3(Amazon.S3.AmazonS3Exception e)
    {
        var (status, slug, title) = (int)e.StatusCode switch
        {
            401 or 403 => (502, "upstream-auth", "S3 refused our credentials"),
            429 or 503 => (503, "upstream-unavailable", "S3 is throttling or unavailable"),
            _ => (502, "upstream-error", "S3 failed"),
        };
        var problem = new Problem(Base + slug, title, status, $"S3 answered {(int)e.StatusCode} {e.ErrorCode}.", UpstreamRequestId: e.RequestId, ErrorType: e.ErrorCode);
        return (problem, status == 503 ? TimeSpan.FromSeconds(1) : null);
    }

    /// <summary>An AWS service other than S3 (whose codes <see cref="FromS3"/> maps) answered with an error.</summary>
    public static Problem FromAws(Amazon.Runtime.AmazonServiceException e) =>
        new(Base + "upstream-error", "AWS failed", 502, $"AWS answered {(int)e.StatusCode} {e.ErrorCode}.", UpstreamRequestId: e.RequestId, ErrorType: e.ErrorCode);

    /// <summary>No answer from an AWS endpoint (DNS, connection, TLS, or the SDK giving up before a response).</summary>
    public static Problem Unreachable(Exception e) =>
        new(Base + "upstream-unreachable", "Upstream unreachable", 502, "An AWS endpoint could not be reached: " + e.Message);

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } p ? p : "Error";
}
