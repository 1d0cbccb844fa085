using System.Globalization;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// OpenAI's rate-limit headers (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers):
/// <c>x-ratelimit-limit-requests</c> / <c>-tokens</c>, <c>x-ratelimit-remaining-requests</c> / <c>-tokens</c>, and
/// <c>x-ratelimit-reset-requests</c> / <c>-tokens</c>, the time until the window resets as OpenAI writes it (<c>1s</c>,
/// <c>6m0s</c>, <c>12ms</c>). Written for the team's minute limits that exist; month budgets have no OpenAI header.
/// </summary>
public static class RateLimitHeaders
{
    /// <summary>The headers of <paramref name="states"/> at <paramref name="now"/>.</summary>
    public static Dictionary<string, string> Of(IEnumerable<LimitState> states, DateTimeOffset now)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var state in states)
        {
            var suffix = state.Kind switch
            {
                LimitKind.RequestsPerMinute => "requests",
                LimitKind.TokensPerMinute => "tokens",
                _ => null,
            };
            if (suffix is null) continue;
            headers["x-ratelimit-limit-" + suffix] = Number(state.Limit);
            headers["x-ratelimit-remaining-" + suffix] = Number(state.Remaining);
            headers["x-ratelimit-reset-" + suffix] = Duration(state.Reset - now);
        }
        return headers;
    }

    /// <summary>A duration as OpenAI's headers write it: <c>250ms</c> under a second, else <c>17s</c> or <c>1m30s</c> (seconds rounded up).</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span < TimeSpan.FromSeconds(1)) return ((int)Math.Ceiling(span.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
        var seconds = (long)Math.Ceiling(span.TotalSeconds);
        return seconds < 60
            ? seconds.ToString(CultureInfo.InvariantCulture) + "s"
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{seconds % 60}s");
    }

    private static string Number(decimal value) => decimal.Truncate(value).ToString(CultureInfo.InvariantCulture);
}
