using System.Text.Json.Nodes;
using AwsModelPlatform.Handlers.Access;
using Microsoft.Extensions.Time.Testing;

namespace AwsModelPlatform.Handlers.Tests.Access;

/// <summary>Which team a request counts in (the request context's caller), its share of the model's busy time, and OpenAI's header formats.</summary>
public sealed class TeamCallerTests
{
    private static readonly List<CallerTeam> Map =
    [
        new() { Caller = "arn:aws:iam::123456789012:role/ml/analyst", Team = "analytics" },
        new() { Caller = "arn:aws:iam::123456789012:user/ops", Team = "ops" },
        new() { Caller = "cognito-group:researchers", Team = "research" },
        new() { Caller = "cognito-group:staff", Team = "staff" },
    ];

    [Theory]
    [InlineData("""{"authorizer":{"principalId":"research/abcdefghijk2","team":"research","keyId":"abcdefghijk2"}}""", "research", "abcdefghijk2")]
    [InlineData("""{"identity":{"userArn":"arn:aws:iam::123456789012:user/ops"}}""", "ops", "arn:aws:iam::123456789012:user/ops")]
    [InlineData("""{"identity":{"userArn":"arn:aws:sts::123456789012:assumed-role/analyst/alice"}}""", "analytics", "arn:aws:iam::123456789012:role/ml/analyst")]
    [InlineData("""{"authorizer":{"claims":{"cognito:groups":"staff,researchers"}}}""", "research", "cognito-group:researchers")]
    [InlineData("""{"authorizer":{"claims":{"cognito:groups":["staff"]}}}""", "staff", "cognito-group:staff")]
    // The key's team wins over an identity: an API in key mode names the caller by its key.
    [InlineData("""{"authorizer":{"team":"research","keyId":"abcdefghijk2"},"identity":{"userArn":"arn:aws:iam::123456789012:user/ops"}}""", "research", "abcdefghijk2")]
    public void A_caller_counts_in_its_keys_principals_or_groups_team(string context, string team, string ledgerId) =>
        Assert.Equal(new TeamCaller(team, ledgerId), TeamCaller.From(context, Map));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"authorizer\":\"research\"}")]
    [InlineData("{\"authorizer\":{\"team\":\"../etc\"}}")]
    [InlineData("{\"authorizer\":{\"team\":42}}")]
    [InlineData("{\"identity\":{\"userArn\":\"arn:aws:sts::999999999999:assumed-role/analyst/alice\"}}")]
    [InlineData("{\"identity\":{\"userArn\":\"arn:aws:sts::123456789012:assumed-role/analyst-2/alice\"}}")]
    [InlineData("{\"identity\":{\"userArn\":\"arn:aws:iam::123456789012:user/ml/analyst\"}}")]
    [InlineData("{\"authorizer\":{\"claims\":{\"cognito:groups\":\"researchersX\"}}}")]
    [InlineData("{\"authorizer\":{\"team\":\"research\"")]
    [InlineData("{\"authorizer\":{\"team\":\"\\ud800\"}}")]
    public void A_context_that_names_no_mapped_caller_has_no_team(string? context) => Assert.Null(TeamCaller.From(context, Map));

    [Fact]
    public void An_oversized_context_has_no_team()
    {
        var context = new JsonObject { ["authorizer"] = new JsonObject { ["team"] = "research", ["pad"] = new string('x', 20_000) } }.ToJsonString();
        Assert.Null(TeamCaller.From(context, Map));
    }

    [Fact]
    public void A_key_context_with_a_malformed_key_id_keeps_its_team_under_a_generic_ledger_name()
    {
        var caller = TeamCaller.From("""{"authorizer":{"team":"research","keyId":"../../x#y"}}""", Map);
        Assert.Equal(new TeamCaller("research", "key"), caller);
    }

    [Fact]
    public void Requests_in_flight_together_share_the_models_busy_time()
    {
        var clock = new FakeTimeProvider();
        var busy = new BusyTime(clock);
        var a = busy.Start("llm");
        clock.Advance(TimeSpan.FromSeconds(2));         // a alone: 2 s
        var b = busy.Start("llm");
        clock.Advance(TimeSpan.FromSeconds(4));         // a and b: 2 s each
        var other = busy.Start("other");
        Assert.Equal(4, busy.End(a).TotalSeconds, 6);
        clock.Advance(TimeSpan.FromSeconds(1));         // b alone: 1 s
        Assert.Equal(3, busy.End(b).TotalSeconds, 6);
        Assert.Equal(1, busy.End(other).TotalSeconds, 6); // another model's clock is its own
        // Idle time is nobody's.
        clock.Advance(TimeSpan.FromSeconds(10));
        var c = busy.Start("llm");
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, busy.End(c).TotalSeconds, 6);
    }

    [Theory]
    [InlineData(0.012, "12ms")]
    [InlineData(0.9994, "1000ms")]
    [InlineData(1, "1s")]
    [InlineData(17.2, "18s")]
    [InlineData(60, "1m0s")]
    [InlineData(360, "6m0s")]
    [InlineData(-3, "0ms")]
    public void Reset_durations_are_written_as_openai_writes_them(double seconds, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Budget_use_is_the_larger_of_tokens_and_dollars()
    {
        var totals = new MonthTotals(500, 30m);
        Assert.Equal(60, totals.PercentOf(new TeamLimits("t", MonthlyTokens: 1000, MonthlyUsd: 50m)));
        Assert.Equal(50, totals.PercentOf(new TeamLimits("t", MonthlyTokens: 1000)));
        Assert.Null(totals.PercentOf(new TeamLimits("t", RequestsPerMinute: 5)));
    }
}
