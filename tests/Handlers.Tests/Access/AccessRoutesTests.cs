using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace AwsModelPlatform.Handlers.Tests.Access;

/// <summary>
/// The handler process with the authorizer and admin route groups against moto's DynamoDB and KMS: a key created through
/// the admin routes is allowed by the authorizer, rotated, revoked; teams and usage; bad input answered with problems.
/// </summary>
public sealed class AccessRoutesTests(AccessMoto moto) : IClassFixture<AccessMoto>, IAsyncLifetime
{
    private const string MethodArn = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/POST/v1/chat/completions";
    private Process _handler = null!;
    private string _table = null!;
    private HttpClient _http = null!;
    private readonly ConcurrentQueue<string> _output = new();

    public async Task InitializeAsync()
    {
        var env = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "testing", ["AWS_SECRET_ACCESS_KEY"] = "testing", ["AWS_REGION"] = "us-east-1", ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["Aws__ServiceUrls__DynamoDb"] = moto.Moto.Url.ToString(),
            ["Aws__ServiceUrls__Kms"] = moto.Moto.Url.ToString(),
            ["Api__RouteGroups"] = "authorizer,access",
            ["Access__TableName"] = _table = await moto.NewTableAsync(),
            ["Access__HmacKeyId"] = moto.HmacKeyId,
        };
        Uri url;
        (_handler, url) = await HandlerFixture.StartHandlerAsync(env, _output);
        _http = new HttpClient { BaseAddress = url };
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        if (!_handler.HasExited) _handler.Kill(entireProcessTree: true);
        _handler.Dispose();
        return Task.CompletedTask;
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body, string MediaType)> SendAsync(HttpMethod method, string path, string? json = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, contentType);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response.Content.Headers.ContentType?.MediaType ?? "");
    }

    private async Task<string> AuthorizeAsync(string headerName, string value)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/events",
            new JsonObject { ["type"] = "REQUEST", ["methodArn"] = MethodArn, ["headers"] = new JsonObject { [headerName] = value } }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, status);
        return body!["policyDocument"]!["Statement"]![0]!["Effect"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_key_created_by_an_admin_is_allowed_until_it_is_revoked()
    {
        var (status, created, _) = await SendAsync(HttpMethod.Post, "/v1/admin/keys", """{"team":"research","name":"notebook"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var key = created!["key"]!.GetValue<string>();
        var keyId = created["info"]!["keyId"]!.GetValue<string>();
        Assert.StartsWith("amp_" + keyId + "_", key);
        Assert.Equal("active", created["info"]!["state"]!.GetValue<string>());

        Assert.Equal("Allow", await AuthorizeAsync("Authorization", "Bearer " + key));
        Assert.Equal("Allow", await AuthorizeAsync("x-api-key", key));

        var (listed, list, _) = await SendAsync(HttpMethod.Get, "/v1/admin/keys?team=research");
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal(keyId, list!["data"]![0]!["keyId"]!.GetValue<string>());
        Assert.DoesNotContain(key[(4 + 13)..], list.ToJsonString());

        var (revoked, info, _) = await SendAsync(HttpMethod.Delete, $"/v1/admin/keys/{keyId}");
        Assert.Equal(HttpStatusCode.OK, revoked);
        Assert.Equal("revoked", info!["state"]!.GetValue<string>());
        Assert.Equal("Deny", await AuthorizeAsync("Authorization", "Bearer " + key));
    }

    [Fact]
    public async Task A_rotated_key_and_its_successor_both_work_during_the_overlap()
    {
        var (_, created, _) = await SendAsync(HttpMethod.Post, "/v1/admin/keys", """{"team":"research"}""");
        var (old, oldId) = (created!["key"]!.GetValue<string>(), created["info"]!["keyId"]!.GetValue<string>());
        var (status, rotated, _) = await SendAsync(HttpMethod.Post, $"/v1/admin/keys/{oldId}/rotate", """{"overlapSeconds":3600}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("Allow", await AuthorizeAsync("Authorization", "Bearer " + old));
        Assert.Equal("Allow", await AuthorizeAsync("Authorization", "Bearer " + rotated!["key"]!.GetValue<string>()));
        var (_, list, _) = await SendAsync(HttpMethod.Get, "/v1/admin/keys?team=research");
        Assert.NotNull(list!["data"]!.AsArray().Single(k => k!["keyId"]!.GetValue<string>() == oldId)!["expiresAt"]);

        var (zero, _, _) = await SendAsync(HttpMethod.Post, $"/v1/admin/keys/{rotated["info"]!["keyId"]!.GetValue<string>()}/rotate", """{"overlapSeconds":0}""");
        Assert.Equal(HttpStatusCode.Created, zero);
        Assert.Equal("Deny", await AuthorizeAsync("Authorization", "Bearer " + rotated["key"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Team_limits_are_set_and_read_back()
    {
        var (put, team, _) = await SendAsync(HttpMethod.Put, "/v1/admin/teams/research",
            """{"requestsPerMinute":60,"tokensPerMinute":100000,"monthlyTokens":50000000,"monthlyUsd":2500.5,"models":["llama-3-8b","mistral-7b"]}""");
        Assert.Equal(HttpStatusCode.OK, put);
        var (got, read, _) = await SendAsync(HttpMethod.Get, "/v1/admin/teams/research");
        Assert.Equal(HttpStatusCode.OK, got);
        Assert.Equal(team!.ToJsonString(), read!.ToJsonString());
        Assert.Equal(2500.5m, read["monthlyUsd"]!.GetValue<decimal>());
        var (missing, _, _) = await SendAsync(HttpMethod.Get, "/v1/admin/teams/nobody");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task Usage_lists_what_each_key_spent_on_each_model()
    {
        var limiter = new AwsModelPlatform.Handlers.Access.TeamLimiter(moto.Dynamo, _table, TimeProvider.System);
        var admission = await limiter.AdmitAsync(new AwsModelPlatform.Handlers.Access.TeamLimits("analytics"), 0, default);
        await limiter.SettleAsync(admission.Reservation!, "k1", "llm", 120, 30, 0.02m, default);
        var (status, usage, _) = await SendAsync(HttpMethod.Get, "/v1/admin/teams/analytics/usage");
        Assert.Equal(HttpStatusCode.OK, status);
        var row = Assert.Single(usage!["data"]!.AsArray())!;
        Assert.Equal((120L, 30L, 0.02m), (row["promptTokens"]!.GetValue<long>(), row["completionTokens"]!.GetValue<long>(), row["usd"]!.GetValue<decimal>()));
        Assert.Empty((await SendAsync(HttpMethod.Get, "/v1/admin/teams/analytics/usage?month=2020-01")).Body!["data"]!.AsArray());
    }

    [Theory]
    [InlineData("POST", "/v1/admin/keys", "{\"team\":\"research\"", "application/json", 400, "malformed-json")]
    [InlineData("POST", "/v1/admin/keys", "{\"team\":\"a b\"}", "application/json", 400, "bad-request")]
    [InlineData("POST", "/v1/admin/keys", "{\"team\":\"research\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}", "application/json", 400, "bad-request")]
    [InlineData("POST", "/v1/admin/keys", "team=research", "application/x-www-form-urlencoded", 415, "unsupported-media-type")]
    [InlineData("PUT", "/v1/admin/teams/research", "{\"requestsPerMinute\":-1}", "application/json", 400, "bad-request")]
    [InlineData("PUT", "/v1/admin/teams/research", "{\"models\":[\"../etc\"]}", "application/json", 400, "bad-request")]
    [InlineData("PUT", "/v1/admin/teams/research", "{\"team\":\"other\"}", "application/json", 400, "bad-request")]
    [InlineData("POST", "/v1/admin/keys/aaaaaaaaaaaa/rotate", "{}", "application/json", 404, "not-found")]
    [InlineData("POST", "/v1/admin/keys/NOT-AN-ID/rotate", "{}", "application/json", 404, "not-found")]
    [InlineData("DELETE", "/v1/admin/keys/aaaaaaaaaaaa", null, "application/json", 404, "not-found")]
    [InlineData("GET", "/v1/admin/teams/research/usage?month=December", null, "application/json", 400, "bad-request")]
    [InlineData("POST", "/events", "{\"type\":\"TOKEN\",\"methodArn\":\"x\"}", "application/json", 400, "bad-request")]
    [InlineData("POST", "/events", "not json", "application/json", 400, "malformed-json")]
    public async Task Bad_input_is_answered_with_a_problem(string method, string path, string? body, string contentType, int status, string type)
    {
        var (answered, problem, mediaType) = await SendAsync(new HttpMethod(method), path, body, contentType);
        Assert.Equal(status, (int)answered);
        Assert.Equal("application/problem+json", mediaType);
        Assert.EndsWith("/" + type, problem!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_oversized_body_is_refused_before_it_is_read()
    {
        var (status, problem, _) = await SendAsync(HttpMethod.Post, "/v1/admin/keys", "{\"name\":\"" + new string('x', 20_000) + "\"}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.EndsWith("/payload-too-large", problem!["type"]!.GetValue<string>());
        var (authorizer, _, _) = await SendAsync(HttpMethod.Post, "/events", "{\"type\":\"REQUEST\",\"headers\":{\"a\":\"" + new string('x', 70_000) + "\"}}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, authorizer);
    }
}
