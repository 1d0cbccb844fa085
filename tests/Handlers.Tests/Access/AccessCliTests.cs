using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Amazon.Runtime;
using AwsModelPlatform.AccessCli;
using AwsModelPlatform.Handlers.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.Handlers.Tests.Access;

/// <summary>
/// src/AccessCli against the handler process running the <c>access</c> group, behind a stand-in for API Gateway's IAM
/// authorization that verifies each request's SigV4 signature for <c>execute-api</c> (an independent verifier, not the SDK)
/// and strips the stage from the path: the CLI's requests are signed, its answers printed, its bad arguments refused with 2.
/// </summary>
public sealed class AccessCliTests(AccessMoto moto) : IClassFixture<AccessMoto>, IAsyncLifetime
{
    private const string AccessKey = "AKIDACCESSCLITESTS01";
    private const string Secret = "access-cli-tests-secret-00000000000000000";
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _signedPaths = new();
    private Process _handler = null!;
    private WebApplication _gateway = null!;
    private string _api = null!;

    public async Task InitializeAsync()
    {
        var env = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "testing", ["AWS_SECRET_ACCESS_KEY"] = "testing", ["AWS_REGION"] = "us-east-1", ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["Aws__ServiceUrls__DynamoDb"] = moto.Moto.Url.ToString(),
            ["Aws__ServiceUrls__Kms"] = moto.Moto.Url.ToString(),
            ["Api__RouteGroups"] = "access",
            ["Access__TableName"] = await moto.NewTableAsync(),
            ["Access__HmacKeyId"] = moto.HmacKeyId,
        };
        (_handler, var handlerUrl) = await HandlerFixture.StartHandlerAsync(env, _output);
        var verifier = new SigV4Verifier("us-east-1", "execute-api", new Dictionary<string, string> { [AccessKey] = Secret });
        var forward = new HttpClient { BaseAddress = handlerUrl };
        Uri url;
        (_gateway, url) = TestServers.Create();
        _gateway.Run(async http =>
        {
            var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var (ok, _, message) = verifier.Verify(http.Request, body.ToArray(), DateTimeOffset.UtcNow);
            if (!ok)
            {
                // API Gateway's answer to a bad signature: 403 with a JSON message.
                http.Response.StatusCode = 403;
                await http.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["message"] = message });
                return;
            }
            _signedPaths.Enqueue($"{http.Request.Method} {http.Request.Path}");
            using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), http.Request.Path.Value!["/prod".Length..] + http.Request.QueryString);
            if (body.Length > 0) request.Content = new ByteArrayContent(body.ToArray()) { Headers = { { "Content-Type", http.Request.ContentType } } };
            using var response = await forward.SendAsync(request);
            http.Response.StatusCode = (int)response.StatusCode;
            http.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await http.Response.Body.WriteAsync(await response.Content.ReadAsByteArrayAsync());
        });
        await _gateway.StartAsync();
        _api = new Uri(url, "prod").ToString();
    }

    public async Task DisposeAsync()
    {
        await _gateway.StopAsync();
        HandlerFixture.Stop(_handler);
    }

    private async Task<(int Code, string Out, string Err)> RunSignedWithAsync(string secret, params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await AccessCommand.RunAsync(args, stdout, stderr, new BasicAWSCredentials(AccessKey, secret));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunSignedWithAsync(Secret, [.. args, "--api", _api, "--region", "us-east-1"]);

    [Fact]
    public async Task Every_command_is_a_signed_admin_call_whose_answer_is_printed()
    {
        var (code, created, err) = await RunAsync("keys", "create", "--team", "research", "--name", "notebook");
        Assert.True(code == 0, err);
        var key = JsonDocument.Parse(created).RootElement;
        var keyId = key.GetProperty("info").GetProperty("keyId").GetString()!;
        Assert.StartsWith("amp_" + keyId, key.GetProperty("key").GetString());

        (code, var listed, _) = await RunAsync("keys", "list", "--team", "research");
        Assert.Equal(0, code);
        Assert.Equal(keyId, JsonDocument.Parse(listed).RootElement.GetProperty("data")[0].GetProperty("keyId").GetString());

        (code, var rotated, _) = await RunAsync("keys", "rotate", "--id", keyId, "--overlap-seconds", "60");
        Assert.Equal(0, code);
        Assert.NotEqual(keyId, JsonDocument.Parse(rotated).RootElement.GetProperty("info").GetProperty("keyId").GetString());

        (code, var revoked, _) = await RunAsync("keys", "revoke", "--id", keyId);
        Assert.Equal((0, "revoked"), (code, JsonDocument.Parse(revoked).RootElement.GetProperty("state").GetString()));

        (code, _, err) = await RunAsync("teams", "set", "--team", "research", "--requests-per-minute", "60", "--monthly-usd", "2500.50", "--models", "llm, chat");
        Assert.True(code == 0, err);
        (code, var team, _) = await RunAsync("teams", "get", "--team", "research");
        var limits = JsonDocument.Parse(team).RootElement;
        Assert.Equal((0, 60, 2500.50m), (code, limits.GetProperty("requestsPerMinute").GetInt32(), limits.GetProperty("monthlyUsd").GetDecimal()));
        Assert.Equal(["llm", "chat"], limits.GetProperty("models").EnumerateArray().Select(m => m.GetString()));

        (code, var usage, _) = await RunAsync("usage", "--team", "research", "--month", "2026-01");
        Assert.Equal((0, "2026-01"), (code, JsonDocument.Parse(usage).RootElement.GetProperty("month").GetString()));

        // Each went through the signature check, under the stage's path, as API Gateway sees it.
        Assert.Contains("POST /prod/v1/admin/keys", _signedPaths);
        Assert.Contains($"DELETE /prod/v1/admin/keys/{keyId}", _signedPaths);
        Assert.Contains("PUT /prod/v1/admin/teams/research", _signedPaths);
    }

    [Fact]
    public async Task A_refused_signature_or_a_problem_is_printed_on_stderr_with_exit_code_1()
    {
        var (code, stdout, stderr) = await RunSignedWithAsync("wrong-secret", "keys", "list", "--api", _api, "--region", "us-east-1");
        Assert.Equal((1, ""), (code, stdout));
        Assert.Contains("403", stderr);
        Assert.Contains("signature", stderr);

        (code, _, stderr) = await RunAsync("keys", "rotate", "--id", "aaaaaaaaaaaa");
        Assert.Equal(1, code);
        Assert.Contains("404", stderr);
        Assert.Contains("unknown, expired or revoked", stderr);
    }

    [Theory]
    [InlineData("keys")]
    [InlineData("keys", "destroy")]
    [InlineData("keys", "create")]
    [InlineData("keys", "create", "--team", "a b")]
    [InlineData("keys", "create", "--team", "research", "--team", "other")]
    [InlineData("keys", "create", "--team", "research", "--colour", "blue")]
    [InlineData("keys", "create", "--team")]
    [InlineData("keys", "create", "--team", "research", "stray")]
    [InlineData("keys", "revoke", "--id", "amp_aaaaaaaaaaaa_secret")]
    [InlineData("keys", "rotate", "--id", "aaaaaaaaaaaa", "--overlap-seconds", "-5")]
    [InlineData("keys", "create", "--team", "research", "--expires-at", "tomorrow")]
    [InlineData("teams", "set", "--team", "research", "--monthly-usd", "lots")]
    [InlineData("usage", "--team", "research", "--month", "2026-13")]
    public async Task Bad_arguments_are_refused_with_a_message_and_exit_code_2(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);
        Assert.Equal((2, ""), (code, stdout));
        Assert.StartsWith("error: ", stderr);
        Assert.Contains("usage: amp-access", stderr);
        Assert.Empty(_signedPaths);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.com/prod")]
    [InlineData("https://abc.example.com/prod?x=1")]
    public async Task An_api_that_is_not_a_stage_url_is_refused_with_exit_code_2(string api)
    {
        var (code, _, stderr) = await RunSignedWithAsync(Secret, "keys", "list", "--api", api, "--region", "us-east-1");
        Assert.Equal(2, code);
        Assert.Contains("--api", stderr);
    }
}
