using System.Globalization;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// Team access on the model routes, on when <c>Access:TableName</c> is set on the inference process: the caller's team
/// (<see cref="TeamCaller"/>), the models it may call, its limits per minute and month (<see cref="TeamLimiter"/>), and the
/// usage each answered request settles into the ledger. Off: every request is let through and nothing is counted.
/// </summary>
internal sealed partial class ModelAccess(IOptions<AccessSettings> options, IServiceProvider services, TimeProvider clock, BusyTime busy, ILogger<ModelAccess> logger)
{
    private readonly AccessSettings _settings = options.Value;

    /// <summary>Whether the API has team access (<c>Access:TableName</c> is set).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(_settings.TableName);

    /// <summary>The caller's team; 403 <c>no-team</c> when it has none.</summary>
    public TeamCaller CallerOf(HttpContext http)
    {
        var caller = TeamCaller.From(http.Request.Headers["x-amzn-request-context"].ToString(), _settings.CallerTeams)
            ?? throw Problems.NoTeam("This API counts requests per team and the caller is in none: an API key carries its team; an IAM " +
                "principal or a Cognito group needs an entry in Access__CallerTeams (docs/access.md, \"Teams of callers\").");
        http.Ctx().Team = caller.Team;
        return caller;
    }

    /// <summary>
    /// Admits a request of <paramref name="model"/> that may use up to <paramref name="reserveTokens"/> tokens: 403 when the
    /// caller has no team or its team may not call the model, 429 over a limit (with <c>Retry-After</c> and the
    /// <c>x-ratelimit-*</c> headers, which an admitted request gets too). The grant settles or releases when disposed.
    /// </summary>
    public async Task<ModelGrant> AdmitAsync(HttpContext http, string model, long reserveTokens, double? hourlyUsd)
    {
        if (!Enabled) return ModelGrant.None;
        var caller = CallerOf(http);
        var limits = await Teams.GetAsync(caller.Team, http.RequestAborted) ?? new TeamLimits(caller.Team);
        if (!limits.Allows(model))
            throw Problems.ModelNotAllowed($"Team '{caller.Team}' may call {(limits.Models is [] ? "no model" : string.Join(", ", limits.Models!))}, not '{model}'. " +
                $"An admin sets the team's models (PUT /v1/admin/teams/{caller.Team}).");
        var admission = await Limiter.AdmitAsync(limits, reserveTokens, http.RequestAborted);
        var now = clock.GetUtcNow();
        var headers = RateLimitHeaders.Of(admission.States, now);
        if (admission.Reservation is not { } reservation) throw Refusal(caller.Team, limits, admission, reserveTokens, now, headers);
        if (!http.Response.HasStarted)
            foreach (var (name, value) in headers) http.Response.Headers[name] = value;
        return new ModelGrant(this, http, caller, limits, reservation, model, hourlyUsd, busy.Start(model));
    }

    /// <summary>The caller's team's usage in the month of <paramref name="month"/> (the route exists only with team access).</summary>
    public async Task<(TeamCaller Caller, IReadOnlyList<UsageRow> Rows)> UsageAsync(HttpContext http, DateTimeOffset month)
    {
        var caller = CallerOf(http);
        return (caller, await Limiter.UsageAsync(caller.Team, month, http.RequestAborted));
    }

    private TeamStore Teams => services.GetRequiredService<TeamStore>();
    private TeamLimiter Limiter => services.GetRequiredService<TeamLimiter>();

    private static ApiProblemException Refusal(string team, TeamLimits limits, Admission admission, long reserveTokens, DateTimeOffset now,
        Dictionary<string, string> headers)
    {
        var retryAfter = admission.RetryAt is { } at && at > now ? at - now : TimeSpan.FromSeconds(1);
        var reset = (admission.RetryAt ?? now).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        switch (admission.Refused)
        {
            case LimitKind.MonthlyTokens or LimitKind.MonthlyUsd:
                // Nothing changes before the month ends: the OpenAI clients read x-should-retry and give up at once.
                headers["x-should-retry"] = "false";
                var budget = admission.Refused == LimitKind.MonthlyUsd
                    ? $"dollars ({limits.MonthlyUsd!.Value.ToString(CultureInfo.InvariantCulture)} USD)"
                    : $"tokens ({N(limits.MonthlyTokens!.Value)})";
                var tooBig = admission.Refused == LimitKind.MonthlyTokens && reserveTokens > limits.MonthlyTokens;
                return Problems.BudgetExhausted(tooBig
                    ? $"This request reserves {N(reserveTokens)} tokens, more than team '{team}''s whole monthly budget of {budget}."
                    : $"Team '{team}' has spent its monthly budget of {budget}; it resets at {reset} UTC.", retryAfter, headers);
            default:
                var (what, limit) = admission.Refused == LimitKind.TokensPerMinute
                    ? ("tokens per minute", limits.TokensPerMinute!.Value)
                    : ("requests per minute", limits.RequestsPerMinute!.Value);
                if (admission.Refused == LimitKind.TokensPerMinute && reserveTokens > limit)
                {
                    headers["x-should-retry"] = "false";
                    return Problems.RateLimited($"This request reserves {N(reserveTokens)} tokens (its max_tokens and its prompt's estimate), more " +
                        $"than team '{team}''s whole {what} ({N(limit)}): lower max_tokens.", retryAfter, headers);
                }
                return Problems.RateLimited($"Team '{team}' is at its {N(limit)} {what}; the window resets at {reset} UTC.", retryAfter, headers);
        }
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    internal async Task SettleAsync(ModelGrant grant, TokenUsage? usage, TimeSpan busyShare)
    {
        var usd = grant.HourlyUsd is { } hourly ? Math.Round((decimal)(busyShare.TotalSeconds * hourly / 3600), 8) : 0m;
        try
        {
            var month = await Limiter.SettleAsync(grant.Reservation, grant.Caller.LedgerId, grant.Model, usage?.PromptTokens ?? 0, usage?.CompletionTokens ?? 0, usd,
                CancellationToken.None, gpuSeconds: Math.Round((decimal)busyShare.TotalSeconds, 6));
            if (month?.PercentOf(grant.Limits) is { } percent) grant.Http.Ctx().BudgetUsedPercent = percent;
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            // The answer is already with the client: the usage is lost, not the request.
            LogSettleFailed(logger, grant.Http.Ctx().RequestId, grant.Caller.Team, e);
        }
    }

    internal async Task ReleaseAsync(ModelGrant grant)
    {
        try
        {
            await Limiter.ReleaseAsync(grant.Reservation, CancellationToken.None);
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            LogSettleFailed(logger, grant.Http.Ctx().RequestId, grant.Caller.Team, e);
        }
    }

    internal TimeSpan EndBusy(BusyTime.Ticket ticket) => busy.End(ticket);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "request {RequestId}: settling team {Team}'s usage failed")]
    private static partial void LogSettleFailed(ILogger logger, string requestId, string team, Exception e);
}

/// <summary>
/// An admitted model request: disposed after the answer, it settles the reservation to the usage given to
/// <see cref="Complete"/> (and the dollars of its share of the model's busy time), or, when the call failed, releases it.
/// </summary>
public sealed class ModelGrant : IAsyncDisposable
{
    /// <summary>The grant of an API without team access: nothing to settle.</summary>
    public static readonly ModelGrant None = new();

    private readonly ModelAccess? _access;
    private readonly BusyTime.Ticket? _ticket;
    private bool _completed, _disposed;
    private TokenUsage? _usage;

    private ModelGrant() { }

    internal ModelGrant(ModelAccess access, HttpContext http, TeamCaller caller, TeamLimits limits, Reservation reservation, string model, double? hourlyUsd,
        BusyTime.Ticket ticket)
    {
        (_access, Http, Caller, Limits, Reservation, Model, HourlyUsd, _ticket) = (access, http, caller, limits, reservation, model, hourlyUsd, ticket);
    }

    internal HttpContext Http { get; } = null!;
    internal TeamCaller Caller { get; } = null!;
    internal TeamLimits Limits { get; } = null!;
    internal Reservation Reservation { get; } = null!;
    internal string Model { get; } = "";
    internal double? HourlyUsd { get; }

    /// <summary>The call answered: settle to <paramref name="usage"/> (null: the model reported none; the request counts, no tokens).</summary>
    public void Complete(TokenUsage? usage)
    {
        _completed = true;
        _usage = usage;
    }

    public async ValueTask DisposeAsync()
    {
        if (_access is null || _disposed) return;
        _disposed = true;
        var share = _access.EndBusy(_ticket!);
        if (_completed) await _access.SettleAsync(this, _usage, share);
        else await _access.ReleaseAsync(this);
    }
}
