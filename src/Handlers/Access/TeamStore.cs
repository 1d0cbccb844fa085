using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static AwsModelPlatform.Handlers.Access.AccessTable;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>Teams and their limits in the access table.</summary>
public sealed class TeamStore(IAmazonDynamoDB dynamo, string tableName)
{
    private const string Rpm = "requestsPerMinute", Tpm = "tokensPerMinute", MonthTokens = "monthlyTokens", MonthUsd = "monthlyUsd", ModelsAttr = "models";

    /// <summary>Creates or replaces a team's limits.</summary>
    public async Task PutAsync(TeamLimits limits, CancellationToken cancellationToken)
    {
        if (!TeamLimits.IsValidName(limits.Team)) throw new ArgumentException($"'{limits.Team}' is not a team name: letters, digits, '-', '_', '.', at most 64.", nameof(limits));
        var item = Key(TeamKey(limits.Team), LimitsSort);
        if (limits.RequestsPerMinute is { } rpm) item[Rpm] = N(rpm);
        if (limits.TokensPerMinute is { } tpm) item[Tpm] = N(tpm);
        if (limits.MonthlyTokens is { } tokens) item[MonthTokens] = N(tokens);
        if (limits.MonthlyUsd is { } usd) item[MonthUsd] = N(usd);
        // A string set cannot be empty: an empty list (no model allowed) is stored as a list.
        if (limits.Models is { } models) item[ModelsAttr] = new AttributeValue { L = models.Select(S).ToList() };
        await dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, cancellationToken);
    }

    /// <summary>A team's limits, or null when the team does not exist.</summary>
    public async Task<TeamLimits?> GetAsync(string team, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(TeamKey(team), LimitsSort), ConsistentRead = true }, cancellationToken);
        if (response.Item is not { Count: > 0 } item) return null;
        return new TeamLimits(team,
            OptionalLong(item, Rpm),
            OptionalLong(item, Tpm),
            OptionalLong(item, MonthTokens),
            item.ContainsKey(MonthUsd) ? Decimal(item, MonthUsd) : null,
            item.TryGetValue(ModelsAttr, out var models) ? (models.L ?? []).Select(m => m.S).ToList() : null);
    }
}
