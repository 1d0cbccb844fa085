using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

[Collection(HandlerCollection.Name)]
public sealed class StreamingTests(HandlerFixture f)
{
    private Task<HttpResponseMessage> Stream(string model, string body = "{\"inputs\":\"hi\"}")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/endpoints/{model}/invocations-stream") { Content = Body(body) };
        return f.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public async Task Stream_forwards_every_payload_part_in_the_models_content_type()
    {
        using var r = await Stream("sse");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/event-stream", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal("AllTraffic", Header(r, "X-Amzn-Invoked-Production-Variant"));
        Assert.Equal("data: alpha\n\ndata: beta\n\ndata: gamma\n\ndata: delta\n\n", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Parts_reach_the_client_as_they_arrive_not_at_the_end()
    {
        var clock = Stopwatch.StartNew();
        using var r = await Stream("paced");
        await using var body = await r.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        var text = new StringBuilder();
        TimeSpan? firstPart = null;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            firstPart ??= clock.Elapsed;
        }
        var end = clock.Elapsed;
        Assert.Equal("part0;part1;part2;", text.ToString());
        // The model paces its three parts 600 ms apart (1.2 s in all): had the handler buffered, all would arrive at once.
        Assert.True(end - firstPart > TimeSpan.FromMilliseconds(300), $"first part at {firstPart?.TotalMilliseconds} ms, end at {end.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Model_stream_error_ends_an_sse_stream_with_an_error_event()
    {
        using var r = await Stream("stream-model-error");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var text = await r.Content.ReadAsStringAsync();
        Assert.StartsWith("data: alpha\n\ndata: beta\n\n", text);
        var error = text.Split("\n\n").Single(e => e.StartsWith("event: error"));
        var problem = JsonDocument.Parse(error.Split("data: ", 2)[1]).RootElement;
        Assert.Equal("ModelStreamError", problem.GetProperty("errorType").GetString());
        Assert.Contains("crashed", problem.GetProperty("detail").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("upstreamRequestId").GetString()));
    }

    [Fact]
    public async Task Internal_stream_failure_ends_the_stream_with_an_error_event()
    {
        using var r = await Stream("stream-internal-failure");
        var text = await r.Content.ReadAsStringAsync();
        Assert.Contains("event: error", text);
        Assert.Contains("InternalStreamFailure", text);
    }

    [Fact]
    public async Task Model_stream_error_ends_a_json_lines_stream_with_an_error_line()
    {
        using var r = await Stream("stream-jsonlines-error");
        var lines = (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("{\"token\":0}", lines[0]);
        var last = JsonDocument.Parse(lines[^1]).RootElement;
        Assert.Equal("ModelStreamError", last.GetProperty("error").GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task Stream_cut_mid_frame_is_reported_not_silently_truncated()
    {
        using var r = await Stream("stream-cut");
        var text = await r.Content.ReadAsStringAsync();
        Assert.StartsWith("data: alpha\n\n", text);
        Assert.Contains("event: error", text);
        Assert.Contains("TruncatedStream", text);
    }

    [Fact]
    public async Task Frame_with_a_bad_crc_is_reported()
    {
        using var r = await Stream("stream-bad-crc");
        var text = await r.Content.ReadAsStringAsync();
        Assert.StartsWith("data: alpha\n\n", text);
        Assert.DoesNotContain("data: beta", text);
        Assert.Contains("event: error", text);
        Assert.Contains("InvalidFrame", text);
    }

    [Fact]
    public async Task Model_that_stalls_mid_stream_is_cut_at_the_idle_timeout_with_an_error_event()
    {
        var clock = Stopwatch.StartNew();
        using var r = await Stream("stream-stall");
        var text = await r.Content.ReadAsStringAsync();
        Assert.StartsWith("data: first\n\n", text);
        var problem = JsonDocument.Parse(text.Split("event: error\ndata: ", 2)[1]).RootElement;
        Assert.Equal("StreamIdleTimeout", problem.GetProperty("errorType").GetString());
        Assert.Equal(504, problem.GetProperty("status").GetInt32());
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 8);
    }

    [Fact]
    public async Task A_stream_may_outlast_the_first_byte_deadline()
    {
        // The deadline covers the call up to the response headers, not the whole generation.
        using var r = await Stream("long-stream");
        Assert.Equal("t0;t1;t2;t3;t4;t5;", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Error_before_the_stream_starts_is_a_problem()
    {
        using var r = await Stream("model-error");
        await AssertProblemAsync(r, 424, "model-error");
    }

    [Fact]
    public async Task Plain_stream_cut_mid_frame_aborts_the_connection()
    {
        // text/plain cannot carry an error event: the client must see a broken response, not a clean end.
        using var r = await Stream("stream-cut-binary");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/plain", r.Content.Headers.ContentType?.MediaType);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => r.Content.ReadAsStringAsync());
        Assert.True(e is HttpRequestException or IOException, e.ToString());
    }
}
