using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace AwsModelPlatform.Handlers.Aws;

// AWS Batch REST-JSON wire shapes (the subset this API uses; names from the Batch API model).

public sealed record BatchKeyValue([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("value")] string Value);

public sealed record BatchResourceRequirement([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("value")] string Value);

public sealed record BatchContainerOverrides
{
    [JsonPropertyName("command")] public IReadOnlyList<string>? Command { get; init; }
    [JsonPropertyName("environment")] public IReadOnlyList<BatchKeyValue>? Environment { get; init; }
    [JsonPropertyName("resourceRequirements")] public IReadOnlyList<BatchResourceRequirement>? ResourceRequirements { get; init; }
    /// <summary>Multi-node jobs only (Batch refuses it on single-node container jobs).</summary>
    [JsonPropertyName("instanceType")] public string? InstanceType { get; init; }
}

public sealed record BatchNodePropertyOverride(
    [property: JsonPropertyName("targetNodes")] string TargetNodes,
    [property: JsonPropertyName("containerOverrides")] BatchContainerOverrides ContainerOverrides);

public sealed record BatchNodeOverrides
{
    [JsonPropertyName("numNodes")] public int? NumNodes { get; init; }
    [JsonPropertyName("nodePropertyOverrides")] public IReadOnlyList<BatchNodePropertyOverride>? NodePropertyOverrides { get; init; }
}

public sealed record BatchJobTimeout([property: JsonPropertyName("attemptDurationSeconds")] int AttemptDurationSeconds);

public sealed record SubmitJobRequest(
    [property: JsonPropertyName("jobName")] string JobName,
    [property: JsonPropertyName("jobQueue")] string JobQueue,
    [property: JsonPropertyName("jobDefinition")] string JobDefinition)
{
    [JsonPropertyName("containerOverrides")] public BatchContainerOverrides? ContainerOverrides { get; init; }
    [JsonPropertyName("nodeOverrides")] public BatchNodeOverrides? NodeOverrides { get; init; }
    [JsonPropertyName("timeout")] public BatchJobTimeout? Timeout { get; init; }
    [JsonPropertyName("tags")] public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

public sealed record SubmitJobResponse(
    [property: JsonPropertyName("jobArn")] string? JobArn,
    [property: JsonPropertyName("jobName")] string? JobName,
    [property: JsonPropertyName("jobId")] string JobId);

public sealed record BatchListFilter([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("values")] IReadOnlyList<string> Values);

public sealed record ListJobsRequest([property: JsonPropertyName("jobQueue")] string JobQueue)
{
    [JsonPropertyName("jobStatus")] public string? JobStatus { get; init; }
    [JsonPropertyName("maxResults")] public int? MaxResults { get; init; }
    [JsonPropertyName("nextToken")] public string? NextToken { get; init; }
    [JsonPropertyName("filters")] public IReadOnlyList<BatchListFilter>? Filters { get; init; }
}

public sealed record BatchContainerSummary
{
    [JsonPropertyName("exitCode")] public int? ExitCode { get; init; }
    [JsonPropertyName("reason")] public string? Reason { get; init; }
    [JsonPropertyName("logStreamName")] public string? LogStreamName { get; init; }
}

public sealed record BatchJobSummary
{
    [JsonPropertyName("jobArn")] public string? JobArn { get; init; }
    [JsonPropertyName("jobId")] public string JobId { get; init; } = "";
    [JsonPropertyName("jobName")] public string JobName { get; init; } = "";
    [JsonPropertyName("createdAt")] public long? CreatedAt { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("statusReason")] public string? StatusReason { get; init; }
    [JsonPropertyName("startedAt")] public long? StartedAt { get; init; }
    [JsonPropertyName("stoppedAt")] public long? StoppedAt { get; init; }
    [JsonPropertyName("jobDefinition")] public string? JobDefinition { get; init; }
}

public sealed record ListJobsResponse
{
    [JsonPropertyName("jobSummaryList")] public IReadOnlyList<BatchJobSummary> JobSummaryList { get; init; } = [];
    [JsonPropertyName("nextToken")] public string? NextToken { get; init; }
}

public sealed record DescribeJobsRequest([property: JsonPropertyName("jobs")] IReadOnlyList<string> Jobs);

public sealed record BatchAttempt
{
    [JsonPropertyName("container")] public BatchContainerSummary? Container { get; init; }
    [JsonPropertyName("startedAt")] public long? StartedAt { get; init; }
    [JsonPropertyName("stoppedAt")] public long? StoppedAt { get; init; }
    [JsonPropertyName("statusReason")] public string? StatusReason { get; init; }
}

public sealed record BatchNodeContainer
{
    /// <summary>The instance type of a multi-node parallel job's nodes (all node groups use the same one).</summary>
    [JsonPropertyName("instanceType")] public string? InstanceType { get; init; }
}

public sealed record BatchNodeRange
{
    [JsonPropertyName("targetNodes")] public string? TargetNodes { get; init; }
    [JsonPropertyName("container")] public BatchNodeContainer? Container { get; init; }
    /// <summary>The node range's instance types (at most one element, per the Batch API reference).</summary>
    [JsonPropertyName("instanceTypes")] public IReadOnlyList<string>? InstanceTypes { get; init; }
}

public sealed record BatchNodeDetails([property: JsonPropertyName("numNodes")] int? NumNodes)
{
    [JsonPropertyName("nodeRangeProperties")] public IReadOnlyList<BatchNodeRange>? NodeRangeProperties { get; init; }
}

public sealed record BatchJobDetail
{
    [JsonPropertyName("jobArn")] public string? JobArn { get; init; }
    [JsonPropertyName("jobId")] public string JobId { get; init; } = "";
    [JsonPropertyName("jobName")] public string JobName { get; init; } = "";
    [JsonPropertyName("jobQueue")] public string? JobQueue { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("statusReason")] public string? StatusReason { get; init; }
    [JsonPropertyName("createdAt")] public long? CreatedAt { get; init; }
    [JsonPropertyName("startedAt")] public long? StartedAt { get; init; }
    [JsonPropertyName("stoppedAt")] public long? StoppedAt { get; init; }
    [JsonPropertyName("jobDefinition")] public string? JobDefinition { get; init; }
    [JsonPropertyName("attempts")] public IReadOnlyList<BatchAttempt>? Attempts { get; init; }
    [JsonPropertyName("container")] public BatchContainerSummary? Container { get; init; }
    [JsonPropertyName("nodeProperties")] public BatchNodeDetails? NodeProperties { get; init; }
    [JsonPropertyName("tags")] public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

public sealed record DescribeJobsResponse
{
    [JsonPropertyName("jobs")] public IReadOnlyList<BatchJobDetail> Jobs { get; init; } = [];
}

public sealed record StopJobRequest([property: JsonPropertyName("jobId")] string JobId, [property: JsonPropertyName("reason")] string Reason);

/// <summary>An error answered by AWS Batch: <c>ClientException</c> (400), <c>ServerException</c> (500), throttling (429).</summary>
public sealed class BatchException(int statusCode, string errorType, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string ErrorType { get; } = errorType;
    public string? RequestId { get; init; }
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Throttled requests were not executed, so even SubmitJob may be sent again.</summary>
    public bool IsThrottling => StatusCode == 429 || ErrorType is "TooManyRequestsException" or "ThrottlingException";
}

/// <summary>
/// A thin typed client for AWS Batch's REST-JSON API: JSON POSTs to <c>/v1/{operation}</c>. The <see cref="HttpClient"/> it
/// is given signs every request with SigV4 (signing name <c>batch</c>) through AWSSDK.Core's signer (<see cref="SigningHandler"/>).
/// No retries here: the caller decides what may be sent again.
/// </summary>
public sealed class BatchClient(HttpClient http)
{
    public const string SigningName = "batch";

    /// <summary>Batch's limit on a SubmitJob request ("job payload size", a service quota): 30 KiB.</summary>
    public const int MaxSubmitPayloadBytes = 30 * 1024;

    public Task<SubmitJobResponse> SubmitJobAsync(SubmitJobRequest r, CancellationToken ct) =>
        PostAsync("v1/submitjob", r, HandlerJsonContext.Default.SubmitJobRequest, HandlerJsonContext.Default.SubmitJobResponse, ct);

    public Task<ListJobsResponse> ListJobsAsync(ListJobsRequest r, CancellationToken ct) =>
        PostAsync("v1/listjobs", r, HandlerJsonContext.Default.ListJobsRequest, HandlerJsonContext.Default.ListJobsResponse, ct);

    public Task<DescribeJobsResponse> DescribeJobsAsync(DescribeJobsRequest r, CancellationToken ct) =>
        PostAsync("v1/describejobs", r, HandlerJsonContext.Default.DescribeJobsRequest, HandlerJsonContext.Default.DescribeJobsResponse, ct);

    public async Task TerminateJobAsync(StopJobRequest r, CancellationToken ct) =>
        await SendAsync("v1/terminatejob", JsonSerializer.SerializeToUtf8Bytes(r, HandlerJsonContext.Default.StopJobRequest), ct);

    /// <summary>The exact bytes SubmitJob would send: callers check them against <see cref="MaxSubmitPayloadBytes"/> first.</summary>
    public static byte[] Serialize(SubmitJobRequest r) => JsonSerializer.SerializeToUtf8Bytes(r, HandlerJsonContext.Default.SubmitJobRequest);

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken ct)
    {
        var body = await SendAsync(path, JsonSerializer.SerializeToUtf8Bytes(request, requestType), ct);
        try
        {
            return JsonSerializer.Deserialize(body.Length == 0 ? "{}"u8 : body, responseType)
                ?? throw new BatchException(502, "InvalidResponse", "AWS Batch answered with an empty document.");
        }
        catch (JsonException e)
        {
            throw new BatchException(502, "InvalidResponse", $"AWS Batch answered with a document this client cannot read: {e.Message}");
        }
    }

    private async Task<byte[]> SendAsync(string path, byte[] json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content = content;
        SigningHandler.SetPayloadHash(request, json);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode) throw Error(response, body);
        return body;
    }

    private static BatchException Error(HttpResponseMessage response, byte[] body)
    {
        var error = AwsErrorDocument.Read(response, body);
        var status = error.Status;
        var errorType = error.ErrorType ?? status switch { 400 => "ClientException", 429 => "TooManyRequestsException", >= 500 => "ServerException", _ => "Http" + status.ToString(CultureInfo.InvariantCulture) };
        return new BatchException(status, errorType, error.Message ?? $"AWS Batch answered {status} {errorType}.")
        {
            RequestId = error.RequestId,
            RetryAfter = response.Headers.RetryAfter?.Delta,
        };
    }
}
