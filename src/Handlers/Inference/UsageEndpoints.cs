using System.Globalization;
using AwsModelPlatform.Handlers.Access;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary><see cref="Routes.GetUsage"/>: the caller's team's usage in a month (admins read any team's on the admin route).</summary>
public static class UsageEndpoints
{
    internal static void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        if (routes.Contains(Routes.GetUsage))
            app.MapGet(Routes.GetUsage.Path, GetAsync).Named(Routes.GetUsage).WithTags("Usage")
                .WithSummary("The caller's team's usage per key (or caller) and model in a UTC month (?month=yyyy-MM, default: this month).")
                .Produces<UsageList>(200).ProducesProblems(400, 403);
    }

    private static async Task GetAsync(HttpContext http, ModelAccess access, TimeProvider clock)
    {
        var month = clock.GetUtcNow();
        if (http.Request.Query["month"] is { Count: > 0 } values)
        {
            var text = values.ToString();
            month = values.Count == 1 && text.Length == 7
                && DateTimeOffset.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var m)
                ? m
                : throw Problems.BadRequest($"'month' is one month as yyyy-MM (e.g. 2026-12), not '{(text.Length > 32 ? text[..32] + "…" : text)}'.");
        }
        var (caller, rows) = await access.UsageAsync(http, month);
        var items = rows.OrderBy(r => r.KeyId, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)
            .Select(r => new UsageItem(r.KeyId, r.Model, r.Requests, r.PromptTokens, r.CompletionTokens, r.Usd, r.GpuSeconds)).ToList();
        await http.Response.WriteAsJsonAsync(new UsageList(caller.Team, AccessTable.Month(month), items), AccessJsonContext.Default.UsageList,
            cancellationToken: http.RequestAborted);
    }
}
