using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace AwsModelPlatform.Handlers.Aws;

// SageMaker's control-plane wire shapes (JSON 1.1; names from the SageMaker API model, sagemaker-2017-07-24): the
// subset that wakes a model scaled to zero and watches it come up.

public sealed record InferenceComponentRuntimeConfig([property: JsonPropertyName("CopyCount")] int CopyCount);

public sealed record UpdateInferenceComponentRuntimeConfigRequest(
    [property: JsonPropertyName("InferenceComponentName")] string InferenceComponentName,
    [property: JsonPropertyName("DesiredRuntimeConfig")] InferenceComponentRuntimeConfig DesiredRuntimeConfig);

public sealed record UpdateInferenceComponentRuntimeConfigResponse([property: JsonPropertyName("InferenceComponentArn")] string? InferenceComponentArn);

public sealed record DescribeInferenceComponentRequest([property: JsonPropertyName("InferenceComponentName")] string InferenceComponentName);

public sealed record InferenceComponentRuntimeConfigSummary
{
    [JsonPropertyName("DesiredCopyCount")] public int? DesiredCopyCount { get; init; }
    [JsonPropertyName("CurrentCopyCount")] public int? CurrentCopyCount { get; init; }
}

/// <summary>What <c>DescribeInferenceComponent</c> answers, as far as waking a model needs it.</summary>
public sealed record DescribeInferenceComponentResponse
{
    [JsonPropertyName("InferenceComponentName")] public string InferenceComponentName { get; init; } = "";
    [JsonPropertyName("InferenceComponentArn")] public string? InferenceComponentArn { get; init; }
    [JsonPropertyName("EndpointName")] public string? EndpointName { get; init; }
    [JsonPropertyName("VariantName")] public string? VariantName { get; init; }
    /// <summary><c>InService</c>, <c>Creating</c>, <c>Updating</c>, <c>Failed</c> or <c>Deleting</c>.</summary>
    [JsonPropertyName("InferenceComponentStatus")] public string? InferenceComponentStatus { get; init; }
    [JsonPropertyName("FailureReason")] public string? FailureReason { get; init; }
    [JsonPropertyName("RuntimeConfig")] public InferenceComponentRuntimeConfigSummary? RuntimeConfig { get; init; }

    /// <summary>Copies serving now (0 while scaled to zero or while new copies are still starting).</summary>
    [JsonIgnore] public int CurrentCopies => RuntimeConfig?.CurrentCopyCount ?? 0;

    /// <summary>Copies asked for (by autoscaling, a warm window or a wake call).</summary>
    [JsonIgnore] public int DesiredCopies => RuntimeConfig?.DesiredCopyCount ?? 0;
}

public sealed record DesiredWeightAndCapacity([property: JsonPropertyName("VariantName")] string VariantName)
{
    [JsonPropertyName("DesiredInstanceCount")] public int? DesiredInstanceCount { get; init; }
    [JsonPropertyName("DesiredWeight")] public float? DesiredWeight { get; init; }
}

public sealed record UpdateEndpointWeightsAndCapacitiesRequest(
    [property: JsonPropertyName("EndpointName")] string EndpointName,
    [property: JsonPropertyName("DesiredWeightsAndCapacities")] IReadOnlyList<DesiredWeightAndCapacity> DesiredWeightsAndCapacities);

public sealed record UpdateEndpointWeightsAndCapacitiesResponse([property: JsonPropertyName("EndpointArn")] string? EndpointArn);

public sealed record DescribeEndpointRequest([property: JsonPropertyName("EndpointName")] string EndpointName);

/// <summary>A variant's instances; with instance pools, per instance type.</summary>
public sealed record InstancePoolSummary(
    [property: JsonPropertyName("InstanceType")] string InstanceType,
    [property: JsonPropertyName("CurrentInstanceCount")] int CurrentInstanceCount);

public sealed record ProductionVariantSummary
{
    [JsonPropertyName("VariantName")] public string VariantName { get; init; } = "";
    [JsonPropertyName("CurrentInstanceCount")] public int? CurrentInstanceCount { get; init; }
    [JsonPropertyName("DesiredInstanceCount")] public int? DesiredInstanceCount { get; init; }
    [JsonPropertyName("InstancePools")] public IReadOnlyList<InstancePoolSummary>? InstancePools { get; init; }
}

/// <summary>What <c>DescribeEndpoint</c> answers, as far as waking an async endpoint needs it.</summary>
public sealed record DescribeEndpointResponse
{
    [JsonPropertyName("EndpointName")] public string EndpointName { get; init; } = "";
    [JsonPropertyName("EndpointArn")] public string? EndpointArn { get; init; }
    /// <summary><c>InService</c>, <c>Updating</c>, <c>Creating</c>, <c>SystemUpdating</c>, <c>RollingBack</c>, <c>Failed</c>, ...</summary>
    [JsonPropertyName("EndpointStatus")] public string? EndpointStatus { get; init; }
    [JsonPropertyName("FailureReason")] public string? FailureReason { get; init; }
    [JsonPropertyName("ProductionVariants")] public IReadOnlyList<ProductionVariantSummary> ProductionVariants { get; init; } = [];
}

/// <summary>
/// An error answered by SageMaker's control plane (JSON 1.1 protocol: <c>__type</c> in the body, or <c>X-Amzn-ErrorType</c>):
/// <c>ValidationException</c>, <c>ResourceNotFound</c>, <c>ResourceLimitExceeded</c>, <c>ThrottlingException</c>, ...
/// </summary>
public sealed class SageMakerApiException(int statusCode, string errorType, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The short error code, without its namespace.</summary>
    public string ErrorType { get; } = errorType;

    public string? RequestId { get; init; }
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Throttled calls were not executed: sending them again is safe.</summary>
    public bool IsThrottling => StatusCode == 429 || ErrorType is "ThrottlingException" or "Throttling" or "TooManyRequestsException";

    /// <summary>Throttling and service-side failures may succeed when tried again.</summary>
    public bool IsRetryable => IsThrottling || StatusCode >= 500;

    /// <summary>The component or endpoint does not exist (or not in this account and region).</summary>
    /// <remarks>
    /// <c>ResourceNotFound</c> is the code the API model names; the Describe operations answer a missing resource with
    /// <c>ValidationException</c> "Could not find ..." instead, which is matched by its message.
    /// </remarks>
    public bool IsNotFound => ErrorType == "ResourceNotFound"
        || (ErrorType == "ValidationException" && Message.StartsWith("Could not find", StringComparison.OrdinalIgnoreCase));

    /// <summary>An account limit (instances of a type, for example) refuses the capacity asked for.</summary>
    public bool IsLimitExceeded => ErrorType == "ResourceLimitExceeded";
}

/// <summary>
/// A thin typed client for SageMaker's control-plane JSON 1.1 API: JSON POSTs to <c>/</c> with
/// <c>X-Amz-Target: SageMaker.{Operation}</c>. The <see cref="HttpClient"/> it is given signs every request with SigV4
/// (signing name <c>sagemaker</c>, the same as SageMaker Runtime's) through AWSSDK.Core's signer
/// (<see cref="SigningHandler"/>). Only the operations that wake a model scaled to zero and watch it come up.
/// No retries here: the caller decides what may be sent again.
/// </summary>
public sealed class SageMakerClient(HttpClient http)
{
    public const string SigningName = "sagemaker";

    /// <summary>The JSON 1.1 target prefix of the SageMaker API (its model's <c>targetPrefix</c>).</summary>
    public const string TargetPrefix = "SageMaker";

    public const string ContentType = "application/x-amz-json-1.1";

    /// <summary>
    /// Sets the component's desired copy count (<c>DesiredRuntimeConfig.CopyCount</c>): how a model scaled to zero is woken.
    /// Application Auto Scaling, when the component is its scalable target, later moves the count within its own
    /// minimum and maximum, so a wake never pins capacity (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateInferenceComponentRuntimeConfig.html).
    /// </summary>
    public Task<UpdateInferenceComponentRuntimeConfigResponse> UpdateInferenceComponentRuntimeConfigAsync(string inferenceComponentName, int copyCount, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(copyCount);
        return PostAsync("UpdateInferenceComponentRuntimeConfig",
            new UpdateInferenceComponentRuntimeConfigRequest(inferenceComponentName, new InferenceComponentRuntimeConfig(copyCount)),
            HandlerJsonContext.Default.UpdateInferenceComponentRuntimeConfigRequest, HandlerJsonContext.Default.UpdateInferenceComponentRuntimeConfigResponse, ct);
    }

    /// <summary>The component's status and its current and desired copies.</summary>
    public Task<DescribeInferenceComponentResponse> DescribeInferenceComponentAsync(string inferenceComponentName, CancellationToken ct) =>
        PostAsync("DescribeInferenceComponent", new DescribeInferenceComponentRequest(inferenceComponentName),
            HandlerJsonContext.Default.DescribeInferenceComponentRequest, HandlerJsonContext.Default.DescribeInferenceComponentResponse, ct);

    /// <summary>
    /// Sets a variant's desired instance count: how an asynchronous endpoint scaled to zero instances is woken
    /// (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateEndpointWeightsAndCapacities.html). The endpoint
    /// must be <c>InService</c>; it is <c>Updating</c> until the instances are.
    /// </summary>
    public Task<UpdateEndpointWeightsAndCapacitiesResponse> UpdateEndpointWeightsAndCapacitiesAsync(string endpointName, string variantName, int desiredInstanceCount, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(desiredInstanceCount);
        return PostAsync("UpdateEndpointWeightsAndCapacities",
            new UpdateEndpointWeightsAndCapacitiesRequest(endpointName, [new DesiredWeightAndCapacity(variantName) { DesiredInstanceCount = desiredInstanceCount }]),
            HandlerJsonContext.Default.UpdateEndpointWeightsAndCapacitiesRequest, HandlerJsonContext.Default.UpdateEndpointWeightsAndCapacitiesResponse, ct);
    }

    /// <summary>The endpoint's status and each variant's current and desired instances.</summary>
    public Task<DescribeEndpointResponse> DescribeEndpointAsync(string endpointName, CancellationToken ct) =>
        PostAsync("DescribeEndpoint", new DescribeEndpointRequest(endpointName),
            HandlerJsonContext.Default.DescribeEndpointRequest, HandlerJsonContext.Default.DescribeEndpointResponse, ct);

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string operation, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken ct)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "");
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        request.Content = content;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + "." + operation);
        SigningHandler.SetPayloadHash(request, json);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode) throw Error(response, bytes);
        try
        {
            return JsonSerializer.Deserialize(bytes.Length == 0 ? "{}"u8 : bytes, responseType)
                ?? throw new SageMakerApiException(502, "InvalidResponse", $"SageMaker answered {operation} with an empty document.");
        }
        catch (JsonException e)
        {
            throw new SageMakerApiException(502, "InvalidResponse", $"SageMaker answered {operation} with a document this client cannot read: {e.Message}");
        }
    }

    private static SageMakerApiException Error(HttpResponseMessage response, byte[] body)
    {
        var error = AwsErrorDocument.Read(response, body);
        var status = error.Status;
        var errorType = error.ErrorType ?? status switch { 400 => "ValidationException", 429 => "ThrottlingException", >= 500 => "InternalFailure", _ => "Http" + status.ToString(CultureInfo.InvariantCulture) };
        return new SageMakerApiException(status, errorType, error.Message ?? $"SageMaker answered {status} {errorType}.")
        {
            RequestId = error.RequestId,
            RetryAfter = response.Headers.RetryAfter?.Delta,
        };
    }
}
