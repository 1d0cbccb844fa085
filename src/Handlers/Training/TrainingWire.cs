using System.Text.Json.Serialization;

namespace AwsModelPlatform.Handlers.Training;

public sealed record TrainingJobLinks([property: JsonPropertyName("self")] string Self, [property: JsonPropertyName("cancel")] string Cancel);

/// <summary>201 of a submission (also the replay of an idempotent one).</summary>
public sealed record TrainingJobSubmitted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("definition")] string Definition,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("outputUri")] string OutputUri,
    [property: JsonPropertyName("links")] TrainingJobLinks Links)
{
    [JsonPropertyName("checkpointUri")] public string? CheckpointUri { get; init; }
}

public sealed record TrainingJobSummary(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("links")] TrainingJobLinks Links)
{
    [JsonPropertyName("statusReason")] public string? StatusReason { get; init; }
    [JsonPropertyName("createdAt")] public DateTimeOffset? CreatedAt { get; init; }
    [JsonPropertyName("startedAt")] public DateTimeOffset? StartedAt { get; init; }
    [JsonPropertyName("stoppedAt")] public DateTimeOffset? StoppedAt { get; init; }
}

public sealed record TrainingJobList(
    [property: JsonPropertyName("jobs")] IReadOnlyList<TrainingJobSummary> Jobs)
{
    /// <summary>Pass back as <c>?nextToken=</c> for the next page; absent on the last page.</summary>
    [JsonPropertyName("nextToken")] public string? NextToken { get; init; }
}

public sealed record TrainingJobAttempt
{
    [JsonPropertyName("startedAt")] public DateTimeOffset? StartedAt { get; init; }
    [JsonPropertyName("stoppedAt")] public DateTimeOffset? StoppedAt { get; init; }
    [JsonPropertyName("exitCode")] public int? ExitCode { get; init; }
    [JsonPropertyName("reason")] public string? Reason { get; init; }
    [JsonPropertyName("statusReason")] public string? StatusReason { get; init; }
    [JsonPropertyName("logStreamName")] public string? LogStreamName { get; init; }
}

public sealed record TrainingJobDetails(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("attempts")] IReadOnlyList<TrainingJobAttempt> Attempts,
    [property: JsonPropertyName("links")] TrainingJobLinks Links)
{
    [JsonPropertyName("definition")] public string? Definition { get; init; }
    [JsonPropertyName("statusReason")] public string? StatusReason { get; init; }
    [JsonPropertyName("createdAt")] public DateTimeOffset? CreatedAt { get; init; }
    [JsonPropertyName("startedAt")] public DateTimeOffset? StartedAt { get; init; }
    [JsonPropertyName("stoppedAt")] public DateTimeOffset? StoppedAt { get; init; }
    [JsonPropertyName("nodes")] public int? Nodes { get; init; }
    [JsonPropertyName("logStreamName")] public string? LogStreamName { get; init; }
    [JsonPropertyName("outputUri")] public string? OutputUri { get; init; }
    [JsonPropertyName("checkpointUri")] public string? CheckpointUri { get; init; }
}

/// <summary>202 of <c>DELETE</c>: what was done (<c>cancelled</c> before it started, <c>terminated</c> while it ran).</summary>
public sealed record TrainingJobStopped(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("previousStatus")] string PreviousStatus,
    [property: JsonPropertyName("reason")] string Reason);
