using System.Diagnostics;
using System.Net;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Tests.Fakes;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// A model scaled to zero, against the fake SageMaker that answers as SageMaker does for an inference component with no
/// copy (400 ValidationError "Inference Component has no capacity ..."): the handler answers 503 <c>model-no-capacity</c>
/// with Retry-After, on every route, and never "Rejected by SageMaker".
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class ScaleToZeroTests(HandlerFixture f)
{
    private static readonly string ChatBody = "{\"model\":\"sleepy-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private FakeInferenceComponent Asleep(string model)
    {
        var component = f.Capacity.Components[HandlerFixture.Components[model]];
        component.Sleep();
        return component;
    }

    private async Task<HttpResponseMessage> Invoke(string model, string route = "invocations", string? trace = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/endpoints/{model}/{route}") { Content = Body("{\"x\":1}") };
        if (trace is not null) request.Headers.Add("X-Amzn-SageMaker-Custom-Attributes", trace);
        return await f.Http.SendAsync(request);
    }

    private static async Task AssertNoCapacityAsync(HttpResponseMessage r)
    {
        var problem = await AssertProblemAsync(r, 503, "/model-no-capacity");
        Assert.Equal("ValidationError", problem.GetProperty("errorType").GetString());
        // The observed cold start's remainder, or Inference:Wake:RetryAfterSeconds (3 s here) before one was observed.
        Assert.InRange(int.Parse(Header(r, "Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), 1, 3);
        Assert.Contains("send it again", problem.GetProperty("detail").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("upstreamRequestId").GetString()));
    }

    [Fact]
    public async Task An_asleep_model_is_503_model_no_capacity_with_retry_after_not_400_rejected()
    {
        Asleep("sleepy");
        var trace = "trace=" + Guid.NewGuid().ToString("N");
        using var r = await Invoke("sleepy", trace: trace);
        await AssertNoCapacityAsync(r);
        // A copy takes minutes: the handler answers at once instead of retrying within the request.
        Assert.Equal(1, f.SageMaker.Calls.Count(c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == trace));
    }

    [Fact]
    public async Task A_streamed_invocation_of_an_asleep_model_gets_the_problem_before_any_byte()
    {
        Asleep("sleepy");
        using var r = await Invoke("sleepy", "invocations-stream");
        await AssertNoCapacityAsync(r);
    }

    [Theory]
    [InlineData("/v1/chat/completions", false)]
    [InlineData("/v1/completions", false)]
    public async Task Unstreamed_OpenAI_requests_of_an_asleep_model_get_the_problem(string path, bool stream)
    {
        Asleep("sleepy-chat");
        var body = path.EndsWith("chat/completions", StringComparison.Ordinal)
            ? ChatBody.Replace("\"messages\"", $"\"stream\":{(stream ? "true" : "false")},\"messages\"", StringComparison.Ordinal)
            : "{\"model\":\"sleepy-chat\",\"prompt\":\"hi\"}";
        using var r = await f.Http.PostAsync(path, Body(body));
        await AssertNoCapacityAsync(r);
    }

    [Fact]
    public async Task The_fake_answers_an_asleep_component_word_for_word_as_SageMaker_does()
    {
        Asleep("sleepy");
        var trace = "trace=" + Guid.NewGuid().ToString("N");
        using var r = await Invoke("sleepy", trace: trace);
        var problem = await AssertProblemAsync(r, 503);
        Assert.EndsWith("SageMaker said: " + FakeSageMakerRuntime.NoCapacityMessage, problem.GetProperty("detail").GetString());
        // The handler named the component: that header is what SageMaker routes by.
        var call = f.SageMaker.Calls.Single(c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == trace);
        Assert.Equal("sleepy-echo", call.Headers["X-Amzn-SageMaker-Inference-Component"]);
    }

    [Fact]
    public async Task A_wake_call_on_the_control_plane_brings_the_model_back()
    {
        var component = Asleep("sleepy");
        var client = f.ControlPlaneClient();
        var arn = await client.UpdateInferenceComponentRuntimeConfigAsync("sleepy-echo", 1, CancellationToken.None);
        Assert.Equal(FakeCapacity.Arn("inference-component", "sleepy-echo"), arn.InferenceComponentArn);
        var waking = await client.DescribeInferenceComponentAsync("sleepy-echo", CancellationToken.None);
        Assert.Equal(("Updating", 0, 1), (waking.InferenceComponentStatus, waking.CurrentCopies, waking.DesiredCopies));
        Assert.Equal("sleepy-endpoint", waking.EndpointName);

        var awake = await WaitForCopiesAsync(client, "sleepy-echo", TimeSpan.FromSeconds(10));
        Assert.Equal(("InService", 1, 1), (awake.InferenceComponentStatus, awake.CurrentCopies, awake.DesiredCopies));
        using var r = await Invoke("sleepy");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("{\"x\":1}", await r.Content.ReadAsStringAsync());
        Assert.Equal(1, component.WakeCalls);
    }

    [Fact]
    public async Task A_model_slow_to_wake_stays_503_until_its_copy_serves()
    {
        var component = Asleep("slow-waker");
        var client = f.ControlPlaneClient();
        var clock = Stopwatch.StartNew();
        await client.UpdateInferenceComponentRuntimeConfigAsync("slow-waker-echo", 1, CancellationToken.None);
        using (var early = await Invoke("slow-waker")) await AssertNoCapacityAsync(early);
        var described = await client.DescribeInferenceComponentAsync("slow-waker-echo", CancellationToken.None);
        Assert.Equal(("Updating", 0, 1), (described.InferenceComponentStatus, described.CurrentCopies, described.DesiredCopies));

        await WaitForCopiesAsync(client, "slow-waker-echo", TimeSpan.FromSeconds(15));
        Assert.True(clock.Elapsed >= component.WakeDelay - TimeSpan.FromMilliseconds(100), $"woke after {clock.Elapsed}, before its delay of {component.WakeDelay}");
        using var late = await Invoke("slow-waker");
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
    }

    [Fact]
    public async Task A_model_out_of_capacity_accepts_the_wake_and_never_gets_a_copy()
    {
        var component = Asleep("no-gpus");
        var client = f.ControlPlaneClient();
        await client.UpdateInferenceComponentRuntimeConfigAsync("no-gpus-echo", 1, CancellationToken.None);
        await Task.Delay(component.WakeDelay * 3);
        var described = await client.DescribeInferenceComponentAsync("no-gpus-echo", CancellationToken.None);
        Assert.Equal(("Updating", 0, 1), (described.InferenceComponentStatus, described.CurrentCopies, described.DesiredCopies));
        Assert.Null(described.FailureReason);
        using var r = await Invoke("no-gpus");
        await AssertNoCapacityAsync(r);
    }

    private static async Task<DescribeInferenceComponentResponse> WaitForCopiesAsync(SageMakerClient client, string component, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var d = await client.DescribeInferenceComponentAsync(component, CancellationToken.None);
            if (d.CurrentCopies > 0) return d;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"{component} had no copy after {within}: {d.InferenceComponentStatus}, {d.CurrentCopies}/{d.DesiredCopies}");
            await Task.Delay(100);
        }
    }
}
