using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

[Collection(HandlerCollection.Name)]
public sealed class BadInputTests(HandlerFixture f)
{
    [Theory]
    [InlineData("{\"inputs\": [1, 2,")]
    [InlineData("{\"inputs\": tru}")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    public async Task Malformed_or_truncated_json_is_400(string body)
    {
        var calls = f.SageMaker.Calls.Count;
        using var r = await f.Http.PostAsync("/v1/endpoints/echo/invocations", Body(body));
        await AssertProblemAsync(r, 400, "malformed-json");
        Assert.Equal(calls, f.SageMaker.Calls.Count);
    }

    [Fact]
    public async Task Unknown_model_is_404()
    {
        using var r = await f.Http.PostAsync("/v1/endpoints/no-such-model/invocations", Body("{}"));
        await AssertProblemAsync(r, 404, "unknown-model");
    }

    [Fact]
    public async Task Missing_content_type_is_415()
    {
        using var r = await f.Http.PostAsync("/v1/endpoints/echo/invocations", Body("{}", contentType: null));
        await AssertProblemAsync(r, 415, "unsupported-media-type");
    }

    [Fact]
    public async Task Openai_route_with_a_non_json_content_type_is_415()
    {
        using var r = await f.Http.PostAsync("/v1/chat/completions", Body("model=chat-model", "application/x-www-form-urlencoded"));
        await AssertProblemAsync(r, 415);
    }

    [Fact]
    public async Task Empty_body_is_400()
    {
        using var r = await f.Http.PostAsync("/v1/endpoints/echo/invocations", Body(""));
        var problem = await AssertProblemAsync(r, 400);
        Assert.Contains("empty", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Body_over_the_model_limit_is_413_from_content_length()
    {
        using var r = await f.Http.PostAsync("/v1/endpoints/tiny/invocations", Body(new string('x', 1025), "text/plain"));
        await AssertProblemAsync(r, 413, "payload-too-large");
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413_before_the_client_finished_sending()
    {
        // Raw HTTP/1.1: send 2 KiB of a chunked body that is never finished, then read the answer.
        // A 413 can only come back if the handler stops reading at the limit instead of buffering the whole body.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(f.HandlerUrl.Host, f.HandlerUrl.Port);
        await using var net = tcp.GetStream();
        var head = $"POST /v1/endpoints/tiny/invocations HTTP/1.1\r\nHost: {f.HandlerUrl.Authority}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        await net.WriteAsync(Encoding.ASCII.GetBytes(head));
        for (var i = 0; i < 4; i++)
            await net.WriteAsync(Encoding.ASCII.GetBytes("200\r\n" + new string('x', 512) + "\r\n"));
        await net.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var n = await net.ReadAsync(buffer, cts.Token);
        var response = Encoding.ASCII.GetString(buffer, 0, n);
        Assert.StartsWith("HTTP/1.1 413", response);
        Assert.Contains("application/problem+json", response);
    }

    [Fact]
    public async Task Body_over_sagemakers_ceiling_is_413_without_being_sent()
    {
        var big = new ByteArrayContent(new byte[6_291_457]);
        big.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/echo/invocations") { Content = big };
        request.Headers.ExpectContinue = true;
        using var r = await f.Http.SendAsync(request);
        await AssertProblemAsync(r, 413);
    }

    [Theory]
    [InlineData("/v1/async-invocations/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/v1/async-invocations/%2E%2E%5Crequests")]
    [InlineData("/v1/async-invocations/ABCDEF")]
    public async Task Path_traversal_in_ids_is_rejected(string path)
    {
        using var r = await f.Http.GetAsync(path);
        await AssertProblemAsync(r, 400);
    }

    [Fact]
    public async Task Path_traversal_in_model_names_finds_no_model()
    {
        using var r = await f.Http.PostAsync("/v1/endpoints/..%2Fecho/invocations", Body("{}"));
        Assert.True(r.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"got {r.StatusCode}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Custom_attributes_over_sagemakers_1024_characters_are_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/echo/invocations") { Content = Body("{}") };
        request.Headers.Add("X-Amzn-SageMaker-Custom-Attributes", new string('a', 1025));
        using var r = await f.Http.SendAsync(request);
        var problem = await AssertProblemAsync(r, 400);
        Assert.Contains("1024", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Target_variant_over_63_characters_is_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/echo/invocations") { Content = Body("{}") };
        request.Headers.Add("X-Amzn-SageMaker-Target-Variant", new string('v', 64));
        using var r = await f.Http.SendAsync(request);
        await AssertProblemAsync(r, 400);
    }

    [Fact]
    public async Task Headers_over_kestrels_total_limit_are_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/echo/invocations") { Content = Body("{}") };
        for (var i = 0; i < 40; i++) request.Headers.Add($"X-Padding-{i}", new string('p', 1000));
        using var r = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, r.StatusCode);
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_are_problems()
    {
        using var r1 = await f.Http.GetAsync("/v1/nothing-here");
        await AssertProblemAsync(r1, 404);
        using var r2 = await f.Http.GetAsync("/v1/endpoints/echo/invocations");
        await AssertProblemAsync(r2, 405);
        Assert.Contains("POST", r2.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("[]")]
    [InlineData("{\"requestId\":\"\\ud800\"}")]
    [InlineData("{\"requestId\":\"a b\"}")]
    [InlineData("{\"requestId\":\"\\u00e9\"}")]
    [InlineData("{\"authorizer\":{\"principalId\":\"\\udc00\"}}")]
    public async Task A_hostile_request_context_costs_only_its_ids_never_the_request(string context)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/echo/invocations") { Content = Body("{}") };
        request.Headers.TryAddWithoutValidation("x-amzn-request-context", context);
        using var r = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Matches("^[0-9a-f]{32}$", Header(r, "x-request-id")); // a fresh id, not the unsafe one
    }

    [Theory]
    [InlineData("{\"model\": \"\\ud800\", \"messages\": []}")]
    [InlineData("{\"model\": \"chat-model\", \"model\": \"other\", \"messages\": []}")]
    public async Task Openai_body_with_invalid_unicode_or_duplicate_keys_is_malformed(string body)
    {
        var calls = f.SageMaker.Calls.Count;
        using var r = await f.Http.PostAsync("/v1/chat/completions", Body(body));
        await AssertProblemAsync(r, 400, "malformed-json");
        Assert.Equal(calls, f.SageMaker.Calls.Count);
    }

    [Theory]
    [InlineData("{\"model\": 42, \"messages\": []}")]
    [InlineData("{\"model\": \"chat-model\", \"messages\": \"hi\"}")]
    [InlineData("{\"model\": \"chat-model\", \"messages\": [], \"stream\": \"yes\"}")]
    [InlineData("[1,2,3]")]
    public async Task Openai_fields_of_the_wrong_type_are_400(string body)
    {
        using var r = await f.Http.PostAsync("/v1/chat/completions", Body(body));
        await AssertProblemAsync(r, 400);
    }

    /// <summary>A body stream that never ends (bounded at 64 MiB so a broken handler cannot hang the test forever).</summary>
    private sealed class EndlessStream : Stream
    {
        private long _sent;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_sent > 64 << 20) return 0;
            Array.Fill(buffer, (byte)'x', offset, count);
            _sent += count;
            return count;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _sent; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
