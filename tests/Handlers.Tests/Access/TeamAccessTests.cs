using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AwsModelPlatform.Handlers.Access;
using AwsModelPlatform.Handlers.Inference;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests.Access;

/// <summary>
/// Team access on the model routes: an inference process with <c>Access__TableName</c> (moto's DynamoDB) in front of the
/// fixture's SageMaker fake and model server. Callers map to teams (API key context, IAM principal, Cognito group); the
/// team's models and limits are enforced; every answered request settles its usage into the ledger; <c>GET /v1/usage</c>.
/// End to end, the official openai client with an API key goes through <see cref="GatewayStandIn"/> and the authorizer.
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class TeamAccessTests(HandlerFixture f, AccessMoto moto) : IClassFixture<AccessMoto>, IAsyncLifetime
{
    private const string AnalystRole = "arn:aws:iam::123456789012:role/ml/analyst";
    private const string ApiName = "amp-team-test";
    private const double HourlyUsd = 36;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _adminOutput = new();
    private Process _handler = null!;
    private Process? _admin;
    private string _table = null!;
    private HttpClient _http = null!;
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        _table = await moto.NewTableAsync();
        var env = new Dictionary<string, string>(f.AwsEnvironment(f.Moto.Url))
        {
            ["Aws__ServiceUrls__DynamoDb"] = moto.Moto.Url.ToString(),
            ["Api__RouteGroups"] = "inference",
            ["Api__Name"] = ApiName,
            ["Access__TableName"] = _table,
            ["Access__CallerTeams__0__Caller"] = AnalystRole,
            ["Access__CallerTeams__0__Team"] = "analytics",
            ["Access__CallerTeams__1__Caller"] = "cognito-group:researchers",
            ["Access__CallerTeams__1__Team"] = "research",
            ["Inference__TimeoutSeconds"] = "10",
        };
        var chat = Model("chat-model", "llm");
        chat.Protocol = ModelProtocols.OpenAi;
        chat.HourlyUsd = HourlyUsd;
        var other = Model("other-chat", "llm");
        other.Protocol = ModelProtocols.OpenAi;
        AddModels(env, chat, other, Model("echo", "echo"));
        (_handler, _url) = await HandlerFixture.StartHandlerAsync(env, _output);
        _http = new HttpClient { BaseAddress = _url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        HandlerFixture.Stop(_handler);
        HandlerFixture.Stop(_admin);
        return Task.CompletedTask;
    }

    private static string KeyContext(string team, string keyId) =>
        new JsonObject { ["requestId"] = Guid.NewGuid().ToString("N"), ["authorizer"] = new JsonObject { ["principalId"] = $"{team}/{keyId}", ["team"] = team, ["keyId"] = keyId } }.ToJsonString();

    private static string CognitoContext(string groups) =>
        new JsonObject { ["requestId"] = Guid.NewGuid().ToString("N"), ["authorizer"] = new JsonObject { ["claims"] = new JsonObject { ["sub"] = "u-1", ["cognito:groups"] = groups } } }.ToJsonString();

    private static string Chat(string model = "chat-model", bool stream = false, int? maxTokens = null, string extra = "") =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]{{(stream ? ",\"stream\":true" : "")}}{{(maxTokens is { } m ? $",\"max_tokens\":{m}" : "")}}{{extra}}}""";

    private async Task<HttpResponseMessage> SendAsync(string context, string path = "/v1/chat/completions", string? body = null)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, path);
        if (body is not null) request.Content = Body(body);
        request.Headers.Add("x-amzn-request-context", context);
        return await _http.SendAsync(request);
    }

    private Task SetLimitsAsync(TeamLimits limits) => new TeamStore(moto.Dynamo, _table).PutAsync(limits, default);

    /// <summary>
    /// The team's ledger once it holds <paramref name="requests"/> requests: a request settles just after its answer is
    /// sent, so the client may read the ledger a moment before it does.
    /// </summary>
    private async Task<IReadOnlyList<UsageRow>> LedgerAsync(string team, long requests)
    {
        var limiter = new TeamLimiter(moto.Dynamo, _table, TimeProvider.System);
        for (var i = 0; ; i++)
        {
            var rows = await limiter.UsageAsync(team, DateTimeOffset.UtcNow, default);
            if (rows.Sum(r => r.Requests) >= requests || i == 50) return rows;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_caller_in_no_team_is_refused_with_403_no_team()
    {
        foreach (var context in new[]
                 {
                     "{}",
                     RequestContext("arn:aws:iam::123456789012:role/someone-else"),
                     CognitoContext("other-group"),
                     "{\"authorizer\":{\"team\":\"a b\",\"keyId\":\"x\"}}",
                     "not json",
                 })
        {
            using var r = await SendAsync(context, body: Chat());
            var problem = await AssertProblemAsync(r, 403);
            Assert.EndsWith("/no-team", problem.GetProperty("type").GetString());
            Assert.Contains("Access__CallerTeams", problem.GetProperty("detail").GetString());
        }
        using var none = await _http.PostAsync("/v1/chat/completions", Body(Chat()));
        await AssertProblemAsync(none, 403);
    }

    [Fact]
    public async Task Key_IAM_and_Cognito_callers_count_in_their_teams_with_usage_per_key_or_caller_and_model()
    {
        using (var r = await SendAsync(KeyContext("research", "abcdefghijk2"), body: Chat())) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await SendAsync(RequestContext("arn:aws:sts::123456789012:assumed-role/analyst/session-1"), body: Chat())) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await SendAsync(CognitoContext("[staff researchers]"), body: Chat())) Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        var research = (await LedgerAsync("research", 2)).OrderBy(u => u.KeyId, StringComparer.Ordinal).ToList();
        Assert.Equal(["abcdefghijk2", "cognito-group:researchers"], research.Select(u => u.KeyId));
        Assert.All(research, u => Assert.Equal(("chat-model", 1L, 7L, 5L), (u.Model, u.Requests, u.PromptTokens, u.CompletionTokens)));
        var analytics = Assert.Single(await LedgerAsync("analytics", 1));
        Assert.Equal((AnalystRole, 1L), (analytics.KeyId, analytics.Requests));
    }

    [Fact]
    public async Task A_team_calls_only_its_models()
    {
        await SetLimitsAsync(new TeamLimits("research", Models: ["other-chat"]));
        using var refused = await SendAsync(KeyContext("research", "abcdefghijk2"), body: Chat());
        var problem = await AssertProblemAsync(refused, 403);
        Assert.EndsWith("/model-not-allowed", problem.GetProperty("type").GetString());
        Assert.Contains("other-chat", problem.GetProperty("detail").GetString());
        using var allowed = await SendAsync(KeyContext("research", "abcdefghijk2"), body: Chat("other-chat"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Over_requests_per_minute_is_429_rate_limited_with_retry_after_and_openai_ratelimit_headers()
    {
        await SetLimitsAsync(new TeamLimits("research", RequestsPerMinute: 2, TokensPerMinute: 100_000));
        var context = KeyContext("research", "abcdefghijk2");
        using var first = await SendAsync(context, body: Chat(maxTokens: 100));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("2", first.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("1", first.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal("100000", first.Headers.GetValues("x-ratelimit-limit-tokens").Single());
        // Reserved: max_tokens plus the prompt's estimate, while the call runs; the header is read before the settle.
        Assert.True(long.Parse(first.Headers.GetValues("x-ratelimit-remaining-tokens").Single(), System.Globalization.CultureInfo.InvariantCulture) <= 100_000 - 100);
        Assert.Matches("^[0-9]+(ms|s)$", first.Headers.GetValues("x-ratelimit-reset-requests").Single());
        using (var second = await SendAsync(context, body: Chat())) Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        using var third = await SendAsync(context, body: Chat());
        var problem = await AssertProblemAsync(third, 429);
        Assert.EndsWith("/rate-limited", problem.GetProperty("type").GetString());
        var retryAfter = int.Parse(third.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("0", third.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.False(third.Headers.Contains("x-should-retry"));
    }

    [Fact]
    public async Task A_request_bigger_than_the_whole_tokens_per_minute_is_429_and_not_worth_retrying()
    {
        await SetLimitsAsync(new TeamLimits("research", TokensPerMinute: 1_000));
        using var r = await SendAsync(KeyContext("research", "abcdefghijk2"), body: Chat(maxTokens: 5_000));
        var problem = await AssertProblemAsync(r, 429);
        Assert.EndsWith("/rate-limited", problem.GetProperty("type").GetString());
        Assert.Contains("max_tokens", problem.GetProperty("detail").GetString());
        Assert.Equal("false", r.Headers.GetValues("x-should-retry").Single());
    }

    [Fact]
    public async Task A_spent_monthly_budget_is_429_budget_exhausted_and_budget_use_is_a_team_metric()
    {
        await SetLimitsAsync(new TeamLimits("research", MonthlyTokens: 40));
        var context = KeyContext("research", "abcdefghijk2");
        // Each uses 12 tokens (7 prompt, 5 completion) and first reserves its prompt's estimate (its body's bytes ÷ 4): the
        // third's reservation no longer fits beside the 24 used.
        var reserve = OpenAiEndpoints.PromptEstimate(Encoding.UTF8.GetByteCount(Chat()));
        Assert.True(24 + reserve > 40 && 12 + reserve <= 40, $"the body's estimate ({reserve}) decides when the budget refuses");
        for (var i = 0; i < 2; i++)
            using (var r = await SendAsync(context, body: Chat())) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var refused = await SendAsync(context, body: Chat());
        var problem = await AssertProblemAsync(refused, 429);
        Assert.EndsWith("/budget-exhausted", problem.GetProperty("type").GetString());
        Assert.Equal("false", refused.Headers.GetValues("x-should-retry").Single());
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);

        var lines = await EmfLinesAsync(l => l.TryGetProperty("BudgetUsedPercent", out _), 2);
        Assert.Equal([100.0 * 12 / 40, 100.0 * 24 / 40], lines.Select(l => l.GetProperty("BudgetUsedPercent").GetDouble()).Order());
        var directives = lines[0].GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray()
            .Select(d => string.Join(",", d.GetProperty("Dimensions")[0].EnumerateArray().Select(n => n.GetString()))).ToList();
        Assert.Contains("Api,Team", directives);
        Assert.Equal("research", lines[0].GetProperty("Team").GetString());
    }

    [Fact]
    public async Task A_stream_is_settled_to_its_usage_which_the_client_gets_only_when_it_asked()
    {
        var context = KeyContext("research", "abcdefghijk2");
        using var plain = await SendAsync(context, body: Chat(stream: true));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var text = await plain.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"usage\"", text);
        Assert.EndsWith("data: [DONE]\n\n", text);
        Assert.DoesNotContain("\n\n\n", text);

        using var asked = await SendAsync(context, body: Chat(stream: true, extra: ",\"stream_options\":{\"include_usage\":true}"));
        Assert.Contains("\"usage\":{\"prompt_tokens\":7", await asked.Content.ReadAsStringAsync());

        var row = Assert.Single(await LedgerAsync("research", 2));
        Assert.Equal((2L, 14L, 10L), (row.Requests, row.PromptTokens, row.CompletionTokens));
    }

    [Fact]
    public async Task Dollars_are_the_models_hourly_price_times_the_requests_share_of_its_busy_time()
    {
        var watch = Stopwatch.StartNew();
        using (var r = await SendAsync(KeyContext("research", "abcdefghijk2"), body: Chat())) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var elapsed = watch.Elapsed;
        var row = Assert.Single(await LedgerAsync("research", 1));
        // One request alone in the process: its share is its whole call, at most what the client waited.
        Assert.InRange(row.Usd, 0.0000001m, (decimal)(elapsed.TotalSeconds * HourlyUsd / 3600));
        // Its GPU-seconds are that same share of the model's busy time, the seconds the dollars were priced from.
        Assert.InRange(row.GpuSeconds, 0.000001m, (decimal)elapsed.TotalSeconds);
        Assert.Equal((double)row.Usd, (double)row.GpuSeconds * HourlyUsd / 3600, 6);
        using (var raw = await SendAsync(KeyContext("research", "abcdefghijk2"), "/v1/endpoints/echo/invocations", "{\"x\":1}")) Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        var echo = Assert.Single(await LedgerAsync("research", 2), u => u.Model == "echo");
        // A raw model counts requests only (its body has no token fields), and has no price configured here.
        Assert.Equal((1L, 0L, 0L, 0m), (echo.Requests, echo.PromptTokens, echo.CompletionTokens, echo.Usd));
    }

    [Fact]
    public async Task Fifty_parallel_requests_against_20_a_minute_admit_exactly_20()
    {
        await SetLimitsAsync(new TeamLimits("research", RequestsPerMinute: 20));
        // Within one UTC minute: a window that turned over mid-way would admit more.
        if (DateTime.UtcNow.Second > 45) await Task.Delay(TimeSpan.FromSeconds(61 - DateTime.UtcNow.Second));
        var context = KeyContext("research", "abcdefghijk2");
        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var r = await SendAsync(context, "/v1/endpoints/echo/invocations", "{\"x\":1}");
            return (int)r.StatusCode;
        }));
        Assert.Equal(20, statuses.Count(s => s == 200));
        Assert.Equal(30, statuses.Count(s => s == 429));
        Assert.Equal(20, Assert.Single(await LedgerAsync("research", 20)).Requests);
    }

    [Fact]
    public async Task A_team_sees_its_own_months_usage()
    {
        using (var r = await SendAsync(KeyContext("research", "abcdefghijk2"), body: Chat())) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await SendAsync(RequestContext("arn:aws:sts::123456789012:assumed-role/analyst/s"), body: Chat())) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        await LedgerAsync("research", 1);

        using var mine = await SendAsync(KeyContext("research", "bbbbbbbbbbbb"), "/v1/usage");
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        var usage = JsonDocument.Parse(await mine.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("research", usage.GetProperty("team").GetString());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), usage.GetProperty("month").GetString());
        var row = Assert.Single(usage.GetProperty("data").EnumerateArray());
        Assert.Equal(("abcdefghijk2", 7L), (row.GetProperty("keyId").GetString(), row.GetProperty("promptTokens").GetInt64()));

        using var earlier = await SendAsync(KeyContext("research", "bbbbbbbbbbbb"), "/v1/usage?month=2020-01");
        Assert.Empty(JsonDocument.Parse(await earlier.Content.ReadAsStringAsync()).RootElement.GetProperty("data").EnumerateArray());
    }

    [Theory]
    [InlineData("/v1/usage?month=2026-13", 400, "bad-request")]
    [InlineData("/v1/usage?month=2026-1", 400, "bad-request")]
    [InlineData("/v1/usage?month=2026-01&month=2026-02", 400, "bad-request")]
    [InlineData("/v1/usage?month=%00%01%E2%80%AE", 400, "bad-request")]
    [InlineData("/v1/usage?month=2026-01-01T00:00:00Z", 400, "bad-request")]
    public async Task Hostile_input_on_the_usage_route_is_answered_with_problems(string path, int status, string type)
    {
        using var r = await SendAsync(KeyContext("research", "abcdefghijk2"), path);
        var problem = await AssertProblemAsync(r, status);
        Assert.EndsWith("/" + type, problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_usage_route_refuses_a_caller_in_no_team_and_a_post()
    {
        using var anonymous = await _http.GetAsync("/v1/usage");
        Assert.EndsWith("/no-team", (await AssertProblemAsync(anonymous, 403)).GetProperty("type").GetString());
        using var post = await SendAsync(KeyContext("research", "abcdefghijk2"), "/v1/usage", "{}");
        await AssertProblemAsync(post, 405);
    }

    [Fact]
    public async Task The_official_openai_client_with_an_api_key_chats_and_streams_through_the_gateway_and_authorizer()
    {
        var (gateway, admin) = await StartGatewayAsync();
        await using var stopGateway = gateway;
        var key = (await AdminAsync(admin, HttpMethod.Post, "/v1/admin/keys", """{"team":"research","name":"notebook"}"""))["key"]!.GetValue<string>();

        var seen = await RunClientAsync(gateway, key, "chat");
        Assert.Equal("Hello from the model: ping", seen.GetProperty("chat").GetProperty("content").GetString());
        Assert.Equal(12, seen.GetProperty("chat").GetProperty("usage").GetProperty("total_tokens").GetInt32());
        // The handler asked the container for usage; the client that did not ask never sees the usage chunk.
        Assert.Equal("Hello from the model: stream me", seen.GetProperty("plainStream").GetProperty("content").GetString());
        Assert.Equal(0, seen.GetProperty("plainStream").GetProperty("usageChunks").GetInt32());
        Assert.Equal(1, seen.GetProperty("usageStream").GetProperty("usageChunks").GetInt32());
        Assert.Equal(7, seen.GetProperty("usageStream").GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var row = Assert.Single(await LedgerAsync("research", 3));
        Assert.Equal((3L, 21L, 15L), (row.Requests, row.PromptTokens, row.CompletionTokens));
    }

    [Fact]
    public async Task The_openai_client_waits_out_a_rate_limit_429_and_gives_up_at_once_on_a_spent_budget()
    {
        var (gateway, admin) = await StartGatewayAsync();
        await using var stopGateway = gateway;
        var key = (await AdminAsync(admin, HttpMethod.Post, "/v1/admin/keys", """{"team":"research"}"""))["key"]!.GetValue<string>();
        await AdminAsync(admin, HttpMethod.Put, "/v1/admin/teams/research", """{"requestsPerMinute":1}""");
        // The client waits Retry-After (the rest of the minute; it honours up to 60 s): both calls in the same minute's last 30 s.
        var second = DateTime.UtcNow.Second;
        if (second is < 30 or > 50) await Task.Delay(TimeSpan.FromSeconds((90 - second) % 60));
        Assert.True((await RunClientAsync(gateway, key, "call")).TryGetProperty("content", out _));
        var before = gateway.Attempts;
        var seen = await RunClientAsync(gateway, key, "call");
        Assert.False(seen.TryGetProperty("error", out var error), error.ToString());
        var attempts = seen.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(2, gateway.Attempts - before);
        Assert.Equal([429, 200], attempts.Select(a => a.GetProperty("status").GetInt32()));
        var retryAfter = int.Parse(attempts[0].GetProperty("headers").GetProperty("retry-after").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(attempts[1].GetProperty("waitedMs").GetInt32() >= retryAfter * 1000 - 500, "the client retried before Retry-After");
        Assert.Equal("1", attempts[0].GetProperty("headers").GetProperty("x-ratelimit-limit-requests").GetString());

        await AdminAsync(admin, HttpMethod.Put, "/v1/admin/teams/research", """{"monthlyTokens":1}""");
        before = gateway.Attempts;
        var spent = await RunClientAsync(gateway, key, "call");
        Assert.Equal(("RateLimitError", 429), (spent.GetProperty("error").GetProperty("name").GetString(), spent.GetProperty("error").GetProperty("status").GetInt32()));
        Assert.Equal(1, gateway.Attempts - before);
    }

    [Fact]
    public async Task A_key_works_from_creation_through_rotation_until_revoked_or_expired()
    {
        var (gateway, admin) = await StartGatewayAsync();
        await using var stopGateway = gateway;
        var created = await AdminAsync(admin, HttpMethod.Post, "/v1/admin/keys", """{"team":"research"}""");
        var (key, keyId) = (created["key"]!.GetValue<string>(), created["info"]!["keyId"]!.GetValue<string>());
        Assert.True((await RunClientAsync(gateway, key, "call")).TryGetProperty("content", out _));

        var rotated = await AdminAsync(admin, HttpMethod.Post, $"/v1/admin/keys/{keyId}/rotate", """{"overlapSeconds":3600}""");
        var successor = rotated["key"]!.GetValue<string>();
        Assert.True((await RunClientAsync(gateway, key, "call")).TryGetProperty("content", out _));
        Assert.True((await RunClientAsync(gateway, successor, "call")).TryGetProperty("content", out _));

        await AdminAsync(admin, HttpMethod.Delete, $"/v1/admin/keys/{keyId}");
        var revoked = await RunClientAsync(gateway, key, "call");
        Assert.Equal(("AuthenticationError", 401), (revoked.GetProperty("error").GetProperty("name").GetString(), revoked.GetProperty("error").GetProperty("status").GetInt32()));
        Assert.True((await RunClientAsync(gateway, successor, "call")).TryGetProperty("content", out _));

        var expiring = await AdminAsync(admin, HttpMethod.Post, "/v1/admin/keys",
            $$"""{"team":"research","expiresAt":"{{DateTimeOffset.UtcNow.AddSeconds(3):O}}"}""");
        var shortLived = expiring["key"]!.GetValue<string>();
        Assert.True((await RunClientAsync(gateway, shortLived, "call")).TryGetProperty("content", out _));
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(401, (await RunClientAsync(gateway, shortLived, "call")).GetProperty("error").GetProperty("status").GetInt32());

        // Usage per key: the revoked key's calls and its successor's are apart.
        var keys = (await LedgerAsync("research", 5)).Select(u => u.KeyId).ToHashSet();
        Assert.Contains(keyId, keys);
        Assert.Contains(rotated["info"]!["keyId"]!.GetValue<string>(), keys);
    }

    private async Task<(GatewayStandIn Gateway, HttpClient Admin)> StartGatewayAsync()
    {
        var env = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "testing", ["AWS_SECRET_ACCESS_KEY"] = "testing", ["AWS_REGION"] = "us-east-1", ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["Aws__ServiceUrls__DynamoDb"] = moto.Moto.Url.ToString(),
            ["Aws__ServiceUrls__Kms"] = moto.Moto.Url.ToString(),
            ["Api__RouteGroups"] = "authorizer,access",
            ["Access__TableName"] = _table,
            ["Access__HmacKeyId"] = moto.HmacKeyId,
        };
        Uri url;
        (_admin, url) = await HandlerFixture.StartHandlerAsync(env, _adminOutput);
        return (await GatewayStandIn.StartAsync(url, _url), new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) });
    }

    private static async Task<JsonNode> AdminAsync(HttpClient admin, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonElement> RunClientAsync(GatewayStandIn gateway, string key, string scenario)
    {
        OpenAiClientTests.InstallClient();
        var start = new ProcessStartInfo("node", ["team-access.mjs"])
        {
            WorkingDirectory = OpenAiClientTests.ClientDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OPENAI_BASE_URL"] = new Uri(gateway.Url, "v1").ToString();
        start.Environment["OPENAI_API_KEY"] = key;
        start.Environment["OPENAI_MODEL"] = "chat-model";
        start.Environment["OPENAI_SCENARIO"] = scenario;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!await Task.Run(() => node.WaitForExit(120_000)))
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail("the openai client did not finish within 120 s");
        }
        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}\n{await stdout}");
        return JsonDocument.Parse(await stdout).RootElement;
    }

    private async Task<List<JsonElement>> EmfLinesAsync(Func<JsonElement, bool> match, int count)
    {
        for (var i = 0; i < 50; i++)
        {
            var lines = _output.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.TryGetProperty("_aws", out _) && match(l)).ToList();
            if (lines.Count >= count) return lines;
            await Task.Delay(100);
        }
        Assert.Fail($"fewer than {count} matching EMF lines:\n{string.Join("\n", _output)}");
        return [];
    }
}
