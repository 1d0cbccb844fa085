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

    /// <summary>Response headers the problem's answer carries besides <c>Retry-After</c> (a limit's <c>x-ratelimit-*</c>).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}

/// <summary>
/// The problem types this API answers with, and the only place a <c>type</c> URI or a title is written: every other file
/// asks this catalog for its problem. The <c>type</c> URIs are stable identifiers documented in docs/handlers.md ("Errors").
/// </summary>
public static class Problems
{
    private const string Base = ProblemTypes.Base;

    /// <summary>The suffix of every <c>type</c> URI (<c>https://awsmodelplatform.dev/problems/{suffix}</c>).</summary>
    public static class Types
    {
        public const string BadRequest = "bad-request";
        public const string MalformedJson = "malformed-json";
        public const string NotFound = "not-found";
        public const string UnknownModel = "unknown-model";
        public const string MethodNotAllowed = "method-not-allowed";
        public const string PayloadTooLarge = "payload-too-large";
        public const string HeadersTooLarge = "headers-too-large";
        public const string UnsupportedMediaType = "unsupported-media-type";
        public const string IdempotencyKeyReused = "idempotency-key-reused";
        public const string NotConfigured = "not-configured";
        public const string InvocationNotSupported = "invocation-not-supported";
        public const string Internal = "internal";
        public const string UpstreamTimeout = "upstream-timeout";
        public const string CircuitOpen = "circuit-open";
        public const string ModelNoCapacity = "model-no-capacity";
        public const string UpstreamValidation = "upstream-validation";
        public const string ModelError = "model-error";
        public const string ModelNotReady = "model-not-ready";
        public const string Throttled = "throttled";
        public const string UpstreamUnavailable = "upstream-unavailable";
        public const string UpstreamAuth = "upstream-auth";
        public const string UpstreamError = "upstream-error";
        public const string UpstreamUnreachable = "upstream-unreachable";
        public const string StreamError = "stream-error";
        public const string ModelStreamError = "model-stream-error";
        public const string InternalStreamFailure = "internal-stream-failure";
        public const string TruncatedStream = "truncated-stream";
        public const string StreamIdleTimeout = "stream-idle-timeout";
        public const string InvalidStream = "invalid-stream";
        public const string UnknownDefinition = "unknown-definition";
        public const string InstanceTypeNotAllowed = "instance-type-not-allowed";
        public const string TooManyNodes = "too-many-nodes";
        public const string TooManyGpus = "too-many-gpus";
        public const string DatasetOutsideBucket = "dataset-outside-bucket";
        public const string CallerUnknown = "caller-unknown";
        public const string SubmissionInProgress = "submission-in-progress";
        public const string JobFinished = "job-finished";
        public const string JobNotStoppable = "job-not-stoppable";
        public const string JobTooLarge = "job-too-large";
        public const string NoTeam = "no-team";
        public const string ModelNotAllowed = "model-not-allowed";
        public const string RateLimited = "rate-limited";
        public const string BudgetExhausted = "budget-exhausted";

        /// <summary>Answered by API Gateway in key mode (a gateway response of the constructs), never by the handler itself.</summary>
        public const string InvalidApiKey = ProblemTypes.InvalidApiKey;

        /// <summary>Any other HTTP status the server answers by itself: <c>http-{status}</c>.</summary>
        public const string HttpStatusPrefix = "http-";
    }

    /// <summary>The <c>type</c> URI of <paramref name="suffix"/>, one of <see cref="Types"/>.</summary>
    public static string TypeUri(string suffix) => Base + suffix;

    private static Problem Of(string type, string title, int status, string? detail = null) => new(Base + type, title, status, detail);

    public static ApiProblemException BadRequest(string detail) => new(Of(Types.BadRequest, "Bad request", 400, detail));
    public static ApiProblemException MalformedJson(string detail) => new(Of(Types.MalformedJson, "Malformed JSON", 400, detail));
    public static ApiProblemException NotFound(string detail) => new(Of(Types.NotFound, "Not found", 404, detail));
    public static ApiProblemException UnknownModel(string model) =>
        new(Of(Types.UnknownModel, "Unknown model", 404, $"No model named '{model}' is configured."));
    public static ApiProblemException PayloadTooLarge(long limit) =>
        PayloadTooLarge($"The request body exceeds this model's limit of {Invariant(limit)} bytes.");
    public static ApiProblemException PayloadTooLarge(string detail) => new(Of(Types.PayloadTooLarge, "Payload too large", 413, detail));
    public static ApiProblemException UnsupportedMediaType(string detail) =>
        new(Of(Types.UnsupportedMediaType, "Unsupported media type", 415, detail));
    public static ApiProblemException IdempotencyKeyReused(string detail) =>
        new(Of(Types.IdempotencyKeyReused, "Idempotency key reused", 409, detail));
    public static ApiProblemException NotConfigured(string detail) => new(Of(Types.NotConfigured, "Not configured", 501, detail));
    public static ApiProblemException InvocationNotSupported(string detail) =>
        new(Of(Types.InvocationNotSupported, "Invocation not supported by the model's endpoint", 400, detail));

    // ---------- training ----------

    public static ApiProblemException UnknownDefinition(string detail) => new(Of(Types.UnknownDefinition, "Unknown job definition", 400, detail));
    public static ApiProblemException InstanceTypeNotAllowed(string detail) =>
        new(Of(Types.InstanceTypeNotAllowed, "Instance type not allowed", 400, detail));
    public static ApiProblemException TooManyNodes(string detail) => new(Of(Types.TooManyNodes, "Too many nodes", 400, detail));
    public static ApiProblemException TooManyGpus(string detail) => new(Of(Types.TooManyGpus, "Too many GPUs", 400, detail));
    public static ApiProblemException DatasetOutsideBucket(string detail) => new(Of(Types.DatasetOutsideBucket, "Dataset not allowed", 400, detail));
    public static ApiProblemException CallerUnknown(string detail) => new(Of(Types.CallerUnknown, "Caller unknown", 403, detail));
    public static ApiProblemException JobFinished(string detail) => new(Of(Types.JobFinished, "Job already finished", 409, detail));
    public static ApiProblemException JobNotStoppable(string detail) =>
        new(Of(Types.JobNotStoppable, "Job not submitted through this API", 409, detail));
    public static ApiProblemException JobTooLarge(string detail) => new(Of(Types.JobTooLarge, "Job too large", 413, detail));

    /// <summary>Another request holds the <c>Idempotency-Key</c> and is still submitting: 409, retry after <paramref name="retryAfter"/>.</summary>
    public static ApiProblemException SubmissionInProgress(string detail, TimeSpan retryAfter) =>
        new(Of(Types.SubmissionInProgress, "Submission in progress", 409, detail), retryAfter);

    /// <summary>Maps an AWS Batch error to the status users see (docs/handlers.md, "Errors and resilience").</summary>
    public static (Problem Problem, TimeSpan? RetryAfter) FromBatch(Aws.BatchException b)
    {
        var (status, type, title, retryAfter) = b switch
        {
            { IsThrottling: true } => (429, Types.Throttled, "Throttled by AWS Batch", b.RetryAfter ?? TimeSpan.FromSeconds(1)),
            { StatusCode: 400 } => (400, Types.UpstreamValidation, "Rejected by AWS Batch", (TimeSpan?)null),
            { StatusCode: 401 or 403 } => (502, Types.UpstreamAuth, "AWS Batch refused our credentials", null),
            { StatusCode: >= 500 } => (503, Types.UpstreamUnavailable, "AWS Batch is unavailable", TimeSpan.FromSeconds(2)),
            _ => (502, Types.UpstreamError, "AWS Batch failed", null),
        };
        var problem = Of(type, title, status, b.Message) with
        {
            UpstreamRequestId = b.RequestId, ErrorType = b.ErrorType, OriginalStatusCode = b.StatusCode,
        };
        return (problem, retryAfter);
    }

    /// <summary>
    /// A failed call of <paramref name="service"/> (S3, KMS) whose error the route does not map itself: 503 when throttled
    /// or 5xx, else 502, naming the service (its message carries no request data).
    /// </summary>
    public static Problem FromAws(string service, Amazon.Runtime.AmazonServiceException e)
    {
        var status = (int)e.StatusCode >= 500 || e.StatusCode == System.Net.HttpStatusCode.TooManyRequests ? 503 : 502;
        return Of(Types.UpstreamError, $"{service} failed", status, e.Message) with
        {
            UpstreamRequestId = e.RequestId, ErrorType = e.ErrorCode, OriginalStatusCode = (int)e.StatusCode,
        };
    }

    /// <summary>No answer from <paramref name="service"/>'s endpoint.</summary>
    public static Problem Unreachable(string service) =>
        Of(Types.UpstreamUnreachable, $"{service} unreachable", 502, $"The {service} endpoint could not be reached.");

    // ---------- team access ----------

    /// <summary>The caller maps to no team on an API with team access (docs/access.md, "Teams of callers").</summary>
    public static ApiProblemException NoTeam(string detail) => new(Of(Types.NoTeam, "Caller has no team", 403, detail));

    /// <summary>The caller's team may not call the model.</summary>
    public static ApiProblemException ModelNotAllowed(string detail) => new(Of(Types.ModelNotAllowed, "Model not allowed for the team", 403, detail));

    /// <summary>Over the team's requests or tokens per minute: 429, retry after <paramref name="retryAfter"/>.</summary>
    public static ApiProblemException RateLimited(string detail, TimeSpan retryAfter, IReadOnlyDictionary<string, string> headers) =>
        new(Of(Types.RateLimited, "Team rate limit reached", 429, detail), retryAfter) { Headers = headers };

    /// <summary>The team's month of tokens or dollars is spent: 429 until the month ends.</summary>
    public static ApiProblemException BudgetExhausted(string detail, TimeSpan retryAfter, IReadOnlyDictionary<string, string> headers) =>
        new(Of(Types.BudgetExhausted, "Team budget exhausted", 429, detail), retryAfter) { Headers = headers };

    // ---------- hosting ----------

    public static Problem ForStatus(int status) => status switch
    {
        404 => Of(Types.NotFound, "Not found", 404, "No route matches this path."),
        405 => Of(Types.MethodNotAllowed, "Method not allowed", 405, "This route does not accept this method."),
        413 => Of(Types.PayloadTooLarge, "Payload too large", 413, "The request body is too large."),
        431 => Of(Types.HeadersTooLarge, "Request headers too large", 431, "The request headers are too large."),
        _ => Of(Types.HttpStatusPrefix + Invariant(status), ReasonPhrase(status), status),
    };

    public static Problem Internal() =>
        Of(Types.Internal, "Internal error", 500, "An unexpected error occurred; the request id identifies it in the logs.");
    public static Problem Timeout(string detail) => Of(Types.UpstreamTimeout, "Upstream timeout", 504, detail);
    public static Problem CircuitOpen(string endpoint) =>
        Of(Types.CircuitOpen, "Endpoint unavailable", 503, $"Calls to endpoint '{endpoint}' are failing; they are paused for a short while.");

    /// <summary>A SageMaker response stream failed before its first byte reached the client.</summary>
    public static Problem StreamError(Aws.SageMakerStreamException e, string? upstreamRequestId) =>
        Of(Types.StreamError, "Stream error", 502, e.Message) with { UpstreamRequestId = upstreamRequestId };

    /// <summary>
    /// A SageMaker response stream failed after the 200 started: the problem written in-band (docs/handlers.md, "Streams and their errors").
    /// </summary>
    public static Problem InStream(Aws.SageMakerStreamException e)
    {
        var (type, title) = e.ErrorType switch
        {
            "ModelStreamError" => (Types.ModelStreamError, "The model failed mid-stream"),
            "InternalStreamFailure" => (Types.InternalStreamFailure, "SageMaker failed mid-stream"),
            "TruncatedStream" => (Types.TruncatedStream, "The stream was cut"),
            "StreamIdleTimeout" => (Types.StreamIdleTimeout, "The model stopped streaming"),
            _ => (Types.InvalidStream, "The stream was corrupt"),
        };
        return Of(type, title, e.ErrorType == "StreamIdleTimeout" ? 504 : 502, e.Message) with { ErrorType = e.ErrorType };
    }

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
        return (new Problem(Base + Types.ModelNoCapacity, "The model has no capacity yet", 503,
            $"No copy of {(model is null ? "the model" : $"model '{model}'")} is running: it scaled to zero or is scaling out, " +
            "which takes minutes for a large model. " +
            $"The request was not processed; send it again after {Invariant((int)Math.Ceiling(after.TotalSeconds))} s. SageMaker said: {e.Message}",
            UpstreamRequestId: e.RequestId, ErrorType: e.ErrorType), after);
    }

    /// <summary>Maps a SageMaker Runtime error to the status users see (docs/handlers.md, "Error mapping").</summary>
    public static (Problem Problem, TimeSpan? RetryAfter) FromSageMaker(Aws.SageMakerException e, string? model = null)
    {
        if (e.IsNoCapacity) return NoCapacity(e, model);
        var retryAfter = (TimeSpan?)null;
        var (status, type, title) = e.ErrorType switch
        {
            "ValidationError" => (400, Types.UpstreamValidation, "Rejected by SageMaker"),
            "ModelError" => (424, Types.ModelError, "The model returned an error"),
            "ModelNotReadyException" => (429, Types.ModelNotReady, "The model is not ready"),
            "ThrottlingException" => (429, Types.Throttled, "Throttled"),
            "ServiceUnavailable" => (503, Types.UpstreamUnavailable, "SageMaker is unavailable"),
            "InternalDependencyException" => (503, Types.UpstreamUnavailable, "SageMaker dependency failure"),
            _ when e.StatusCode == 429 => (429, Types.Throttled, "Throttled"),
            _ when e.StatusCode == 503 => (503, Types.UpstreamUnavailable, "SageMaker is unavailable"),
            _ when e.StatusCode is 401 or 403 => (502, Types.UpstreamAuth, "SageMaker refused our credentials"),
            _ when e.StatusCode == 400 => (400, Types.UpstreamValidation, "Rejected by SageMaker"),
            _ => (502, Types.UpstreamError, "SageMaker failed"),
        };
        if (status == 429) retryAfter = e.RetryAfter ?? TimeSpan.FromSeconds(1);
        var problem = new Problem(Base + type, title, status, e.Message,
            UpstreamRequestId: e.RequestId, ErrorType: e.ErrorType,
            OriginalStatusCode: e.OriginalStatusCode, OriginalMessage: e.OriginalMessage, LogStreamArn: e.LogStreamArn);
        return (problem, retryAfter);
    }

    /// <summary>Maps a failed S3 call (async payloads, records, idempotency records) to what users see.</summary>
    public static (Problem Problem, TimeSpan? RetryAfter) FromS3(Amazon.S3.AmazonS3Exception e)
    {
        var (status, type, title) = (int)e.StatusCode switch
        {
            401 or 403 => (502, Types.UpstreamAuth, "S3 refused our credentials"),
            429 or 503 => (503, Types.UpstreamUnavailable, "S3 is throttling or unavailable"),
            _ => (502, Types.UpstreamError, "S3 failed"),
        };
        var problem = new Problem(Base + type, title, status, $"S3 answered {Invariant((int)e.StatusCode)} {e.ErrorCode}.",
            UpstreamRequestId: e.RequestId, ErrorType: e.ErrorCode);
        return (problem, status == 503 ? TimeSpan.FromSeconds(1) : null);
    }

    /// <summary>An AWS service other than S3 (whose codes <see cref="FromS3"/> maps) answered with an error.</summary>
    public static Problem FromAws(Amazon.Runtime.AmazonServiceException e) =>
        new(Base + Types.UpstreamError, "AWS failed", 502, $"AWS answered {Invariant((int)e.StatusCode)} {e.ErrorCode}.",
            UpstreamRequestId: e.RequestId, ErrorType: e.ErrorCode);

    /// <summary>No answer from an AWS endpoint (DNS, connection, TLS, or the SDK giving up before a response).</summary>
    public static Problem Unreachable(Exception e) =>
        new(Base + Types.UpstreamUnreachable, "Upstream unreachable", 502, "An AWS endpoint could not be reached: " + e.Message);

    private static string Invariant(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } p ? p : "Error";
}
