using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using AwsModelPlatform.Handlers.Tests.Fakes;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// Wake on demand and wait instead of fail, against the fake SageMaker's real wire formats: the handler answers SageMaker's
/// no-capacity 400 by waking the component itself (one signed <c>UpdateInferenceComponentRuntimeConfig</c> per cold start),
/// keeps streams open with SSE comment keep-alives until the copy serves, and tells buffered clients to come back after
/// what is left of the cold start it observed.
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class WakeTests(HandlerFixture f)
{
    private FakeInferenceComponent Asleep(string model)
    {
        var component = f.Capacity.Components[HandlerFixture.Components[model]];
        component.Sleep();
        return component;
    }

    private Task<HttpResponseMessage> Invoke(string model, HttpClient? http = null) =>
        (http ?? f.Http).PostAsync($"/v1/endpoints/{model}/invocations", Body("{\"x\":1}"));

    private static int RetryAfter(HttpResponseMessage r) => int.Parse(Header(r, "Retry-After")!, CultureInfo.InvariantCulture);

    private int WakeCallsFor(string component) => f.SageMakerApi.Calls.Count(c =>
        c.Target == "SageMaker.UpdateInferenceComponentRuntimeConfig" && c.Body["InferenceComponentName"]?.GetValue<string>() == component);

    [Fact]
    public async Task Twenty_concurrent_requests_for_a_cold_model_make_one_wake_call()
    {
        var component = Asleep("crowded");
        var before = WakeCallsFor("crowded-echo");
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Invoke("crowded")));
        Assert.All(answers, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        Assert.Equal(1, component.WakeCalls);
        // The call on the wire: signed, JSON 1.1, DesiredRuntimeConfig.CopyCount 1 for the model's own component.
        var wake = f.SageMakerApi.Calls.Last(c => c.Target == "SageMaker.UpdateInferenceComponentRuntimeConfig" && c.Body["InferenceComponentName"]?.GetValue<string>() == "crowded-echo");
        Assert.Equal(1, wake.Body["DesiredRuntimeConfig"]!["CopyCount"]!.GetValue<int>());
        Assert.Equal(before + 1, WakeCallsFor("crowded-echo"));
        // More requests while it wakes ask for nothing more: a copy is desired already.
        using (var again = await Invoke("crowded")) Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        Assert.Equal(1, component.WakeCalls);
        await Eventually(async () => { using var r = await Invoke("crowded"); return r.StatusCode == HttpStatusCode.OK; }, TimeSpan.FromSeconds(10));
        Assert.Equal(1, component.WakeCalls);
    }

    [Fact]
    public async Task A_wake_never_asks_for_copies_while_autoscaling_has_asked_already()
    {
        // Out of capacity: the copy asked for never arrives; a request finds it desired and leaves it to autoscaling.
        var component = Asleep("no-gpus");
        component.SetDesired(1, DateTimeOffset.UtcNow, counted: false);
        using var r = await Invoke("no-gpus");
        await AssertProblemAsync(r, 503, "/model-no-capacity");
        Assert.Equal(0, component.WakeCalls);
        Assert.Contains(f.SageMakerApi.Calls, c => c.Target == "SageMaker.DescribeInferenceComponent" && c.Body["InferenceComponentName"]?.GetValue<string>() == "no-gpus-echo");
    }

    [Fact]
    public async Task Buffered_503_Retry_After_tracks_the_observed_cold_start()
    {
        var component = Asleep("tracked");
        var clock = Stopwatch.StartNew();
        using (var first = await Invoke("tracked"))
        {
            await AssertProblemAsync(first, 503, "/model-no-capacity");
            Assert.True(RetryAfter(first) <= 3, "before any cold start was observed: Inference:Wake:RetryAfterSeconds");
        }
        await Eventually(async () => { using var r = await Invoke("tracked"); return r.StatusCode == HttpStatusCode.OK; }, TimeSpan.FromSeconds(15));
        var observed = clock.Elapsed;
        Assert.True(observed >= component.WakeDelay, $"served after {observed}, before the wake delay of {component.WakeDelay}");

        // The request that ended the cold start carries it as a metric.
        var line = await WaitForLogAsync(l => l.Contains("\"ColdStartSeconds\"", StringComparison.Ordinal) && l.Contains("\"Model\":\"tracked\"", StringComparison.Ordinal));
        var seconds = JsonDocument.Parse(line).RootElement.GetProperty("ColdStartSeconds").GetDouble();
        Assert.InRange(seconds, component.WakeDelay.TotalSeconds, observed.TotalSeconds + 0.5);

        // Next cold start: the client is told what is left of the observed one, not a constant.
        component.WakeDelay = TimeSpan.FromSeconds(6);
        Asleep("tracked");
        using var second = await Invoke("tracked");
        await AssertProblemAsync(second, 503, "/model-no-capacity");
        Assert.InRange(RetryAfter(second), (int)Math.Floor(seconds) - 1, (int)Math.Ceiling(seconds) + 1);
        Assert.Equal(1, component.WakeCalls);
        await Eventually(async () => { using var r = await Invoke("tracked"); return r.StatusCode == HttpStatusCode.OK; }, TimeSpan.FromSeconds(15));
        component.WakeDelay = TimeSpan.FromMilliseconds(2500);
    }

    [Fact]
    public async Task A_stream_gets_keep_alives_then_the_answer()
    {
        var component = Asleep("slow-chat");
        var clock = Stopwatch.StartNew();
        using var r = await f.Http.PostAsync("/v1/chat/completions",
            Body("{\"model\":\"slow-chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/event-stream", r.Content.Headers.ContentType?.MediaType);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(clock.Elapsed >= component.WakeDelay, $"answered after {clock.Elapsed}, before the wake delay of {component.WakeDelay}");
        var lines = text.Split('\n');
        var keepAlives = lines.Where(l => l.StartsWith(": waiting for model (", StringComparison.Ordinal)).ToList();
        Assert.True(keepAlives.Count >= 2, text);
        Assert.Matches(@"^: waiting for model \(\d+ s\)$", keepAlives[^1]);
        var firstData = Array.FindIndex(lines, l => l.StartsWith("data: ", StringComparison.Ordinal));
        Assert.True(firstData > lines.ToList().IndexOf(keepAlives[^1]), "keep-alives come before the answer");
        Assert.Contains("\"content\":\" from\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        Assert.Equal(1, component.WakeCalls);
    }

    [Fact]
    public async Task A_raw_stream_that_reads_SSE_waits_too_and_gives_up_after_the_most_wait_with_an_error_event()
    {
        var component = Asleep("no-gpus");
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/no-gpus/invocations-stream") { Content = Body("{\"x\":1}") };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var r = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"gave up after {clock.Elapsed}, before Inference:Wake:MostWaitSeconds (3 s)");
        Assert.Contains(": waiting for model (2 s)", text, StringComparison.Ordinal);
        var error = text[text.IndexOf("event: error\ndata: ", StringComparison.Ordinal)..];
        var problem = JsonDocument.Parse(error["event: error\ndata: ".Length..].Trim()).RootElement;
        Assert.Equal("https://awsmodelplatform.dev/problems/model-no-capacity", problem.GetProperty("type").GetString());
        Assert.Contains("within 3 s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, component.WakeCalls);
    }

    [Fact]
    public async Task Function_instances_share_one_wake_through_a_conditional_write()
    {
        // Two handler processes (two Lambda instances) with the wake marker in S3: 10 concurrent requests at each make one call.
        // S3 applies a conditional put atomically; moto checks and writes in two steps, which its threaded server
        // interleaves (two puts of one key could both succeed), so the markers go to a moto serving one request at a time.
        using var moto = await MotoServer.StartAsync(oneRequestAtATime: true);
        using var s3 = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(FakeSageMakerRuntime.AccessKey, FakeSageMakerRuntime.SecretKey),
            new Amazon.S3.AmazonS3Config { ServiceURL = moto.Url.ToString(), ForcePathStyle = true, AuthenticationRegion = FakeSageMakerRuntime.Region });
        await s3.PutBucketAsync(HandlerFixture.Bucket);
        var env = FixtureEnvironment();
        env["Aws__ServiceUrls__S3"] = moto.Url.ToString();
        env["Inference__Wake__MarkerBucket"] = HandlerFixture.Bucket;
        env["Inference__Wake__MarkerPrefix"] = "wake-" + Guid.NewGuid().ToString("N");
        env["Inference__Wake__MarkerSeconds"] = "600";
        var output = new ConcurrentQueue<string>();
        var (a, urlA) = await HandlerFixture.StartHandlerAsync(env, output);
        var (b, urlB) = await HandlerFixture.StartHandlerAsync(env, output);
        try
        {
            using var httpA = new HttpClient { BaseAddress = urlA };
            using var httpB = new HttpClient { BaseAddress = urlB };
            var component = Asleep("crowded");
            // Described as asleep by both before either writes: only the marker can decide.
            var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Invoke("crowded", i % 2 == 0 ? httpA : httpB)));
            Assert.All(answers, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
            Assert.Equal(1, component.WakeCalls);
            var markers = await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = HandlerFixture.Bucket, Prefix = env["Inference__Wake__MarkerPrefix"] + "/crowded/" });
            Assert.Single(markers.S3Objects);

            // Within the marker's window another instance that finds the model asleep again does not call.
            Asleep("crowded");
            using (var again = await Invoke("crowded", httpB)) Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
            Assert.Equal(0, component.WakeCalls);
        }
        finally
        {
            HandlerFixture.Stop(a);
            HandlerFixture.Stop(b);
        }
    }

    /// <summary>The fixture handler's settings, for a second handler process on the same fakes.</summary>
    private Dictionary<string, string> FixtureEnvironment()
    {
        var env = new Dictionary<string, string>(f.AwsEnvironment(f.Moto.Url))
        {
            ["Api__RouteGroups"] = "inference",
            ["Aws__ServiceUrls__SageMaker"] = f.SageMakerApi.Url.ToString(),
        };
        AddModels(env, Model("crowded", "sleepy-endpoint") with { InferenceComponentName = "crowded-echo" });
        return env;
    }

    private async Task<string> WaitForLogAsync(Func<string, bool> match)
    {
        for (var i = 0; i < 50; i++)
        {
            if (f.HandlerOutput.LastOrDefault(match) is { } line) return line;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException("no such log line");
    }

    private static async Task Eventually(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"not within {within}");
            await Task.Delay(100);
        }
    }
}
