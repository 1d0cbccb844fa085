using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Amazon.S3.Model;
using AwsModelPlatform.Handlers.Tests.Fakes;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

[Collection(HandlerCollection.Name)]
public sealed class AsyncInvocationTests(HandlerFixture f)
{
    private async Task<JsonElement> Submit(string model, string body, string? attrs = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/endpoints/{model}/async-invocations") { Content = Body(body) };
        if (attrs is not null) request.Headers.Add("X-Amzn-SageMaker-Custom-Attributes", attrs);
        using var r = await f.Http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, text);
        var accepted = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("pending", accepted.GetProperty("status").GetString());
        Assert.Equal(accepted.GetProperty("statusUrl").GetString(), r.Headers.Location?.ToString());
        return accepted;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Poll(string statusUrl, string until)
    {
        for (var i = 0; i < 100; i++)
        {
            using var r = await f.Http.GetAsync(statusUrl);
            var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
            if (body.GetProperty("status").GetString() == until) return (r.StatusCode, body);
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            await Task.Delay(100);
        }
        throw new TimeoutException($"{statusUrl} never became {until}");
    }

    [Fact]
    public async Task Accepted_request_is_durable_in_s3_encrypted_before_the_202()
    {
        var accepted = await Submit("async-echo", "{\"prompt\":\"durable\"}", "delay=long");
        var id = accepted.GetProperty("id").GetString()!;

        // Both the input and the record exist, under the KMS key, the moment the 202 is out.
        var input = await f.S3.GetObjectMetadataAsync(HandlerFixture.Bucket, $"handler/inputs/{id}");
        Assert.Equal(Amazon.S3.ServerSideEncryptionMethod.AWSKMS, input.ServerSideEncryptionMethod);
        Assert.Contains(f.KmsKeyId, input.ServerSideEncryptionKeyManagementServiceKeyId);
        using var record = await f.S3.GetObjectAsync(HandlerFixture.Bucket, $"handler/requests/{id}.json");
        Assert.Equal(Amazon.S3.ServerSideEncryptionMethod.AWSKMS, record.ServerSideEncryptionMethod);
        var stored = await JsonDocument.ParseAsync(record.ResponseStream);
        Assert.Equal("async-echo", stored.RootElement.GetProperty("Model").GetString());
        Assert.StartsWith("s3://", stored.RootElement.GetProperty("OutputLocation").GetString());

        // SageMaker was called with the input's location, not the payload.
        var call = f.SageMaker.Calls.Last(c => c.Operation == "async-invocations" && c.Headers.GetValueOrDefault("X-Amzn-SageMaker-Custom-Attributes") == "delay=long");
        Assert.Equal($"s3://{HandlerFixture.Bucket}/handler/inputs/{id}", call.Headers["X-Amzn-SageMaker-InputLocation"]);
        Assert.Equal(0, call.BodyLength);

        // Still pending while the fake's queue holds it.
        using var pending = await f.Http.GetAsync(accepted.GetProperty("statusUrl").GetString());
        Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
    }

    [Fact]
    public async Task Completed_small_output_is_returned_inline()
    {
        var accepted = await Submit("async-echo", "{\"prompt\":\"small\"}");
        var (status, body) = await Poll(accepted.GetProperty("statusUrl").GetString()!, "completed");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("{\"prompt\":\"small\"}", body.GetProperty("output").GetString());
        Assert.Equal("async-echo", body.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Completed_large_output_is_a_presigned_url()
    {
        var payload = "{\"blob\":\"" + new string('b', 100_000) + "\"}";
        var accepted = await Submit("async-echo", payload);
        var (_, body) = await Poll(accepted.GetProperty("statusUrl").GetString()!, "completed");
        Assert.False(body.TryGetProperty("output", out _));
        var url = body.GetProperty("outputUrl").GetString()!;
        Assert.Contains("X-Amz-Signature=", url);
        using var plain = new HttpClient();
        Assert.Equal(payload, await plain.GetStringAsync(url));
    }

    [Fact]
    public async Task Failed_invocation_reports_the_failure_body()
    {
        var accepted = await Submit("async-fail", "{\"prompt\":\"bad\"}");
        var (status, body) = await Poll(accepted.GetProperty("statusUrl").GetString()!, "failed");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("the model rejects this input", body.GetProperty("failure").GetString());
    }

    /// <summary>A record as the handler writes it, for an output or failure object a test puts in place.</summary>
    private async Task PutRecordAsync(string id, string caller, string? outputKey, string? failureKey = null)
    {
        await f.S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = HandlerFixture.Bucket,
            Key = $"handler/requests/{id}.json",
            ContentType = "application/json",
            ContentBody = JsonSerializer.Serialize(new
            {
                Id = id, Model = "async-echo", EndpointName = "echo", InputLocation = $"s3://{HandlerFixture.Bucket}/handler/inputs/{id}",
                OutputLocation = outputKey is null ? null : $"s3://{HandlerFixture.Bucket}/{outputKey}",
                FailureLocation = failureKey is null ? null : $"s3://{HandlerFixture.Bucket}/{failureKey}",
                InferenceId = id, Caller = caller, CreatedAt = DateTimeOffset.UtcNow,
            }),
        });
    }

    private static string ContextOf(string caller) => $"{{\"authorizer\":{{\"principalId\":\"{caller}\"}}}}";

    private async Task<HttpResponseMessage> GetAs(string path, string? caller)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (caller is not null) request.Headers.Add("x-amzn-request-context", ContextOf(caller));
        return await f.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_record_written_by_another_instance_is_answered()
    {
        // "A crash after the 202": the record in S3 is all a fresh instance has, and it is enough (for the same caller).
        var id = Guid.NewGuid().ToString("N");
        await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = HandlerFixture.Bucket, Key = $"handler/outputs-elsewhere/{id}.out", ContentBody = "{\"done\":true}", ContentType = "application/json" });
        await PutRecordAsync(id, "someone", $"handler/outputs-elsewhere/{id}.out");
        using var r = await GetAs($"/v1/async-invocations/{id}", "someone");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("{\"done\":true}", JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Another_callers_async_invocation_is_404_like_an_unknown_id()
    {
        var id = Guid.NewGuid().ToString("N");
        await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = HandlerFixture.Bucket, Key = $"handler/outputs-elsewhere/{id}.out", ContentBody = "{\"secret\":true}", ContentType = "application/json" });
        await PutRecordAsync(id, "owner", $"handler/outputs-elsewhere/{id}.out");

        using var intruder = await GetAs($"/v1/async-invocations/{id}", "intruder");
        var problem = await AssertProblemAsync(intruder, 404, "not-found");
        Assert.Equal($"No async invocation with id '{id}'.", problem.GetProperty("detail").GetString());
        using var anonymous = await GetAs($"/v1/async-invocations/{id}", null);
        await AssertProblemAsync(anonymous, 404, "not-found");
        using var owner = await GetAs($"/v1/async-invocations/{id}", "owner");
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [Fact]
    public async Task An_empty_output_or_failure_is_answered_without_a_ranged_read()
    {
        // S3 refuses a range on a 0-byte object (416 InvalidRange): an empty result must still be answered.
        var done = Guid.NewGuid().ToString("N");
        await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = HandlerFixture.Bucket, Key = $"handler/outputs-elsewhere/{done}.out", ContentBody = "", ContentType = "application/json" });
        await PutRecordAsync(done, "anonymous", $"handler/outputs-elsewhere/{done}.out");
        using var completed = await f.Http.GetAsync($"/v1/async-invocations/{done}");
        var text = await completed.Content.ReadAsStringAsync();
        Assert.True(completed.StatusCode == HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal("", body.GetProperty("output").GetString());

        var failed = Guid.NewGuid().ToString("N");
        await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = HandlerFixture.Bucket, Key = $"handler/failures-elsewhere/{failed}.out", ContentBody = "", ContentType = "text/plain" });
        await PutRecordAsync(failed, "anonymous", $"handler/outputs-elsewhere/{failed}.out", $"handler/failures-elsewhere/{failed}.out");
        using var failure = await f.Http.GetAsync($"/v1/async-invocations/{failed}");
        text = await failure.Content.ReadAsStringAsync();
        Assert.True(failure.StatusCode == HttpStatusCode.OK, text);
        body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Equal("", body.GetProperty("failure").GetString());
    }

    [Fact]
    public async Task An_id_with_a_trailing_newline_is_400()
    {
        using var r = await f.Http.GetAsync($"/v1/async-invocations/{Guid.NewGuid():N}%0A");
        await AssertProblemAsync(r, 400, "bad-request");
    }

    [Fact]
    public async Task Unknown_id_is_404()
    {
        using var r = await f.Http.GetAsync($"/v1/async-invocations/{Guid.NewGuid():N}");
        await AssertProblemAsync(r, 404, "not-found");
    }

    [Fact]
    public async Task A_record_bucket_that_does_not_exist_is_a_502_not_an_unknown_id()
    {
        // S3 answers 404 for a missing bucket too (NoSuchBucket): a misconfiguration, not "no such request".
        var env = new Dictionary<string, string>(f.AwsEnvironment(f.Moto.Url))
        {
            ["Api__RouteGroups"] = "inference",
            ["Inference__Async__Bucket"] = "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8],
        };
        AddModels(env, Model("async-echo", "echo"));
        var (process, url) = await HandlerFixture.StartHandlerAsync(env, new ConcurrentQueue<string>());
        try
        {
            using var http = new HttpClient { BaseAddress = url };
            using var r = await http.GetAsync($"/v1/async-invocations/{Guid.NewGuid():N}");
            var problem = await AssertProblemAsync(r, 502, "upstream-error");
            Assert.Equal("NoSuchBucket", problem.GetProperty("errorType").GetString());
        }
        finally
        {
            HandlerFixture.Stop(process);
        }
    }

    [Fact]
    public async Task Async_body_over_the_model_limit_is_413_and_nothing_is_stored()
    {
        using var r = await f.Http.PostAsync("/v1/endpoints/tiny/async-invocations", Body(new string('x', 2048), "text/plain"));
        await AssertProblemAsync(r, 413);
    }

    private async Task<HttpResponseMessage> SubmitWithKey(string key, string body, string? caller = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/async-echo/async-invocations") { Content = Body(body, contentType) };
        request.Headers.Add("Idempotency-Key", key);
        if (caller is not null) request.Headers.Add("x-amzn-request-context", ContextOf(caller));
        return await f.Http.SendAsync(request);
    }

    private static string IdOf(string text) => JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;

    [Fact]
    public async Task A_retried_submission_with_the_same_idempotency_key_is_accepted_once()
    {
        var key = "retry-" + Guid.NewGuid().ToString("N");
        using var first = await SubmitWithKey(key, "{\"n\":1}");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var id = IdOf(await first.Content.ReadAsStringAsync());
        using var second = await SubmitWithKey(key, "{\"n\":1}");
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(id, IdOf(await second.Content.ReadAsStringAsync()));
        Assert.Equal("true", Header(second, "Idempotent-Replayed"));
        Assert.Equal(1, f.SageMaker.Calls.Count(c => c.Operation == "async-invocations" && c.Headers.GetValueOrDefault("X-Amzn-SageMaker-InputLocation")?.EndsWith("/" + id) == true));

        using var other = await SubmitWithKey(key, "{\"n\":1}", caller: "someone-else");
        Assert.NotEqual(id, IdOf(await other.Content.ReadAsStringAsync()));
    }

    /// <summary>The digest the handler keeps of a submission (metadata <c>body-digest</c> of the input): SHA-256 of content type, newline, body.</summary>
    private static string DigestOf(string contentType, string body) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(contentType + "\n" + body)));

    /// <summary>What the first attempt of an idempotent submission left when it died after storing its input.</summary>
    private async Task<string> InterruptedAsync(string key, string body)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"anonymous\nasync-echo\n{key}")))[..32];
        var input = new PutObjectRequest { BucketName = HandlerFixture.Bucket, Key = $"handler/inputs/{id}", ContentBody = body, ContentType = "application/json" };
        input.Metadata["body-digest"] = DigestOf("application/json", body);
        await f.S3.PutObjectAsync(input);
        return id;
    }

    [Fact]
    public async Task An_interrupted_idempotent_submission_is_finished_by_its_retry()
    {
        // The first attempt stored the input and died before SageMaker or the record: the retry (same body) completes it.
        var key = "interrupted-" + Guid.NewGuid().ToString("N");
        using var probe = await SubmitWithKey(key, "{\"probe\":true}", caller: "probe-caller");
        var probeId = IdOf(await probe.Content.ReadAsStringAsync());
        var id = await InterruptedAsync(key, "{\"stored\":\"before the crash\"}");
        Assert.NotEqual(probeId, id);

        using var retry = await SubmitWithKey(key, "{\"stored\":\"before the crash\"}");
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(id, IdOf(await retry.Content.ReadAsStringAsync()));
        Assert.Null(Header(retry, "Idempotent-Replayed"));
        var (_, body) = await Poll($"/v1/async-invocations/{id}", "completed");
        Assert.Equal("{\"stored\":\"before the crash\"}", body.GetProperty("output").GetString());
    }

    [Fact]
    public async Task An_interrupted_idempotent_submission_retried_with_another_body_is_409()
    {
        // The stored input (never overwritten) is not what the retry asks for: running it would silently drop the new body.
        var key = "interrupted-other-" + Guid.NewGuid().ToString("N");
        var id = await InterruptedAsync(key, "{\"stored\":\"before the crash\"}");
        using var retry = await SubmitWithKey(key, "{\"stored\":\"by the retry\"}");
        await AssertProblemAsync(retry, 409, "idempotency-key-reused");
        Assert.DoesNotContain(f.SageMaker.Calls, c => c.Headers.GetValueOrDefault("X-Amzn-SageMaker-InputLocation")?.EndsWith("/" + id) == true);
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_and_another_body_is_409()
    {
        var key = "reused-" + Guid.NewGuid().ToString("N");
        using var first = await SubmitWithKey(key, "{\"n\":1}");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var otherBody = await SubmitWithKey(key, "{\"n\":2}");
        await AssertProblemAsync(otherBody, 409, "idempotency-key-reused");
        using var otherType = await SubmitWithKey(key, "{\"n\":1}", contentType: "text/plain");
        await AssertProblemAsync(otherType, 409, "idempotency-key-reused");
        using var same = await SubmitWithKey(key, "{\"n\":1}");
        Assert.Equal(HttpStatusCode.Accepted, same.StatusCode);
        Assert.Equal("true", Header(same, "Idempotent-Replayed"));
    }

    [Fact]
    public async Task An_idempotency_key_with_spaces_is_400()
    {
        using var r = await SubmitWithKey("has space", "{}");
        await AssertProblemAsync(r, 400);
    }

    /// <summary>Raw HTTP/1.1, to send header lines an <see cref="HttpClient"/> would merge or drop.</summary>
    private async Task<string> RawSubmitAsync(string headerLines)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(f.HandlerUrl.Host, f.HandlerUrl.Port);
        await using var net = tcp.GetStream();
        var request = $"POST /v1/endpoints/async-echo/async-invocations HTTP/1.1\r\nHost: {f.HandlerUrl.Authority}\r\nContent-Type: application/json\r\n" +
            $"Content-Length: 2\r\nConnection: close\r\n{headerLines}\r\n{{}}";
        await net.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(net, Encoding.UTF8);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("Idempotency-Key: one\r\nIdempotency-Key: two\r\n")]
    [InlineData("Idempotency-Key: \r\n")]
    public async Task An_idempotency_key_given_twice_or_empty_is_400(string headerLines)
    {
        var response = await RawSubmitAsync(headerLines);
        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("bad-request", response);
        Assert.Contains("Idempotency-Key must be one value", response);
    }

    [Fact]
    public async Task A_client_hanging_up_after_sagemaker_accepted_still_leaves_a_record()
    {
        // The record PUT is held 2 s; the client hangs up meanwhile. The id SageMaker accepted must not answer 404 forever.
        await using var proxy = await RecordHoldingS3Proxy.StartAsync(f.Moto.Url, TimeSpan.FromSeconds(2));
        var env = new Dictionary<string, string>(f.AwsEnvironment(proxy.Url))
        {
            ["Api__RouteGroups"] = "inference",
            ["Inference__Async__Bucket"] = HandlerFixture.Bucket,
            ["Inference__Async__Prefix"] = "handler",
            ["Inference__Async__KmsKeyId"] = f.KmsKeyId,
        };
        AddModels(env, Model("async-echo", "echo"));
        var (process, url) = await HandlerFixture.StartHandlerAsync(env, new ConcurrentQueue<string>());
        try
        {
            using var http = new HttpClient { BaseAddress = url };
            using var hangUp = new CancellationTokenSource();
            var submit = http.PostAsync("/v1/endpoints/async-echo/async-invocations", Body("{\"hang\":\"up\"}"), hangUp.Token);
            var id = await proxy.RecordPutStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await hangUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => submit);

            var status = HttpStatusCode.NotFound;
            for (var i = 0; i < 60 && status == HttpStatusCode.NotFound; i++)
            {
                await Task.Delay(100);
                using var r = await http.GetAsync($"/v1/async-invocations/{id}");
                status = r.StatusCode;
            }
            Assert.True(status is HttpStatusCode.Accepted or HttpStatusCode.OK, $"status {status}");
        }
        finally
        {
            HandlerFixture.Stop(process);
        }
    }
}
