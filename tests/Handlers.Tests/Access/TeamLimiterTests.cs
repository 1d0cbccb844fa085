using AwsModelPlatform.Handlers.Access;
using Microsoft.Extensions.Time.Testing;

namespace AwsModelPlatform.Handlers.Tests.Access;

/// <summary>Team limits against moto's DynamoDB: atomic under 50 parallel requests, windows that reset, settle and release.</summary>
public sealed class TeamLimiterTests(AccessMoto moto) : IClassFixture<AccessMoto>
{
    private async Task<(TeamLimiter Limiter, FakeTimeProvider Clock)> NewLimiterAsync()
    {
        var clock = AccessMoto.Clock();
        return (new TeamLimiter(moto.Dynamo, await moto.NewTableAsync(), clock), clock);
    }

    private static Task<Admission[]> FiftyAtOnce(TeamLimiter limiter, TeamLimits limits, long tokens) =>
        Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => limiter.AdmitAsync(limits, tokens, default))));

    [Fact]
    public async Task Fifty_parallel_requests_against_20_requests_a_minute_admit_at_most_20()
    {
        var (limiter, clock) = await NewLimiterAsync();
        var limits = new TeamLimits("research", RequestsPerMinute: 20);
        var admissions = await FiftyAtOnce(limiter, limits, 0);
        // One counter binds, so no request is given back: exactly the limit is admitted, and the window is full.
        Assert.Equal(20, admissions.Count(a => a.Admitted));
        Assert.False((await limiter.AdmitAsync(limits, 0, default)).Admitted);
        var refused = admissions.First(a => !a.Admitted);
        Assert.Equal(LimitKind.RequestsPerMinute, refused.Refused);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 16, 0, TimeSpan.Zero), refused.RetryAt);
        // The next minute is a new window.
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await limiter.AdmitAsync(limits, 0, default)).Admitted);
    }

    [Fact]
    public async Task Fifty_parallel_reservations_never_pass_the_tokens_per_minute()
    {
        var (limiter, _) = await NewLimiterAsync();
        var limits = new TeamLimits("research", RequestsPerMinute: 1000, TokensPerMinute: 1000);
        var admissions = await FiftyAtOnce(limiter, limits, 100);
        var admitted = admissions.Where(a => a.Admitted).ToList();
        Assert.Equal(10, admitted.Count);
        Assert.All(admissions.Where(a => !a.Admitted), a => Assert.Equal(LimitKind.TokensPerMinute, a.Refused));
        // A refused request left no tokens behind, and the requests it took were given back: 40 refused, 10 counted.
        Assert.False((await limiter.AdmitAsync(limits, 1, default)).Admitted);
        Assert.Equal(1000 - 10 - 1, (await limiter.AdmitAsync(limits with { TokensPerMinute = null }, 0, default)).States.Single().Remaining);
    }

    [Fact]
    public async Task Settling_gives_back_what_a_call_reserved_but_did_not_use_and_releasing_gives_back_all()
    {
        var (limiter, _) = await NewLimiterAsync();
        var limits = new TeamLimits("research", TokensPerMinute: 1000);
        var first = await limiter.AdmitAsync(limits, 600, default);
        Assert.Equal(400, first.States.Single(s => s.Kind == LimitKind.TokensPerMinute).Remaining);
        Assert.False((await limiter.AdmitAsync(limits, 600, default)).Admitted);
        await limiter.SettleAsync(first.Reservation!, "key1", "llm", 150, 50, 0.01m, default);
        var second = await limiter.AdmitAsync(limits, 600, default);
        Assert.True(second.Admitted);
        Assert.Equal(200, second.States.Single().Remaining);
        await limiter.ReleaseAsync(second.Reservation!, default);
        Assert.True((await limiter.AdmitAsync(limits, 800, default)).Admitted);
    }

    [Fact]
    public async Task A_request_bigger_than_the_whole_limit_is_refused()
    {
        var (limiter, _) = await NewLimiterAsync();
        var admission = await limiter.AdmitAsync(new TeamLimits("research", TokensPerMinute: 1000), 1001, default);
        Assert.Equal(LimitKind.TokensPerMinute, admission.Refused);
    }

    [Fact]
    public async Task The_monthly_token_budget_holds_across_minutes_and_resets_with_the_month()
    {
        var (limiter, clock) = await NewLimiterAsync();
        var limits = new TeamLimits("research", MonthlyTokens: 1000);
        var a = await limiter.AdmitAsync(limits, 700, default);
        await limiter.SettleAsync(a.Reservation!, "key1", "llm", 500, 200, 0m, default);
        clock.Advance(TimeSpan.FromDays(1));
        var refused = await limiter.AdmitAsync(limits, 400, default);
        Assert.Equal(LimitKind.MonthlyTokens, refused.Refused);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), refused.RetryAt);
        clock.Advance(TimeSpan.FromDays(30));
        Assert.True((await limiter.AdmitAsync(limits, 400, default)).Admitted);
    }

    [Fact]
    public async Task A_spent_dollar_budget_refuses_with_its_own_kind()
    {
        var (limiter, _) = await NewLimiterAsync();
        var limits = new TeamLimits("research", MonthlyUsd: 5m);
        var a = await limiter.AdmitAsync(limits, 100, default);
        Assert.True(a.Admitted);
        await limiter.SettleAsync(a.Reservation!, "key1", "llm", 60, 40, 5.25m, default);
        var refused = await limiter.AdmitAsync(limits, 100, default);
        Assert.Equal(LimitKind.MonthlyUsd, refused.Refused);
        Assert.Equal(0m, refused.States.Single().Remaining);
    }

    [Fact]
    public async Task Usage_is_kept_per_key_and_model_for_the_month_with_dollars_and_GPU_seconds()
    {
        var (limiter, clock) = await NewLimiterAsync();
        var limits = new TeamLimits("research");
        foreach (var (key, model, p, c, usd, gpu) in new[] { ("k1", "llm", 10L, 5L, 0.5m, 1.5m), ("k1", "llm", 20L, 5L, 0.25m, 0.75m), ("k2", "embed", 7L, 0L, 0.01m, 0.2m) })
        {
            var admission = await limiter.AdmitAsync(limits, 0, default);
            await limiter.SettleAsync(admission.Reservation!, key, model, p, c, usd, default, gpu);
        }
        var rows = (await limiter.UsageAsync("research", clock.GetUtcNow(), default)).OrderBy(r => r.KeyId).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(new UsageRow("research", "2026-12", "k1", "llm", 2, 30, 10, 0.75m, 2.25m), rows[0]);
        Assert.Equal(new UsageRow("research", "2026-12", "k2", "embed", 1, 7, 0, 0.01m, 0.2m), rows[1]);
        Assert.Empty(await limiter.UsageAsync("product", clock.GetUtcNow(), default));
    }

    [Fact]
    public async Task A_team_may_call_only_its_models()
    {
        var limits = new TeamLimits("research", Models: ["llm"]);
        Assert.True(limits.Allows("llm"));
        Assert.False(limits.Allows("LLM"));
        Assert.False(limits.Allows("embed"));
        Assert.True(new TeamLimits("research").Allows("anything"));
        var table = await moto.NewTableAsync();
        var teams = new TeamStore(moto.Dynamo, table);
        await teams.PutAsync(new TeamLimits("research", 60, 10_000, 1_000_000, 250.5m, ["llm"]), default);
        await teams.PutAsync(new TeamLimits("closed", Models: []), default);
        Assert.Equal(new TeamLimits("research", 60, 10_000, 1_000_000, 250.5m, ["llm"]) with { Models = null }, (await teams.GetAsync("research", default))! with { Models = null });
        Assert.Equal(["llm"], (await teams.GetAsync("research", default))!.Models);
        Assert.Empty((await teams.GetAsync("closed", default))!.Models!);
        Assert.Null(await teams.GetAsync("nobody", default));
    }
}
