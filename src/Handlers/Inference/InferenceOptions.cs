namespace AwsModelPlatform.Handlers.Inference;

/// <summary><c>Inference:*</c>: the models this API fronts and the async bucket.</summary>
public sealed class InferenceOptions
{
    /// <summary>SageMaker's own limit on a synchronous request or response payload: 6 MiB.</summary>
    public const long SageMakerMaxPayloadBytes = 6_291_456;

    public Dictionary<string, ModelOptions> Models { get; set; } = new(StringComparer.Ordinal);

    public AsyncOptions Async { get; set; } = new();

    /// <summary>Deadline of one synchronous call, retries included. Default 60 s.</summary>
    public double TimeoutSeconds { get; set; } = 60;

    /// <summary>Deadline until the first byte of a streamed response. Default 60 s.</summary>
    public double StreamFirstByteTimeoutSeconds { get; set; } = 60;

    /// <summary>Longest silence allowed inside a stream before it is ended with a <c>StreamIdleTimeout</c> error. Default 60 s.</summary>
    public double StreamIdleTimeoutSeconds { get; set; } = 60;

    /// <summary>Retries after the first attempt for retryable errors (throttling, 429, 5xx). Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base delay of the jittered exponential backoff. Default 200 ms.</summary>
    public double RetryBaseDelayMilliseconds { get; set; } = 200;

    /// <summary>Circuit breaker: failure ratio over <see cref="BreakerSamplingSeconds"/> that opens it. Default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Circuit breaker: calls in the sampling window before it may open. Default 10.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    public double BreakerSamplingSeconds { get; set; } = 30;

    public double BreakerBreakSeconds { get; set; } = 15;
}

/// <summary><c>Inference:Models:{name}:*</c>.</summary>
public sealed class ModelOptions
{
    /// <summary>SageMaker endpoint name (required).</summary>
    public string? EndpointName { get; set; }

    /// <summary><c>raw</c> (body passed through) or <c>openai</c> (the container speaks OpenAI JSON).</summary>
    public string Protocol { get; set; } = ModelProtocols.Raw;

    /// <summary>Inference component to target on a multi-component endpoint.</summary>
    public string? InferenceComponentName { get; set; }

    /// <summary>Largest request body accepted; default and ceiling is SageMaker's 6,291,456 bytes.</summary>
    public long? MaxPayloadBytes { get; set; }

    /// <summary>
    /// The SageMaker calls the model's endpoint serves, comma-separated (<see cref="ModelInvocations"/>): <c>sync</c>
    /// (InvokeEndpoint), <c>stream</c> (InvokeEndpointWithResponseStream), <c>async</c> (InvokeEndpointAsync). A route
    /// that needs another call is answered with a 400 <c>invocation-not-supported</c> problem before SageMaker is called.
    /// Default: all three (the hosting mode is unknown; SageMaker decides).
    /// </summary>
    public string? Invocations { get; set; }
}

/// <summary><c>Inference:Async:*</c>.</summary>
public sealed class AsyncOptions
{
    public string? Bucket { get; set; }
    public string Prefix { get; set; } = "async";

    /// <summary>KMS key (id, ARN or alias) for SSE-KMS on stored inputs and records; unset: the bucket's default encryption.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>Outputs up to this size are returned inline by the status route; larger ones as a presigned URL. Default 64 KiB.</summary>
    public long InlineOutputBytes { get; set; } = 65_536;

    /// <summary>Lifetime of presigned output URLs. Default 15 minutes.</summary>
    public double PresignMinutes { get; set; } = 15;
}

public static class ModelProtocols
{
    public const string Raw = "raw";
    public const string OpenAi = "openai";
}

/// <summary>The SageMaker Runtime calls an endpoint may serve, as <c>Inference:Models:{name}:Invocations</c> names them.</summary>
public static class ModelInvocations
{
    /// <summary>InvokeEndpoint: real-time instances, inference components, serverless.</summary>
    public const string Sync = "sync";

    /// <summary>InvokeEndpointWithResponseStream: real-time instances and inference components.</summary>
    public const string Stream = "stream";

    /// <summary>InvokeEndpointAsync: asynchronous endpoints, which serve nothing else.</summary>
    public const string Async = "async";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Sync, Stream, Async };
}
