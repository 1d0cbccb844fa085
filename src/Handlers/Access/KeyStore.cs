using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static AwsModelPlatform.Handlers.Access.AccessTable;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>An API key's record: never the key, only its MAC.</summary>
public sealed record KeyRecord(string KeyId, string Team, string Name, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    /// <summary>Whether the key may be used at <paramref name="now"/>.</summary>
    public KeyState StateAt(DateTimeOffset now) =>
        RevokedAt is { } r && r <= now ? KeyState.Revoked
        : ExpiresAt is { } e && e <= now ? KeyState.Expired
        : KeyState.Active;
}

/// <summary>Whether a key may be used.</summary>
public enum KeyState { Active, Expired, Revoked }

/// <summary>The outcome of checking a presented key: its record when it is valid, else why not (one text for every
/// failure a caller could learn from, so a probe learns nothing about which keys exist).</summary>
public sealed record Authentication(KeyRecord? Record)
{
    public bool Succeeded => Record is not null;
}

/// <summary>
/// API keys and team limits in the access table (<see cref="AccessTable"/>): create (the key is returned once and then
/// exists only as a MAC), authenticate, list, rotate with an overlap, revoke.
/// </summary>
public sealed class KeyStore(IAmazonDynamoDB dynamo, string tableName, KeyMac mac, TimeProvider clock)
{
    private const string TeamAttr = "team", NameAttr = "name", MacAttr = "mac", CreatedAttr = "createdAt", ExpiresAttr = "keyExpiresAt", RevokedAttr = "revokedAt";

    /// <summary>A new key for <paramref name="team"/>: the key (show it once) and its record.</summary>
    public async Task<(ApiKey Key, KeyRecord Record)> CreateAsync(string team, string name, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        if (!TeamLimits.IsValidName(team)) throw new ArgumentException($"'{team}' is not a team name: letters, digits, '-', '_', '.', at most 64.", nameof(team));
        var key = ApiKey.New();
        var now = clock.GetUtcNow();
        var item = Key(ApiKeyKey(key.KeyId), KeySort);
        item[TeamAttr] = S(team);
        item[NameAttr] = S(name);
        item[MacAttr] = new AttributeValue { B = new MemoryStream(await mac.ComputeAsync(key, cancellationToken)) };
        item[CreatedAttr] = N(now.ToUnixTimeSeconds());
        if (expiresAt is { } e) item[ExpiresAttr] = N(e.ToUnixTimeSeconds());
        await dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = item,
            ConditionExpression = "attribute_not_exists(pk)",
        }, cancellationToken);
        return (key, new KeyRecord(key.KeyId, team, name, FromSeconds(now.ToUnixTimeSeconds())!.Value, expiresAt is { } x ? FromSeconds(x.ToUnixTimeSeconds()) : null, null));
    }

    /// <summary>The record of a presented key when the key is known, matches its MAC, and is neither expired nor revoked.</summary>
    public async Task<Authentication> AuthenticateAsync(ApiKey key, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(ApiKeyKey(key.KeyId), KeySort), ConsistentRead = true }, cancellationToken);
        if (response.Item is not { Count: > 0 } item || !item.TryGetValue(MacAttr, out var stored)) return new Authentication(null);
        if (!await mac.MatchesAsync(key, stored.B.ToArray(), cancellationToken)) return new Authentication(null);
        var record = Read(item);
        return new Authentication(record.StateAt(clock.GetUtcNow()) == KeyState.Active ? record : null);
    }

    /// <summary>The record of <paramref name="keyId"/>, or null.</summary>
    public async Task<KeyRecord?> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(ApiKeyKey(keyId), KeySort), ConsistentRead = true }, cancellationToken);
        return response.Item is { Count: > 0 } item ? Read(item) : null;
    }

    /// <summary>Every key's record, or those of one team, ordered by creation.</summary>
    public async Task<IReadOnlyList<KeyRecord>> ListAsync(string? team, CancellationToken cancellationToken)
    {
        var records = new List<KeyRecord>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new ScanRequest
            {
                TableName = tableName,
                FilterExpression = team is null ? "sk = :key" : "sk = :key AND #team = :team",
                ExpressionAttributeValues = new() { [":key"] = S(KeySort) },
                ExclusiveStartKey = start,
            };
            if (team is not null)
            {
                request.ExpressionAttributeNames = new() { ["#team"] = TeamAttr };
                request.ExpressionAttributeValues[":team"] = S(team);
            }
            var page = await dynamo.ScanAsync(request, cancellationToken);
            records.AddRange((page.Items ?? []).Select(Read));
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return records.OrderBy(r => r.CreatedAt).ThenBy(r => r.KeyId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A new key for the same team and name; the old key keeps working for <paramref name="overlap"/> (clients switch over),
    /// then expires. Null when <paramref name="keyId"/> is unknown or no longer usable.
    /// </summary>
    public async Task<(ApiKey Key, KeyRecord Record)?> RotateAsync(string keyId, TimeSpan overlap, CancellationToken cancellationToken)
    {
        if (await GetAsync(keyId, cancellationToken) is not { } old || old.StateAt(clock.GetUtcNow()) != KeyState.Active) return null;
        var created = await CreateAsync(old.Team, old.Name, old.ExpiresAt, cancellationToken);
        var until = clock.GetUtcNow() + overlap;
        if (old.ExpiresAt is not { } e || until < e)
            await UpdateAsync(keyId, "SET #at = :at", ExpiresAttr, until, cancellationToken);
        return created;
    }

    /// <summary>Revokes a key at once (requests already admitted finish); false when it is unknown.</summary>
    public async Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        try
        {
            await UpdateAsync(keyId, "SET #at = if_not_exists(#at, :at)", RevokedAttr, clock.GetUtcNow(), cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private Task UpdateAsync(string keyId, string expression, string attribute, DateTimeOffset at, CancellationToken cancellationToken) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
            Key = Key(ApiKeyKey(keyId), KeySort),
            UpdateExpression = expression,
            ConditionExpression = "attribute_exists(pk)",
            ExpressionAttributeNames = new() { ["#at"] = attribute },
            ExpressionAttributeValues = new() { [":at"] = N(at.ToUnixTimeSeconds()) },
        }, cancellationToken);

    private static KeyRecord Read(Dictionary<string, AttributeValue> item) => new(
        item[PartitionKey].S[AccessLayout.KeyPrefix.Length..],
        item[TeamAttr].S,
        OptionalString(item, NameAttr) ?? "",
        FromSeconds(OptionalLong(item, CreatedAttr))!.Value,
        FromSeconds(OptionalLong(item, ExpiresAttr)),
        FromSeconds(OptionalLong(item, RevokedAttr)));

    private static DateTimeOffset? FromSeconds(long? seconds) => seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
}
