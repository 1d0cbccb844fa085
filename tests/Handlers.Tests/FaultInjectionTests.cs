using System.Diagnostics;
using System.Net;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

[Collection(HandlerCollection.Name)]
public sealed class FaultInjectionTests(HandlerFixture f)
{
    private async Task<HttpResponseMessage> Invoke(string model, string trace, string body = "{\"x\":1}")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/endpoints/{model}/invocations") { Content = Body(body) };
        request.Headers.Add("X-Amzn-SageMaker-Custom-Attributes", trace);
        return await f.Http.SendAsync(request);
    }

    [Fact]
    public async Task Throttling_then_success_is_retried_transparently()
    {
        var trace = "trace=" + Guid.NewGuid().ToString("N");
        using var r = await Invoke("throttle-twice", trace, "{\"ok\":true}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("{\"ok\":true}", await r.Content.ReadAsStringAsync());
        Assert.Equal(3, f.SageMaker.Calls.Count(c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == trace));
    }

    [Fact]
    public async Task Persistent_throttling_is_429_with_retry_after()
    {
        using var r = await Invoke("throttled", "trace=throttled");
        var problem = await AssertProblemAsync(r, 429, "throttled");
        Assert.Equal("ThrottlingException", problem.GetProperty("errorType").GetString());
        Assert.True(int.Parse(Header(r, "Retry-After")!) >= 1);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("upstreamRequestId").GetString()));
    }

    [Fact]
    public async Task Model_not_ready_is_429_with_retry_after()
    {
        using var r = await Invoke("not-ready", "trace=not-ready");
        var problem = await AssertProblemAsync(r, 429, "model-not-ready");
        Assert.NotNull(Header(r, "Retry-After"));
        Assert.Contains("scaling from zero", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Model_error_is_424_with_the_models_status_and_message()
    {
        var trace = "trace=" + Guid.NewGuid().ToString("N");
        using var r = await Invoke("model-error", trace);
        var problem = await AssertProblemAsync(r, 424, "model-error");
        Assert.Equal(400, problem.GetProperty("originalStatusCode").GetInt32());
        Assert.Contains("the model rejects this input", problem.GetProperty("originalMessage").GetString());
        Assert.Equal("ModelError", problem.GetProperty("errorType").GetString());
        Assert.Equal(problem.GetProperty("upstreamRequestId").GetString(), Header(r, "x-upstream-request-id"));
        // A model error is the caller's to fix: never retried.
        Assert.Equal(1, f.SageMaker.Calls.Count(c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == trace));
    }

    [Fact]
    public async Task Validation_error_is_400_and_not_retried()
    {
        var trace = "trace=" + Guid.NewGuid().ToString("N");
        using var r = await Invoke("validation", trace);
        await AssertProblemAsync(r, 400, "upstream-validation");
        Assert.Equal(1, f.SageMaker.Calls.Count(c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == trace));
    }

    [Fact]
    public async Task Service_unavailable_is_retried_then_503()
    {
        var trace = "trace=" + Guid.NewGuid().ToString("N");
        using var r = await Invoke("unavailable", trace);
        var problem = await AssertProblemAsync(r, 503, "upstream-unavailable");
        Assert.Equal("ServiceUnavailable", problem.GetProperty("errorType").GetString());
        Assert.Equal(4, f.SageMaker.Calls.Count(c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == trace));
    }

    [Fact]
    public async Task Internal_dependency_failure_is_503()
    {
        using var r = await Invoke("dependency", "trace=dependency");
        var problem = await AssertProblemAsync(r, 503);
        Assert.Equal("InternalDependencyException", problem.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task Slow_model_past_the_deadline_is_504_at_the_deadline()
    {
        var clock = Stopwatch.StartNew();
        using var r = await Invoke("slow", "trace=slow");
        await AssertProblemAsync(r, 504, "upstream-timeout");
        Assert.InRange(clock.Elapsed.TotalSeconds, 2.5, 8);
    }
}

[Collection(HandlerCollection.Name)]
public sealed class CancellationTests(HandlerFixture f)
{
    [Fact]
    public async Task Client_disconnect_cancels_the_upstream_call()
    {
        var before = f.Model.CancelledSlowRequests;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/slow/invocations") { Content = Body("{}") };
        request.Headers.Add("x-request-id", "client-leaves-slow-1");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => f.Http.SendAsync(request, cts.Token));
        // The cancellation travels handler → SageMaker front → container. The handler logs 499 only when the client's
        // leaving cancelled its one upstream call (the 3 s deadline would log 504), so no timing assumption is needed.
        var log = await AccessLogAsync(f.HandlerOutput, "client-leaves-slow-1");
        Assert.Equal(499, log.GetProperty("Status").GetInt32());
        for (var i = 0; i < 100 && f.Model.CancelledSlowRequests == before; i++) await Task.Delay(100);
        Assert.True(f.Model.CancelledSlowRequests > before, "the model never saw the call cancelled");
    }
}

[Collection(HandlerCollection.Name)]
public sealed class ErrorMetricTests(HandlerFixture f)
{
    [Fact]
    public async Task A_broken_stream_counts_as_an_error_in_the_metrics_even_though_it_started_200()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/stream-model-error/invocations-stream") { Content = Body("{}") };
        request.Headers.Add("x-request-id", "broken-stream-metric-1");
        using var r = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        _ = await r.Content.ReadAsStringAsync();
        var log = await AccessLogAsync(f.HandlerOutput, "broken-stream-metric-1");
        Assert.Equal(1, log.GetProperty("Errors").GetInt32());
    }
}

[Collection(HandlerCollection.Name)]
public sealed class StreamDisconnectTests(HandlerFixture f)
{
    [Fact]
    public async Task Client_leaving_mid_stream_is_logged_once_and_the_handler_keeps_serving()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/long-stream/invocations-stream") { Content = Body("{}") })
        {
            request.Headers.Add("x-request-id", "leaves-mid-stream-1");
            using var r = await f.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var body = await r.Content.ReadAsStreamAsync();
            var first = new byte[3];
            Assert.True(await body.ReadAsync(first) > 0);
        } // disposing the response drops the connection mid-stream
        _ = await AccessLogAsync(f.HandlerOutput, "leaves-mid-stream-1");
        Assert.Single(f.HandlerOutput, l => l.Contains("\"RequestId\":\"leaves-mid-stream-1\"") && l.Contains("\"Message\":\"request\""));
        Assert.DoesNotContain(f.HandlerOutput, l => l.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase));
        using var healthy = await f.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }
}
