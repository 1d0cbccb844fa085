namespace AwsModelPlatform.Contracts;

/// <summary>
/// <c>Inference:*</c>: the models an inference API fronts, its async store and its resilience. The handler binds it
/// (its defaults are these initializers, and nowhere else); the constructs build one and write what differs from the
/// defaults into the functions' environment (<see cref="SettingsEnvironment"/>).
/// </summary>
/// <remarks>Properties have setters, not <c>init</c>: the configuration binder's source generator binds no init-only property.</remarks>
internal sealed record InferenceSettings
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Inference";

    /// <summary>SageMaker's own limit on a synchronous request or response payload: 6 MiB.</summary>
    public const long SageMakerMaxPayloadBytes = 6_291_456;

    /// <summary>The models, each with the name clients call it by (<c>Inference:Models:{i}:Name</c>).</summary>
    public IReadOnlyList<InferenceModelSettings> Models { get; set; } = [];

    /// <summary>Where async invocations are stored.</summary>
    public AsyncSettings Async { get; set; } = new();

    /// <summary>Deadline of one synchronous or async call, in seconds, retries included.</summary>
    public double TimeoutSeconds { get; set; } = 60;

    /// <summary>Deadline until the first byte of a streamed response, in seconds.</summary>
    public double StreamFirstByteTimeoutSeconds { get; set; } = 60;

    /// <summary>Longest silence inside a stream, in seconds, before it ends with a <c>StreamIdleTimeout</c> error.</summary>
    public double StreamIdleTimeoutSeconds { get; set; } = 60;

    /// <summary>Retries after the first attempt for retryable errors (throttling, 429, 5xx).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base delay of the jittered exponential backoff, in milliseconds.</summary>
    public double RetryBaseDelayMilliseconds { get; set; } = 200;

    /// <summary>Circuit breaker: failure ratio over <see cref="BreakerSamplingSeconds"/> that opens it.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Circuit breaker: calls in the sampling window before it may open.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>Circuit breaker: the sampling window, in seconds.</summary>
    public double BreakerSamplingSeconds { get; set; } = 30;

    /// <summary>Circuit breaker: how long it stays open, in seconds.</summary>
    public double BreakerBreakSeconds { get; set; } = 15;

    /// <summary>Waking a model scaled to zero, and what a request does while it wakes.</summary>
    public WakeSettings Wake { get; set; } = new();

    /// <summary>Whether a model's endpoint serves <c>InvokeEndpointAsync</c>: the async routes exist only then (<see cref="RouteNeeds.AsyncModel"/>).</summary>
    public bool ServesAsync() => Models.Any(m => ModelInvocations.Parse(m.Invocations)?.Contains(ModelInvocations.Async) == true);
}

/// <summary><c>Inference:Models:{i}:*</c>: one model.</summary>
internal sealed record InferenceModelSettings
{
    /// <summary>The name clients use: the <c>{model}</c> path segment and the OpenAI <c>model</c> field (<see cref="ModelNames"/>). Required.</summary>
    public string? Name { get; set; }

    /// <summary>The SageMaker endpoint's name. Required.</summary>
    public string? EndpointName { get; set; }

    /// <summary>What the container speaks (<see cref="ModelProtocols"/>).</summary>
    public string Protocol { get; set; } = ModelProtocols.Raw;

    /// <summary>The inference component requests target on a multi-component endpoint; none: the caller may pick one.</summary>
    public string? InferenceComponentName { get; set; }

    /// <summary>Largest request body accepted, in bytes; at most SageMaker's <see cref="InferenceSettings.SageMakerMaxPayloadBytes"/>.</summary>
    public long MaxPayloadBytes { get; set; } = InferenceSettings.SageMakerMaxPayloadBytes;

    /// <summary>
    /// The SageMaker calls the model's endpoint serves, comma-separated (<see cref="ModelInvocations"/>); a route that
    /// needs another is answered with a 400 <c>invocation-not-supported</c> problem before SageMaker is called. The
    /// default, all three, leaves it to SageMaker (the hosting mode is unknown).
    /// </summary>
    public string Invocations { get; set; } = ModelInvocations.AllValue;

    /// <summary>
    /// Other models of the same protocol, by name, comma-separated, tried in order when this one has no capacity, its
    /// circuit is open or it answers 5xx (never on a 4xx caused by the request). None by default.
    /// </summary>
    public string Fallbacks { get; set; } = "";

    /// <summary>
    /// What the model's GPU capacity costs per hour in US dollars (its endpoint's instances, or its inference component's
    /// share of one), from the price table; the constructs write it. Unset: dollars are not counted for the model.
    /// </summary>
    public double? HourlyUsd { get; set; }

    /// <summary>The fallbacks' names, in order (blank entries dropped).</summary>
    public static IReadOnlyList<string> ParseFallbacks(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// <c>Inference:Wake:*</c>: on SageMaker's no-capacity answer the handler asks for copies itself
/// (<c>UpdateInferenceComponentRuntimeConfig</c>), once per model across function instances, and streamed requests wait
/// for the copy with keep-alives instead of failing.
/// </summary>
internal sealed record WakeSettings
{
    /// <summary>Whether the handler wakes a model with no capacity itself; off: only the alarm-driven scale-out does.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Copies a wake asks for (<c>DesiredRuntimeConfig.CopyCount</c>); Application Auto Scaling clamps it to its own minimum and maximum.</summary>
    public int Copies { get; set; } = 1;

    /// <summary>
    /// Bucket of the wake markers that make one wake call per model across function instances (a conditional put,
    /// <c>If-None-Match: *</c>); none: each function instance deduplicates only its own requests.
    /// </summary>
    public string? MarkerBucket { get; set; }

    /// <summary>Key prefix of the wake markers (<c>{prefix}/{model}/{window}</c>, <see cref="MarkerKey"/>).</summary>
    public string MarkerPrefix { get; set; } = "wake";

    /// <summary>A wake marker's lifetime, in seconds: at most one wake call per model in this window.</summary>
    public double MarkerSeconds { get; set; } = 120;

    /// <summary>Longest a streamed request waits for a copy, in seconds, before it ends with a <c>model-no-capacity</c> error event; below API Gateway's 15-minute stream limit.</summary>
    public double MostWaitSeconds { get; set; } = 600;

    /// <summary>Interval of the SSE comment keep-alives of a waiting stream, in seconds; well inside API Gateway's idle timeout (30 s edge-optimized, 5 minutes regional).</summary>
    public double KeepAliveSeconds { get; set; } = 10;

    /// <summary>How often a waiting stream tries the model again, in seconds.</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary><c>Retry-After</c> of a buffered 503 before the function instance has observed a cold start of the model, in seconds.</summary>
    public double RetryAfterSeconds { get; set; } = 30;

    /// <summary>The folder every wake marker lies under, ending in <c>/</c>: what the functions' grant is scoped to.</summary>
    public string MarkerFolder() => MarkerPrefix.Trim('/') + "/";

    /// <summary>The wake marker of a model in one <see cref="MarkerSeconds"/> window: <c>{prefix}/{model}/{window}</c>.</summary>
    public string MarkerKey(string model, long window) => MarkerFolder() + model + "/" + window.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary><c>Inference:Async:*</c>: where async invocations are stored (<see cref="AsyncLayout"/>).</summary>
internal sealed record AsyncSettings
{
    /// <summary>The bucket of inputs and records: the async endpoint's data bucket. Unset: the async routes answer 501.</summary>
    public string? Bucket { get; set; }

    /// <summary>The key prefix of inputs and records: the prefix the endpoint's model may read.</summary>
    public string Prefix { get; set; } = AsyncLayout.InputPrefix.TrimEnd('/');

    /// <summary>KMS key (id, ARN or alias) for SSE-KMS on inputs and records; unset: the bucket's default encryption.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>Outputs up to this size, in bytes, are returned inline by the status route; larger ones as a presigned URL.</summary>
    public long InlineOutputBytes { get; set; } = 65_536;

    /// <summary>Lifetime of presigned output URLs, in minutes.</summary>
    public double PresignMinutes { get; set; } = 15;
}

/// <summary>What a model's container speaks (<c>Inference:Models:{i}:Protocol</c>).</summary>
internal static class ModelProtocols
{
    /// <summary>Bodies pass through untouched; only the invocation routes serve the model.</summary>
    public const string Raw = "raw";

    /// <summary>The container speaks OpenAI JSON: the OpenAI routes serve it too.</summary>
    public const string OpenAi = "openai";

    /// <summary>Every protocol.</summary>
    public static IReadOnlyList<string> All { get; } = [Raw, OpenAi];
}

/// <summary>The SageMaker Runtime calls an endpoint may serve, as <c>Inference:Models:{i}:Invocations</c> names them.</summary>
internal static class ModelInvocations
{
    /// <summary>InvokeEndpoint: real-time instances, inference components, serverless.</summary>
    public const string Sync = "sync";

    /// <summary>InvokeEndpointWithResponseStream: real-time instances and inference components.</summary>
    public const string Stream = "stream";

    /// <summary>InvokeEndpointAsync: asynchronous endpoints, which serve nothing else.</summary>
    public const string Async = "async";

    /// <summary>Every call, in the order they are written.</summary>
    public static IReadOnlyList<string> All { get; } = [Sync, Stream, Async];

    /// <summary>Every call, as the setting writes it.</summary>
    public const string AllValue = Sync + "," + Stream + "," + Async;

    /// <summary>The setting's value of these calls, in <see cref="All"/>'s order.</summary>
    public static string Value(IEnumerable<string> calls) => string.Join(",", All.Where(calls.Contains));

    /// <summary>The calls a setting names (blank: all of them), or null when it names one that is none.</summary>
    public static IReadOnlySet<string>? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return All.ToHashSet();
        var calls = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(i => i.ToLowerInvariant()).ToHashSet();
        return calls.Count > 0 && calls.IsSubsetOf(All) ? calls : null;
    }
}
