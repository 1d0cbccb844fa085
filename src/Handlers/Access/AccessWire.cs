using System.Text.Json.Serialization;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>POST /v1/admin/keys: a new key for <see cref="Team"/>.</summary>
public sealed record CreateKeyRequest(
    [property: JsonPropertyName("team")] string? Team,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset? ExpiresAt);

/// <summary>POST /v1/admin/keys/{id}/rotate: how long the old key keeps working beside the new one.</summary>
public sealed record RotateKeyRequest([property: JsonPropertyName("overlapSeconds")] long? OverlapSeconds);

/// <summary>A key as listed: never the key itself.</summary>
public sealed record KeyInfo(
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("team")] string Team,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset? ExpiresAt,
    [property: JsonPropertyName("revokedAt")] DateTimeOffset? RevokedAt)
{
    public static KeyInfo From(KeyRecord r, DateTimeOffset now) =>
        new(r.KeyId, r.Team, r.Name, r.StateAt(now).ToString().ToLowerInvariant(), r.CreatedAt, r.ExpiresAt, r.RevokedAt);
}

/// <summary>A created or rotated key: the only answer that carries the key.</summary>
public sealed record CreatedKey(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("info")] KeyInfo Info);

public sealed record KeyList([property: JsonPropertyName("data")] IReadOnlyList<KeyInfo> Data);

/// <summary>A team's limits on the wire (null: no limit; <c>models</c> null: every model).</summary>
public sealed record TeamBody(
    [property: JsonPropertyName("requestsPerMinute")] long? RequestsPerMinute,
    [property: JsonPropertyName("tokensPerMinute")] long? TokensPerMinute,
    [property: JsonPropertyName("monthlyTokens")] long? MonthlyTokens,
    [property: JsonPropertyName("monthlyUsd")] decimal? MonthlyUsd,
    [property: JsonPropertyName("models")] IReadOnlyList<string>? Models)
{
    [JsonPropertyName("team")]
    public string? Team { get; init; }

    public static TeamBody From(TeamLimits l) =>
        new(l.RequestsPerMinute, l.TokensPerMinute, l.MonthlyTokens, l.MonthlyUsd, l.Models) { Team = l.Team };
}

/// <summary>What each key of a team spent on each model in one month.</summary>
public sealed record UsageList(
    [property: JsonPropertyName("team")] string Team,
    [property: JsonPropertyName("month")] string Month,
    [property: JsonPropertyName("data")] IReadOnlyList<UsageItem> Data);

public sealed record UsageItem(
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("promptTokens")] long PromptTokens,
    [property: JsonPropertyName("completionTokens")] long CompletionTokens,
    [property: JsonPropertyName("usd")] decimal Usd,
    [property: JsonPropertyName("gpuSeconds")] decimal GpuSeconds);
