using System.Net;
using System.Text.Json;
using Amazon.S3.Model;
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

    [Fact]
    public async Task A_record_written_by_another_instance_is_answered()
    {
        // "A crash after the 202": the record in S3 is all a fresh instance has, and it is enough.
        var id = Guid.NewGuid().ToString("N");
        await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = HandlerFixture.Bucket, Key = $"handler/outputs-elsewhere/{id}.out", ContentBody = "{\"done\":true}", ContentType = "application/json" });
        await f.S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = HandlerFixture.Bucket,
            Key = $"handler/requests/{id}.json",
            ContentType = "application/json",
            ContentBody = JsonSerializer.Serialize(new
            {
                Id = id, Model = "async-echo", EndpointName = "echo", InputLocation = $"s3://{HandlerFixture.Bucket}/handler/inputs/{id}",
                OutputLocation = $"s3://{HandlerFixture.Bucket}/handler/outputs-elsewhere/{id}.out", FailureLocation = (string?)null,
                InferenceId = id, Caller = "someone", CreatedAt = DateTimeOffset.UtcNow,
            }),
        });
        using var r = await f.Http.GetAsync($"/v1/async-invocations/{id}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("{\"done\":true}", JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Unknown_id_is_404()
    {
        using var r = await f.Http.GetAsync($"/v1/async-invocations/{Guid.NewGuid():N}");
        await AssertProblemAsync(r, 404, "not-found");
    }

    [Fact]
    public async Task Async_body_over_the_model_limit_is_413_and_nothing_is_stored()
    {
        using var r = await f.Http.PostAsync("/v1/endpoints/tiny/async-invocations", Body(new string('x', 2048), "text/plain"));
        await AssertProblemAsync(r, 413);
    }

    private async Task<HttpResponseMessage> SubmitWithKey(string key, string body, string? caller = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/endpoints/async-echo/async-invocations") { Content = Body(body) };
        request.Headers.Add("Idempotency-Key", key);
        if (caller is not null) request.Headers.Add("x-amzn-request-context", $"{{\"authorizer\":{{\"principalId\":\"{caller}\"}}}}");
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

    [Fact]
    public async Task An_interrupted_idempotent_submission_is_finished_by_its_retry()
    {
        // The first attempt stored the input and died before SageMaker or the record: the retry completes it.
        var key = "interrupted-" + Guid.NewGuid().ToString("N");
        using var probe = await SubmitWithKey(key, "{\"probe\":true}", caller: "probe-caller");
        var probeId = IdOf(await probe.Content.ReadAsStringAsync());
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"anonymous\nasync-echo\n{key}")))[..32];
        Assert.NotEqual(probeId, id);
        await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = HandlerFixture.Bucket, Key = $"handler/inputs/{id}", ContentBody = "{\"stored\":\"before the crash\"}", ContentType = "application/json" });

        // The retry's body differs: the stored input (written with If-None-Match: *, never overwritten) is what runs.
        using var retry = await SubmitWithKey(key, "{\"stored\":\"by the retry\"}");
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(id, IdOf(await retry.Content.ReadAsStringAsync()));
        Assert.Null(Header(retry, "Idempotent-Replayed"));
        var (_, body) = await Poll($"/v1/async-invocations/{id}", "completed");
        Assert.Equal("{\"stored\":\"before the crash\"}", body.GetProperty("output").GetString());
    }

    [Fact]
    public async Task An_idempotency_key_with_spaces_is_400()
    {
        using var r = await SubmitWithKey("has space", "{}");
        await AssertProblemAsync(r, 400);
    }
}
