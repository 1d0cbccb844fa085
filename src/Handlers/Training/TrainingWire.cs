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

    /// <summary>The job's estimated hourly cost.</summary>
    [JsonPropertyName("cost")] public TrainingJobCost? Cost { get; init; }
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

    /// <summary>The job's cost (as <see cref="TrainingJobDetails.Cost"/>); absent for a job Batch no longer describes.</summary>
    [JsonPropertyName("cost")] public TrainingJobCost? Cost { get; init; }
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

    /// <summary>The job's cost: estimated before it starts, so far while it runs, final once it stopped.</summary>
    [JsonPropertyName("cost")] public TrainingJobCost? Cost { get; init; }
}

/// <summary>202 of <c>DELETE</c>: what was done (<c>cancelled</c> before it started, <c>terminated</c> while it ran).</summary>
public sealed record TrainingJobStopped(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("previousStatus")] string PreviousStatus,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>
/// What a job costs (<see cref="JobCostEstimator"/>): <c>status</c> <c>estimate</c> (not started: the hourly figures only),
/// <c>running</c> (cost so far), <c>final</c> (started → stopped) or <c>unknown</c> (the price table cannot price it:
/// <c>note</c> says why). Figures in US dollars.
/// </summary>
public sealed record TrainingJobCost(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("basis")] TrainingJobCostBasis Basis)
{
    public const string Estimate = "estimate";
    public const string Running = "running";
    public const string Final = "final";
    public const string Unknown = "unknown";

    /// <summary>The job's price per hour: instance price × nodes (at the Spot assumption on a Spot queue).</summary>
    [JsonPropertyName("hourlyUsd")] public double? HourlyUsd { get; init; }

    /// <summary>
    /// The most an hour can cost (on-demand, the most expensive type the queue may choose); absent when it is <see cref="HourlyUsd"/>.
    /// </summary>
    [JsonPropertyName("hourlyCeilingUsd")] public double? HourlyCeilingUsd { get; init; }

    /// <summary>Seconds from the job's start to its stop (or now, while it runs).</summary>
    [JsonPropertyName("seconds")] public double? Seconds { get; init; }

    /// <summary>The cost so far (running) or final cost (finished): <see cref="HourlyUsd"/> × hours.</summary>
    [JsonPropertyName("costUsd")] public double? CostUsd { get; init; }

    /// <summary><see cref="HourlyCeilingUsd"/> × hours; absent when it is <see cref="CostUsd"/>.</summary>
    [JsonPropertyName("costCeilingUsd")] public double? CostCeilingUsd { get; init; }

    /// <summary>How the figures are bounded, or why the cost is unknown.</summary>
    [JsonPropertyName("note")] public string? Note { get; init; }
}

/// <summary>What a <see cref="TrainingJobCost"/> is priced on: region, price table version, purchase option, instance types and nodes.</summary>
public sealed record TrainingJobCostBasis(
    [property: JsonPropertyName("region")] string Region,
    [property: JsonPropertyName("priceTable")] string PriceTable,
    [property: JsonPropertyName("purchaseOption")] string PurchaseOption,
    [property: JsonPropertyName("nodes")] int Nodes,
    [property: JsonPropertyName("instanceTypes")] IReadOnlyList<string> InstanceTypes)
{
    /// <summary>The job's instance type, when Batch reports it (multi-node jobs) or the queue has only one.</summary>
    [JsonPropertyName("instanceType")] public string? InstanceType { get; init; }

    /// <summary>The price table's Spot discount: Spot = on-demand × (1 − this). Spot only.</summary>
    [JsonPropertyName("spotDiscount")] public double? SpotDiscount { get; init; }

    /// <summary>Where the Spot discount comes from, with its date. Spot only.</summary>
    [JsonPropertyName("spotAssumption")] public string? SpotAssumption { get; init; }
}
