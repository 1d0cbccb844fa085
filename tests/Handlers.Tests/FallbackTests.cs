using System.Net;
using System.Text.Json;
using AwsModelPlatform.Handlers.Tests.Fakes;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// Model fallbacks (<c>Inference:Models:{i}:Fallbacks</c>): tried in order when the model has no capacity or answers 5xx,
/// never on a 4xx caused by the request; the response names who served it.
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class FallbackTests(HandlerFixture f)
{
    private IEnumerable<ReceivedCall> CallsWith(string trace) =>
        f.SageMaker.Calls.Where(c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == trace);

    private async Task<HttpResponseMessage> Invoke(string model, string trace)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/endpoints/{model}/invocations") { Content = Body("{\"x\":1}") };
        request.Headers.Add("X-Amzn-SageMaker-Custom-Attributes", trace);
        return await f.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_cold_model_falls_back_in_order_and_says_who_served()
    {
        f.Capacity.Components["cold-primary-echo"].Sleep();
        var trace = "trace=" + Guid.NewGuid().ToString("N");
        using var r = await Invoke("cold-primary", trace);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("{\"x\":1}", await r.Content.ReadAsStringAsync());
        Assert.Equal("echo", Header(r, "x-served-by"));
        // The order: the cold primary (its component), then "unavailable" (503, retried, then given up), then "echo".
        var endpoints = CallsWith(trace).Select(c => c.Endpoint).ToList();
        Assert.Equal("sleepy-endpoint", endpoints[0]);
        Assert.Equal("echo", endpoints[^1]);
        Assert.All(endpoints[1..^1], e => Assert.Equal("unavailable", e));
        Assert.True(endpoints.Count >= 3, string.Join(", ", endpoints));
        // The fallback got its own endpoint, without the primary's component.
        Assert.False(CallsWith(trace).Last().Headers.ContainsKey("X-Amzn-SageMaker-Inference-Component"));
        // The primary was still woken, and the fallback is counted.
        Assert.Equal(1, f.Capacity.Components["cold-primary-echo"].WakeCalls);
        var line = await LogLineAsync(trace, "cold-primary");
        Assert.Equal(1, line.GetProperty("Fallbacks").GetInt32());
        Assert.Equal("echo", line.GetProperty("ServedBy").GetString());
    }

    [Fact]
    public async Task A_4xx_caused_by_the_request_never_falls_back()
    {
        var trace = "trace=" + Guid.NewGuid().ToString("N");
        using var r = await Invoke("rejecting-primary", trace);
        await AssertProblemAsync(r, 400, "/upstream-validation");
        Assert.Equal(["validation"], CallsWith(trace).Select(c => c.Endpoint));
    }

    [Fact]
    public async Task A_model_that_serves_names_itself_and_counts_no_fallback()
    {
        var trace = "trace=" + Guid.NewGuid().ToString("N");
        using var r = await Invoke("echo", trace);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("echo", Header(r, "x-served-by"));
        var line = await LogLineAsync(trace, "echo");
        Assert.Equal(0, line.GetProperty("Fallbacks").GetInt32());
        Assert.Equal(0, line.GetProperty("Wakes").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_OpenAI_fallback_answers_under_its_own_model_name(bool stream)
    {
        f.Capacity.Components["cold-llm"].Sleep();
        using var r = await f.Http.PostAsync("/v1/chat/completions",
            Body($"{{\"model\":\"cold-chat\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}]}}"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("chat-model", Header(r, "x-served-by"));
        var text = await r.Content.ReadAsStringAsync();
        var first = stream ? text.Split('\n').First(l => l.StartsWith("data: {", StringComparison.Ordinal))["data: ".Length..] : text;
        Assert.Equal("chat-model", JsonDocument.Parse(first).RootElement.GetProperty("model").GetString());
        Assert.DoesNotContain(": waiting for model", text, StringComparison.Ordinal);
    }

    private async Task<JsonElement> LogLineAsync(string trace, string model)
    {
        // The access log has no custom attributes: take the last line of the model after the request.
        for (var i = 0; i < 30; i++)
        {
            if (f.HandlerOutput.LastOrDefault(l => l.Contains($"\"Model\":\"{model}\"", StringComparison.Ordinal) && l.Contains("\"Fallbacks\"", StringComparison.Ordinal)) is { } line)
                return JsonDocument.Parse(line).RootElement;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"no log line of {model} ({trace})");
    }
}
