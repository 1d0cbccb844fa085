using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static AwsModelPlatform.Handlers.Access.AccessTable;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>Which limit refused a request.</summary>
public enum LimitKind { RequestsPerMinute, TokensPerMinute, MonthlyTokens, MonthlyUsd }

/// <summary>A limit's state after a decision, for the OpenAI-style <c>x-ratelimit-*</c> headers.</summary>
public sealed record LimitState(LimitKind Kind, decimal Limit, decimal Remaining, DateTimeOffset Reset);

/// <summary>What an admitted request holds until it settles or releases: the windows it counted in and the tokens it reserved.</summary>
public sealed record Reservation(string Team, DateTimeOffset At, long Tokens, bool CountsTokensPerMinute, bool CountsMonth);

/// <summary>The limiter's decision: a reservation, or the limit that refused (and when to come back).</summary>
public sealed record Admission(Reservation? Reservation, LimitKind? Refused, DateTimeOffset? RetryAt, IReadOnlyList<LimitState> States)
{
    public bool Admitted => Reservation is not null;
}

/// <summary>
/// Enforces a team's limits atomically in the access table. Each limit is one counter item per window (UTC minute or month)
/// changed by one conditional <c>UpdateItem</c> (<c>ADD</c> guarded by the limit), which DynamoDB applies one at a time per
/// item: however many requests run at once, a counter never passes its limit
/// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html). The counters
/// of one request are updated in parallel; when one refuses, the others are given back, so for that moment a concurrent
/// request may be refused that would have fitted (a limit is never overshot; it may briefly be undershot).
/// The dollar budget is settled after the call (its cost is known only then): requests are admitted while the month's
/// dollars are below the budget, so it is overshot by at most the cost of the requests in flight when it is reached.
/// Individual <c>UpdateItem</c> calls, not a transaction: transactions on one hot item cancel each other
/// (<c>TransactionConflict</c>), which at 50 concurrent requests refuses most of them.
/// </summary>
public sealed class TeamLimiter(IAmazonDynamoDB dynamo, string tableName, TimeProvider clock)
{
    private const string Count = "c", Tokens = "t", Usd = "usd";

    /// <summary>Counts a request of <paramref name="limits"/>' team that may use up to <paramref name="tokens"/> tokens, if every limit allows it.</summary>
    public async Task<Admission> AdmitAsync(TeamLimits limits, long tokens, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (minuteEnd, monthEnd) = (NextMinute(now), NextMonth(now));
        var steps = new List<Step>();
        if (limits.RequestsPerMinute is { } rpm)
            steps.Add(new Step(LimitKind.RequestsPerMinute, RequestsSort(now), Count, 1, rpm, minuteEnd));
        if (limits.TokensPerMinute is { } tpm)
            steps.Add(new Step(LimitKind.TokensPerMinute, TokensSort(now), Tokens, tokens, tpm, minuteEnd));
        if (limits.MonthlyTokens is { } monthly)
            steps.Add(new Step(LimitKind.MonthlyTokens, MonthSort(now), Tokens, tokens, monthly, monthEnd, limits.MonthlyUsd));
        else if (limits.MonthlyUsd is not null)
            steps.Add(new Step(LimitKind.MonthlyUsd, MonthSort(now), Tokens, tokens, null, monthEnd, limits.MonthlyUsd));

        var results = await Task.WhenAll(steps.Select(s => TryCountAsync(limits.Team, s, cancellationToken)));
        var refused = results.FirstOrDefault(r => r.Refused is not null);
        if (refused is not null)
        {
            await Task.WhenAll(results.Where(r => r.Refused is null).Select(r => AddAsync(limits.Team, r.Step.Sort, r.Step.Attribute, -r.Step.Amount, null, cancellationToken)));
            return new Admission(null, refused.Refused, refused.Step.Reset, results.Select(r => r.State).ToList());
        }
        var reservation = new Reservation(limits.Team, now, tokens,
            steps.Any(s => s.Kind == LimitKind.TokensPerMinute),
            steps.Any(s => s.Kind is LimitKind.MonthlyTokens or LimitKind.MonthlyUsd));
        return new Admission(reservation, null, null, results.Select(r => r.State).ToList());
    }

    /// <summary>
    /// Settles a reservation to what the call used: its windows get the difference between used and reserved tokens, the
    /// month the dollars, and the usage ledger the key's and model's request, tokens and dollars. The month's totals after
    /// it when the team has a monthly budget (the reservation counted in the month), else null.
    /// </summary>
    public async Task<MonthTotals?> SettleAsync(Reservation reservation, string keyId, string model, long promptTokens, long completionTokens, decimal usd,
        CancellationToken cancellationToken, decimal gpuSeconds = 0)
    {
        var delta = promptTokens + completionTokens - reservation.Tokens;
        var updates = new List<Task>();
        if (reservation.CountsTokensPerMinute && delta != 0)
            updates.Add(AddAsync(reservation.Team, TokensSort(reservation.At), Tokens, delta, null, cancellationToken));
        var month = reservation.CountsMonth ? AddAsync(reservation.Team, MonthSort(reservation.At), Tokens, delta, usd, cancellationToken) : null;
        if (month is not null) updates.Add(month);
        updates.Add(dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
            Key = Key(UsageKey(reservation.Team, reservation.At), UsageSort(keyId, model)),
            UpdateExpression = "ADD requests :one, promptTokens :p, completionTokens :c, usd :usd, gpuSeconds :g",
            ExpressionAttributeValues = new()
            {
                [":one"] = N(1L), [":p"] = N(promptTokens), [":c"] = N(completionTokens), [":usd"] = N(usd), [":g"] = N(gpuSeconds),
            },
        }, cancellationToken));
        await Task.WhenAll(updates);
        return month is null ? null : new MonthTotals(Long(month.Result.Attributes, Tokens), Decimal(month.Result.Attributes, Usd));
    }

    /// <summary>Gives a failed call's reserved tokens back (its request still counts against the requests per minute).</summary>
    public Task ReleaseAsync(Reservation reservation, CancellationToken cancellationToken)
    {
        var updates = new List<Task>();
        if (reservation.CountsTokensPerMinute) updates.Add(AddAsync(reservation.Team, TokensSort(reservation.At), Tokens, -reservation.Tokens, null, cancellationToken));
        if (reservation.CountsMonth) updates.Add(AddAsync(reservation.Team, MonthSort(reservation.At), Tokens, -reservation.Tokens, null, cancellationToken));
        return Task.WhenAll(updates);
    }

    /// <summary>What each key of <paramref name="team"/> spent on each model in the month of <paramref name="month"/>.</summary>
    public async Task<IReadOnlyList<UsageRow>> UsageAsync(string team, DateTimeOffset month, CancellationToken cancellationToken)
    {
        var rows = new List<UsageRow>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "pk = :pk",
                ExpressionAttributeValues = new() { [":pk"] = S(UsageKey(team, month)) },
                ExclusiveStartKey = start,
            }, cancellationToken);
            foreach (var item in page.Items ?? [])
            {
                var sk = item[SortKey].S;
                // The model is after the last '#': a Cognito group in the caller part may hold one, a model name cannot.
                var split = sk.LastIndexOf('#');
                rows.Add(new UsageRow(team, Month(month), sk[..split], sk[(split + 1)..],
                    Long(item, "requests"), Long(item, "promptTokens"), Long(item, "completionTokens"), Decimal(item, "usd"), Decimal(item, "gpuSeconds")));
            }
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return rows;
    }

    private sealed record Step(LimitKind Kind, string Sort, string Attribute, long Amount, long? Limit, DateTimeOffset Reset, decimal? UsdBudget = null);

    private sealed record StepResult(Step Step, LimitKind? Refused, LimitState State);

    private async Task<StepResult> TryCountAsync(string team, Step step, CancellationToken cancellationToken)
    {
        // A request bigger than the whole limit can never fit (and an absent counter would let it in once).
        if (step.Amount > step.Limit) return new StepResult(step with { Amount = 0 }, step.Kind, new LimitState(step.Kind, step.Limit.Value, step.Limit.Value, step.Reset));
        var names = new Dictionary<string, string> { ["#a"] = step.Attribute };
        var values = new Dictionary<string, AttributeValue> { [":n"] = N(step.Amount) };
        var update = "ADD #a :n";
        // Minute items expire a few minutes after their minute; month items stay (the usage endpoint and audits read them).
        if (step.Kind is LimitKind.RequestsPerMinute or LimitKind.TokensPerMinute)
        {
            update += " SET #ttl = :ttl";
            names["#ttl"] = Ttl;
            values[":ttl"] = N(step.Reset.AddMinutes(5).ToUnixTimeSeconds());
        }
        var conditions = new List<string>();
        if (step.Limit is { } limit)
        {
            conditions.Add("(attribute_not_exists(#a) OR #a <= :max)");
            values[":max"] = N(limit - step.Amount);
        }
        if (step.UsdBudget is { } budget)
        {
            conditions.Add("(attribute_not_exists(#usd) OR #usd < :budget)");
            names["#usd"] = Usd;
            values[":budget"] = N(budget);
        }
        try
        {
            var response = await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(TeamKey(team), step.Sort),
                UpdateExpression = update,
                ConditionExpression = conditions.Count > 0 ? string.Join(" AND ", conditions) : null,
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
                ReturnValues = ReturnValue.ALL_NEW,
                ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
            }, cancellationToken);
            return new StepResult(step, null, State(step, response.Attributes));
        }
        catch (ConditionalCheckFailedException e)
        {
            var item = e.Item;
            var kind = step.UsdBudget is { } b && Decimal(item, Usd) >= b && (step.Limit is null || Long(item, step.Attribute) + step.Amount <= step.Limit)
                ? LimitKind.MonthlyUsd
                : step.Kind;
            return new StepResult(step, kind, State(step with { Amount = 0 }, item));
        }
    }

    private static LimitState State(Step step, Dictionary<string, AttributeValue>? item)
    {
        if (step.Kind == LimitKind.MonthlyUsd || (step.Limit is null && step.UsdBudget is { }))
            return new LimitState(LimitKind.MonthlyUsd, step.UsdBudget!.Value, Math.Max(0, step.UsdBudget.Value - Decimal(item, Usd)), step.Reset);
        return new LimitState(step.Kind, step.Limit!.Value, Math.Max(0, step.Limit.Value - Long(item, step.Attribute)), step.Reset);
    }

    private Task<UpdateItemResponse> AddAsync(string team, string sort, string attribute, long amount, decimal? usd, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, AttributeValue> { [":n"] = N(amount) };
        var names = new Dictionary<string, string> { ["#a"] = attribute };
        var update = "ADD #a :n";
        if (usd is { } u)
        {
            update += ", #usd :usd";
            names["#usd"] = Usd;
            values[":usd"] = N(u);
        }
        return dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
            Key = Key(TeamKey(team), sort),
            UpdateExpression = update,
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
            ReturnValues = ReturnValue.ALL_NEW,
        }, cancellationToken);
    }
}

/// <summary>A team's month so far: tokens (settled, plus those reserved by requests in flight) and dollars.</summary>
public sealed record MonthTotals(long Tokens, decimal Usd)
{
    /// <summary>The larger of tokens and dollars as a percentage of <paramref name="limits"/>' budgets; null without a budget.</summary>
    public double? PercentOf(TeamLimits limits)
    {
        double? tokens = limits.MonthlyTokens is > 0 and var t ? 100.0 * Tokens / t : null;
        double? usd = limits.MonthlyUsd is > 0 and var u ? (double)(100m * Usd / u) : null;
        return tokens is null && usd is null ? null : Math.Round(Math.Max(tokens ?? 0, usd ?? 0), 3);
    }
}

/// <summary>What one key spent on one model in one month.</summary>
/// <param name="GpuSeconds">Seconds of the model's GPU capacity attributed to the requests by their share of its busy time.</param>
public sealed record UsageRow(string Team, string Month, string KeyId, string Model, long Requests, long PromptTokens, long CompletionTokens, decimal Usd,
    decimal GpuSeconds = 0);
