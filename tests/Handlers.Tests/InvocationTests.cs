using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

[Collection(HandlerCollection.Name)]
public sealed class InvocationTests(HandlerFixture f)
{
    [Fact]
    public async Task Healthz_answers_without_calling_aws()
    {
        var before = f.SageMaker.Calls.Count;
        using var r = await f.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        Assert.Equal(before, f.SageMaker.Calls.Count);
    }

    [Fact]
    public async Task OpenApi_document_lists_every_route()
    {
        using var r = await f.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var paths = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        foreach (var path in new[] { "/healthz", "/v1/endpoints/{model}/invocations", "/v1/endpoints/{model}/invocations-stream", "/v1/endpoints/{model}/async-invocations",
                     "/v1/async-invocations/{id}", "/v1/models", "/v1/chat/completions", "/v1/completions", "/v1/embeddings" })
            Assert.True(paths.TryGetProperty(path, out _), $"missing {path}");
    }

    [Fact]
    public async Task A_sync_or_streamed_call_of_a_model_on_an_async_endpoint_is_a_400_problem_before_SageMaker_is_called()
    {
        var before = f.SageMaker.Calls.Count;
        foreach (var route in new[] { "invocations", "invocations-stream" })
        {
            using var r = await f.Http.PostAsync($"/v1/endpoints/queued/{route}", Body("{\"inputs\":\"x\"}"));
            var problem = await AssertProblemAsync(r, 400, "/problems/invocation-not-supported");
            Assert.Contains("call POST /v1/endpoints/queued/async-invocations", problem.GetProperty("detail").GetString());
        }
        Assert.Equal(before, f.SageMaker.Calls.Count);

        using var accepted = await f.Http.PostAsync("/v1/endpoints/queued/async-invocations", Body("{\"inputs\":\"x\"}"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task An_async_call_of_a_model_whose_endpoint_is_not_async_is_a_400_problem()
    {
        var before = f.SageMaker.Calls.Count;
        using var r = await f.Http.PostAsync("/v1/endpoints/unstreamed-chat/async-invocations", Body("{\"inputs\":\"x\"}"));
        var problem = await AssertProblemAsync(r, 400, "/problems/invocation-not-supported");
        Assert.Contains("does not serve asynchronous invocations", problem.GetProperty("detail").GetString());
        Assert.Equal(before, f.SageMaker.Calls.Count);
    }

    [Fact]
    public async Task A_streamed_OpenAI_request_to_a_model_that_does_not_stream_is_a_400_problem_and_the_unstreamed_one_is_served()
    {
        var before = f.SageMaker.Calls.Count;
        using var streamed = await f.Http.PostAsync("/v1/chat/completions", Body("{\"model\":\"unstreamed-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}"));
        var problem = await AssertProblemAsync(streamed, 400, "/problems/invocation-not-supported");
        Assert.Contains("without \"stream\": true", problem.GetProperty("detail").GetString());
        Assert.Equal(before, f.SageMaker.Calls.Count);

        using var whole = await f.Http.PostAsync("/v1/chat/completions", Body("{\"model\":\"unstreamed-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
    }

    [Fact]
    public async Task Invocation_passes_body_and_content_type_through_and_maps_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/echo/invocations") { Content = Body("a,b,c\n1,2,3\n", "text/csv") };
        request.Headers.Accept.ParseAdd("text/csv");
        request.Headers.Add("X-Amzn-SageMaker-Custom-Attributes", "trace=inv-1");
        request.Headers.Add("X-Amzn-SageMaker-Target-Variant", "VariantB");
        using var r = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("a,b,c\n1,2,3\n", await r.Content.ReadAsStringAsync());
        Assert.Equal("text/csv", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal("VariantB", Header(r, "X-Amzn-Invoked-Production-Variant"));
        Assert.Equal("echo:trace=inv-1", Header(r, "X-Amzn-SageMaker-Custom-Attributes"));
        Assert.False(string.IsNullOrEmpty(Header(r, "x-upstream-request-id")));

        var call = f.SageMaker.Calls.Last(c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == "trace=inv-1");
        Assert.Equal("invocations", call.Operation);
        Assert.Equal("text/csv", call.Headers["Accept"]);
        Assert.Equal("VariantB", call.Headers["X-Amzn-SageMaker-Target-Variant"]);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=" + Fakes.FakeSageMakerRuntime.AccessKey, call.Headers["Authorization"]);
        Assert.Contains("/sagemaker/aws4_request", call.Headers["Authorization"]);
    }

    [Fact]
    public async Task Binary_bodies_pass_through_byte_for_byte()
    {
        var bytes = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31 % 251)).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var r = await f.Http.PostAsync("/v1/endpoints/echo/invocations", content);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(bytes, await r.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Configured_inference_component_is_sent_to_sagemaker()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/component/invocations") { Content = Body("{\"x\":1}") };
        request.Headers.Add("X-Amzn-SageMaker-Custom-Attributes", "trace=component");
        request.Headers.Add("X-Amzn-SageMaker-Inference-Component", "someone-elses");
        using var r = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var call = f.SageMaker.Calls.Last(c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == "trace=component");
        Assert.Equal("component-a", call.Headers["X-Amzn-SageMaker-Inference-Component"]);
    }

    [Fact]
    public async Task Every_response_carries_our_request_id_and_honours_a_given_one()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/echo/invocations") { Content = Body("{}") };
        request.Headers.Add("x-request-id", "client-chosen-id-42");
        using var r = await f.Http.SendAsync(request);
        Assert.Equal("client-chosen-id-42", Header(r, "x-request-id"));
    }

    [Fact]
    public async Task Request_logs_are_json_with_ids_and_emf_metrics_are_emitted_without_payloads()
    {
        const string secretPayload = "{\"secret\":\"do-not-log-this-payload\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/echo/invocations") { Content = Body(secretPayload) };
        request.Headers.Add("x-amzn-request-context", "{\"requestId\":\"apigw-req-777\",\"identity\":{\"userArn\":\"arn:aws:iam::123456789012:user/alice\"}}");
        using var r = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("apigw-req-777", Header(r, "x-request-id"));

        // One JSON line per request: the access log and the EMF record in one.
        var log = await AccessLogAsync(f.HandlerOutput, "apigw-req-777");
        Assert.Equal("arn:aws:iam::123456789012:user/alice", log.GetProperty("Caller").GetString());
        Assert.Equal("echo", log.GetProperty("Model").GetString());
        Assert.Equal(200, log.GetProperty("Status").GetInt32());
        Assert.Equal("/v1/endpoints/{model}/invocations", log.GetProperty("Route").GetString());
        Assert.True(log.GetProperty("LatencyMs").GetDouble() > 0);
        Assert.Equal(Header(r, "x-upstream-request-id"), log.GetProperty("UpstreamRequestId").GetString());

        var directive = log.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0];
        Assert.Equal("AwsModelPlatform/Inference", directive.GetProperty("Namespace").GetString());
        Assert.Equal(["Api", "Model"], directive.GetProperty("Dimensions")[0].EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(HandlerFixture.ApiName, log.GetProperty("Api").GetString()); // Api__Name: dev and prod never share a metric
        Assert.Equal(["Latency", "Requests", "Errors", "Throttles", "Wakes", "Fallbacks"], directive.GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString()));
        Assert.Equal(0, log.GetProperty("Errors").GetInt32());
        Assert.Equal(log.GetProperty("LatencyMs").GetDouble(), log.GetProperty("Latency").GetDouble());

        Assert.DoesNotContain(f.HandlerOutput, l => l.Contains("do-not-log-this-payload"));
        Assert.DoesNotContain(f.HandlerOutput, l => l.Contains(Fakes.FakeSageMakerRuntime.SecretKey));
    }
}
