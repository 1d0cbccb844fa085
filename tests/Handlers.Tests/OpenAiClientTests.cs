using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

[Collection(HandlerCollection.Name)]
public sealed class OpenAiClientTests(HandlerFixture f)
{
    internal static string ClientDirectory =>
        typeof(OpenAiClientTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OpenAiClientDirectory").Value!;

    [Fact]
    public async Task Official_openai_npm_client_works_streaming_and_not()
    {
        InstallClient();
        var start = new ProcessStartInfo("node", ["client-test.mjs"])
        {
            WorkingDirectory = ClientDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OPENAI_BASE_URL"] = new Uri(f.HandlerUrl, "v1").ToString();
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(60_000))
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail("the openai client test did not finish within 60 s");
        }
        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}\n{await stdout}");
        var seen = JsonDocument.Parse(await stdout).RootElement;

        Assert.Contains("chat-model", seen.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Hello from the model: ping", seen.GetProperty("chat").GetProperty("content").GetString());
        Assert.Equal(12, seen.GetProperty("chat").GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal("Hello from the model: stream me", seen.GetProperty("stream").GetProperty("content").GetString());
        Assert.True(seen.GetProperty("stream").GetProperty("chunks").GetInt32() >= 5);
        Assert.Equal(7, seen.GetProperty("stream").GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("Hello from the model: complete me", seen.GetProperty("completion").GetString());
        Assert.Equal([0.25, -0.5, 1.0], seen.GetProperty("embedding").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(404, seen.GetProperty("unknownModel").GetProperty("status").GetInt32());
        Assert.Equal("NotFoundError", seen.GetProperty("unknownModel").GetProperty("name").GetString());
        // A stream that breaks mid-way raises in the client; it is never a silently short answer.
        Assert.Equal("APIError", seen.GetProperty("brokenStream").GetProperty("error").GetString());
        Assert.Contains("ModelStreamError", seen.GetProperty("brokenStream").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Sse_lines_split_across_payload_parts_are_reassembled()
    {
        // The fake splits the container's SSE into 7-byte PayloadParts; every line the client gets must be whole.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Body("{\"model\":\"chat-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"split\"}]}"),
        };
        using var r = await f.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/event-stream", r.Content.Headers.ContentType?.MediaType);
        var events = (await r.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var text = new StringBuilder();
        foreach (var e in events[..^1])
        {
            Assert.StartsWith("data: ", e);
            var chunk = JsonDocument.Parse(e["data: ".Length..]).RootElement;
            text.Append(chunk.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        }
        Assert.Equal("Hello from the model: split", text.ToString());
    }

    [Fact]
    public async Task Token_usage_is_logged_and_no_metric_is_per_caller()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Body("{\"model\":\"chat-model\",\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}"),
        };
        request.Headers.Add("x-amzn-request-context", "{\"requestId\":\"usage-req-1\",\"authorizer\":{\"principalId\":\"team-usage\"}}");
        using var r = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        string? line = null;
        for (var i = 0; i < 50 && line is null; i++)
        {
            line = f.HandlerOutput.FirstOrDefault(l => l.Contains("usage-req-1") && l.Contains("PromptTokens"));
            if (line is null) await Task.Delay(100);
        }
        Assert.NotNull(line);
        var emf = JsonDocument.Parse(line!).RootElement;
        Assert.Equal("team-usage", emf.GetProperty("Caller").GetString());
        Assert.Equal("chat-model", emf.GetProperty("Model").GetString());
        Assert.Equal(7, emf.GetProperty("PromptTokens").GetInt64());
        Assert.Equal(5, emf.GetProperty("CompletionTokens").GetInt64());
        // Each distinct caller would be a custom metric at $0.30 a month: callers are in the log and the usage ledger only.
        var dimensions = emf.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().SelectMany(d => d.GetProperty("Dimensions")[0].EnumerateArray())
            .Select(d => d.GetString()).ToList();
        Assert.DoesNotContain("Caller", dimensions);
        Assert.Equal(HandlerFixture.ApiName, emf.GetProperty("Api").GetString());
    }

    [Fact]
    public async Task Raw_protocol_model_on_an_openai_route_is_400()
    {
        using var r = await f.Http.PostAsync("/v1/chat/completions", Body("{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        var problem = await AssertProblemAsync(r, 400);
        Assert.Contains("raw protocol", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_official_openai_client_waits_out_Retry_After_and_gets_the_answer_once_the_model_woke()
    {
        // The model is asleep; the alarm path (NoCapacityInvocationFailures → step scaling, compressed in the fake) adds a
        // copy within a few seconds, well inside the Retry-After the handler asks for.
        var component = f.Capacity.Components[HandlerFixture.Components["waking-chat"]];
        component.Sleep();
        InstallClient();
        var start = new ProcessStartInfo("node", ["cold-start.mjs"])
        {
            WorkingDirectory = ClientDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OPENAI_BASE_URL"] = new Uri(f.HandlerUrl, "v1").ToString();
        start.Environment["OPENAI_MODEL"] = "waking-chat";
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(120_000))
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail("the openai cold-start client did not finish within 120 s");
        }
        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}\n{await stdout}");
        var seen = JsonDocument.Parse(await stdout).RootElement;
        Assert.False(seen.TryGetProperty("error", out var error), $"the client gave up: {error}");
        Assert.Equal("Hello from the model: wake up", seen.GetProperty("content").GetString());
        var attempts = seen.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(503, attempts[0].GetProperty("status").GetInt32());
        var retryAfter = int.Parse(attempts[0].GetProperty("retryAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3); // Inference:Wake:RetryAfterSeconds (3 s here) before a cold start was observed
        // The client honoured Retry-After (under its 60 s ceiling) rather than its own sub-second backoff.
        Assert.InRange(attempts[1].GetProperty("waitedMs").GetDouble(), retryAfter * 1000 - 500, retryAfter * 1000 + 10_000);
        Assert.Equal(200, attempts[1].GetProperty("status").GetInt32());
        // The fake's alarm path asks for the copy with the first failure; the handler wakes only a model no one asked a copy for.
        Assert.InRange(component.WakeCalls, 0, 1);
    }

    [Fact]
    public async Task The_official_openai_client_streams_through_a_cold_start_in_one_attempt()
    {
        var component = f.Capacity.Components[HandlerFixture.Components["slow-chat"]];
        component.Sleep();
        var seen = await RunClientAsync("stream-cold-start.mjs", "slow-chat");
        Assert.False(seen.TryGetProperty("error", out var error), $"the client failed: {error}");
        Assert.Equal("Hello from the model: wake up", seen.GetProperty("content").GetString());
        Assert.All(seen.GetProperty("models").EnumerateArray(), m => Assert.Equal("slow-chat", m.GetString()));
        // One HTTP attempt: the keep-alives held it open through the wake; the handler woke the model once.
        Assert.Equal([200], seen.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status").GetInt32()));
        Assert.Equal(1, component.WakeCalls);
    }

    private async Task<JsonElement> RunClientAsync(string script, string model)
    {
        InstallClient();
        var start = new ProcessStartInfo("node", [script])
        {
            WorkingDirectory = ClientDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OPENAI_BASE_URL"] = new Uri(f.HandlerUrl, "v1").ToString();
        start.Environment["OPENAI_MODEL"] = model;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(120_000))
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail($"the openai client ({script}) did not finish within 120 s");
        }
        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}\n{await stdout}");
        return JsonDocument.Parse(await stdout).RootElement;
    }

    /// <summary>Installs the client from its lock file when it is not there yet, so `dotnet test` alone is enough.</summary>
    internal static void InstallClient()
    {
        if (Directory.Exists(Path.Combine(ClientDirectory, "node_modules", "openai"))) return;
        var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"])
        {
            WorkingDirectory = ClientDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var npm = Process.Start(start)!;
        var stderr = npm.StandardError.ReadToEndAsync();
        _ = npm.StandardOutput.ReadToEndAsync();
        if (!npm.WaitForExit(300_000))
        {
            npm.Kill(entireProcessTree: true);
            Assert.Fail($"npm ci in {ClientDirectory} did not finish within 5 minutes");
        }
        Assert.True(npm.ExitCode == 0, $"npm ci in {ClientDirectory} failed: {stderr.Result}");
    }
}
