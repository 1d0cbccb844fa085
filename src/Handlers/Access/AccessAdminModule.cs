using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// The <c>access</c> route group: API keys (create, list, rotate, revoke), team limits and usage. Behind IAM
/// authorization on its own function, whose role may write the key and team items of the access table.
/// </summary>
internal sealed class AccessAdminModule : IRouteGroupModule
{
    private const int MaxBodyBytes = 16 * 1024;
    private const string Tag = "Access";

    public string Name => RouteGroup.Access;

    public void AddServices(IServiceCollection services, IConfiguration configuration) => AccessServices.Add(services, configuration);

    public void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        _ = AccessServices.Settings(app.ServiceProvider); // fail at startup on missing settings
        if (routes.Contains(Routes.CreateApiKey))
            app.MapPost(Routes.CreateApiKey.Path, CreateAsync).Named(Routes.CreateApiKey).WithTags(Tag)
                .WithSummary("Creates an API key for a team; the key is in this answer only (the table keeps its KMS HMAC).")
                .Produces<CreatedKey>(201).ProducesProblems(400, 413, 415);
        if (routes.Contains(Routes.ListApiKeys))
            app.MapGet(Routes.ListApiKeys.Path, ListAsync).Named(Routes.ListApiKeys).WithTags(Tag)
                .WithSummary("Lists the keys (never the keys themselves), of one team with ?team=.")
                .Produces<KeyList>(200).ProducesProblems(400);
        if (routes.Contains(Routes.RotateApiKey))
            app.MapPost(Routes.RotateApiKey.Path, RotateAsync).Named(Routes.RotateApiKey).WithTags(Tag)
                .WithSummary("Creates the key's successor for the same team; the key keeps working for overlapSeconds (default: the configured overlap), then expires.")
                .Produces<CreatedKey>(201).ProducesProblems(400, 404, 413, 415);
        if (routes.Contains(Routes.RevokeApiKey))
            app.MapDelete(Routes.RevokeApiKey.Path, RevokeAsync).Named(Routes.RevokeApiKey).WithTags(Tag)
                .WithSummary("Revokes the key: refused from the next check (API Gateway's authorizer cache may keep an answer for its TTL).")
                .Produces<KeyInfo>(200).ProducesProblems(404);
        if (routes.Contains(Routes.PutTeam))
            app.MapPut(Routes.PutTeam.Path, PutTeamAsync).Named(Routes.PutTeam).WithTags(Tag)
                .WithSummary("Sets a team's limits: requests and tokens per minute, monthly tokens and dollars, allowed models (null: no limit).")
                .Produces<TeamBody>(200).ProducesProblems(400, 413, 415);
        if (routes.Contains(Routes.GetTeam))
            app.MapGet(Routes.GetTeam.Path, GetTeamAsync).Named(Routes.GetTeam).WithTags(Tag)
                .WithSummary("A team's limits.")
                .Produces<TeamBody>(200).ProducesProblems(400, 404);
        if (routes.Contains(Routes.GetTeamUsage))
            app.MapGet(Routes.GetTeamUsage.Path, UsageAsync).Named(Routes.GetTeamUsage).WithTags(Tag)
                .WithSummary("What each key of the team spent on each model in a UTC month (?month=yyyy-MM, default: this month).")
                .Produces<UsageList>(200).ProducesProblems(400);
    }

    private static async Task CreateAsync(HttpContext http, KeyStore keys, TimeProvider clock)
    {
        var request = await ReadAsync(http, AccessJsonContext.Default.CreateKeyRequest);
        var team = RequireTeam(request.Team, "team");
        var name = request.Name ?? "";
        if (name.Length > 128 || name.Any(char.IsControl)) throw Problems.BadRequest("'name' is at most 128 characters, without control characters.");
        if (request.ExpiresAt is { } e && e <= clock.GetUtcNow()) throw Problems.BadRequest($"'expiresAt' ({e:O}) is in the past.");
        var (key, record) = await keys.CreateAsync(team, name, request.ExpiresAt, http.RequestAborted);
        await WriteAsync(http, 201, new CreatedKey(key.ToString(), KeyInfo.From(record, clock.GetUtcNow())), AccessJsonContext.Default.CreatedKey);
    }

    private static async Task ListAsync(HttpContext http, KeyStore keys, TimeProvider clock)
    {
        var team = http.Request.Query["team"].ToString() is { Length: > 0 } t ? RequireTeam(t, "team") : null;
        var records = await keys.ListAsync(team, http.RequestAborted);
        var now = clock.GetUtcNow();
        await WriteAsync(http, 200, new KeyList(records.Select(r => KeyInfo.From(r, now)).ToList()), AccessJsonContext.Default.KeyList);
    }

    private static async Task RotateAsync(HttpContext http, string id, KeyStore keys, TimeProvider clock, Microsoft.Extensions.Options.IOptions<AccessSettings> settings)
    {
        var request = http.Request.ContentLength is null or 0 ? new RotateKeyRequest(null) : await ReadAsync(http, AccessJsonContext.Default.RotateKeyRequest);
        var overlap = request.OverlapSeconds ?? settings.Value.DefaultRotationOverlapSeconds;
        if (overlap is < 0 or > 30L * 24 * 3600) throw Problems.BadRequest("'overlapSeconds' is 0 to 2592000 (30 days).");
        var rotated = await keys.RotateAsync(RequireKeyId(id), TimeSpan.FromSeconds(overlap), http.RequestAborted)
            ?? throw Problems.NotFound($"No usable key '{id}': it is unknown, expired or revoked.");
        await WriteAsync(http, 201, new CreatedKey(rotated.Key.ToString(), KeyInfo.From(rotated.Record, clock.GetUtcNow())), AccessJsonContext.Default.CreatedKey);
    }

    private static async Task RevokeAsync(HttpContext http, string id, KeyStore keys, TimeProvider clock)
    {
        var keyId = RequireKeyId(id);
        if (!await keys.RevokeAsync(keyId, http.RequestAborted)) throw Problems.NotFound($"No key '{id}'.");
        var record = await keys.GetAsync(keyId, http.RequestAborted);
        await WriteAsync(http, 200, KeyInfo.From(record!, clock.GetUtcNow()), AccessJsonContext.Default.KeyInfo);
    }

    private static async Task PutTeamAsync(HttpContext http, string team, TeamStore teams)
    {
        var name = RequireTeam(team, "team");
        var body = await ReadAsync(http, AccessJsonContext.Default.TeamBody);
        if (body.Team is { } named && named != name) throw Problems.BadRequest($"The body names team '{named}', the path '{name}'.");
        foreach (var (field, value) in new[] { ("requestsPerMinute", body.RequestsPerMinute), ("tokensPerMinute", body.TokensPerMinute), ("monthlyTokens", body.MonthlyTokens) })
            if (value is < 0) throw Problems.BadRequest($"'{field}' is 0 or more, or null for no limit.");
        if (body.MonthlyUsd is < 0) throw Problems.BadRequest("'monthlyUsd' is 0 or more, or null for no limit.");
        if (body.Models is { } models && (models.Count > 100 || models.Any(m => !ModelNames.IsValid(m))))
            throw Problems.BadRequest($"'models' lists at most 100 model names ({ModelNames.Rule}).");
        var limits = new TeamLimits(name, body.RequestsPerMinute, body.TokensPerMinute, body.MonthlyTokens, body.MonthlyUsd, body.Models);
        await teams.PutAsync(limits, http.RequestAborted);
        await WriteAsync(http, 200, TeamBody.From(limits), AccessJsonContext.Default.TeamBody);
    }

    private static async Task GetTeamAsync(HttpContext http, string team, TeamStore teams)
    {
        var limits = await teams.GetAsync(RequireTeam(team, "team"), http.RequestAborted) ?? throw Problems.NotFound($"No team '{team}'.");
        await WriteAsync(http, 200, TeamBody.From(limits), AccessJsonContext.Default.TeamBody);
    }

    private static async Task UsageAsync(HttpContext http, string team, TeamLimiter limiter, TimeProvider clock)
    {
        var name = RequireTeam(team, "team");
        var month = clock.GetUtcNow();
        if (http.Request.Query["month"].ToString() is { Length: > 0 } text)
            month = DateTimeOffset.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var m)
                ? m
                : throw Problems.BadRequest($"'month' is yyyy-MM (e.g. 2026-12), not '{text}'.");
        var rows = await limiter.UsageAsync(name, month, http.RequestAborted);
        var items = rows.OrderBy(r => r.KeyId, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)
            .Select(r => new UsageItem(r.KeyId, r.Model, r.Requests, r.PromptTokens, r.CompletionTokens, r.Usd, r.GpuSeconds)).ToList();
        await WriteAsync(http, 200, new UsageList(name, AccessTable.Month(month), items), AccessJsonContext.Default.UsageList);
    }

    private static string RequireTeam(string? team, string field) =>
        TeamLimits.IsValidName(team) ? team! : throw Problems.BadRequest($"'{field}' is a team name: 1 to 64 letters, digits, '-', '_' or '.'.");

    private static string RequireKeyId(string id) =>
        id.Length == 12 && id.All(c => c is (>= 'a' and <= 'z') or (>= '2' and <= '7')) ? id : throw Problems.NotFound($"No key '{id}'.");

    private static async Task<T> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> type) where T : class
    {
        if (http.Request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw Problems.UnsupportedMediaType("The admin routes take application/json.");
        var body = await RequestBody.ReadAsync(http.Request, MaxBodyBytes, http.RequestAborted, allowEmpty: true);
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw Problems.BadRequest("The body is JSON null; send an object.");
        }
        catch (JsonException e)
        {
            throw Problems.MalformedJson(e.Message);
        }
    }

    private static Task WriteAsync<T>(HttpContext http, int status, T value, JsonTypeInfo<T> type)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(value, type, cancellationToken: http.RequestAborted);
    }
}
