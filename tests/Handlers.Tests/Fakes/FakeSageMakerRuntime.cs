using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Amazon.Runtime.EventStreams;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.Handlers.Tests.Fakes;

/// <summary>One call the front received, for assertions on the headers the handler mapped.</summary>
public sealed record ReceivedCall(string Endpoint, string Operation, IReadOnlyDictionary<string, string> Headers, int BodyLength);

/// <summary>
/// A fake SageMaker Runtime: the real REST paths and headers, REST-JSON errors with <c>X-Amzn-ErrorType</c>,
/// responses streamed as <c>application/vnd.amazon.eventstream</c>, every request's SigV4 signature verified.
/// Endpoints are named after what they do (fault injection); each forwards to the model server. An inference component
/// of <see cref="Capacity"/> with no copy answers as SageMaker does (400 <c>ValidationError</c>, "Inference Component has no
/// capacity ..."); components it does not list always have a copy.
/// </summary>
public sealed class FakeSageMakerRuntime : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string AccessKey = "AKIDHANDLERTESTS0001";
    public const string SecretKey = "handler-tests-secret-key-0000000000000000";

    private readonly WebApplication _app;
    private readonly HttpClient _model;
    private readonly IAmazonS3 _s3;
    private readonly SigV4Verifier _verifier = new(Region, "sagemaker", new Dictionary<string, string> { [AccessKey] = SecretKey });
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    public ConcurrentQueue<ReceivedCall> Calls { get; } = new();
    public Uri Url { get; }

    /// <summary>The inference components (and variants) whose copies the control-plane front changes.</summary>
    public FakeCapacity Capacity { get; }

    private FakeSageMakerRuntime(WebApplication app, Uri url, Uri modelServer, IAmazonS3 s3, FakeCapacity capacity)
    {
        _app = app;
        Url = url;
        _s3 = s3;
        Capacity = capacity;
        _model = new HttpClient { BaseAddress = modelServer, Timeout = Timeout.InfiniteTimeSpan };
    }

    public static async Task<FakeSageMakerRuntime> StartAsync(Uri modelServer, IAmazonS3 s3, FakeCapacity? capacity = null)
    {
        var (app, url) = TestServers.Create();
        var front = new FakeSageMakerRuntime(app, url, modelServer, s3, capacity ?? new FakeCapacity());
        app.MapPost("/endpoints/{name}/{operation}", front.HandleAsync);
        await app.StartAsync();
        return front;
    }

    /// <summary>SageMaker's answer to an invocation of an inference component with no copy, word for word (AWS's scale-to-zero announcement, December 2024).</summary>
    public const string NoCapacityMessage = "Inference Component has no capacity to process this request. ApplicationAutoScaling may be in-progress (if configured) " +
        "or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API.";

    /// <summary>Which model behaviour an endpoint hosts; the endpoint's name also selects its faults.</summary>
    private static string Behaviour(string endpoint) => endpoint switch
    {
        "model-error" => "error",
        "slow" => "slow",
        "llm" or "stream-llm-error" => "openai",
        "sse" or "stream-model-error" or "stream-internal-failure" or "stream-cut" or "stream-bad-crc" => "sse",
        "jsonlines" or "stream-jsonlines-error" => "jsonlines",
        "paced" or "stream-cut-binary" => "paced",
        "stream-stall" => "stall",
        "long-stream" => "long",
        "async-fail" => "error",
        _ => "echo",
    };

    private async Task HandleAsync(string name, string operation, HttpContext http)
    {
        http.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        using var copy = new MemoryStream();
        await http.Request.Body.CopyToAsync(copy);
        var body = copy.ToArray();

        var (ok, errorType, message) = _verifier.Verify(http.Request, body, DateTimeOffset.UtcNow);
        Calls.Enqueue(new ReceivedCall(name, operation, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.Length));
        if (!ok)
        {
            await Error(http, 403, errorType, message);
            return;
        }

        if (operation is "invocations" or "invocations-response-stream"
            && Capacity.Components.TryGetValue(http.Request.Headers["X-Amzn-SageMaker-Inference-Component"].ToString(), out var component)
            && component.State(DateTimeOffset.UtcNow).Current == 0)
        {
            component.NoCapacityInvocation(DateTimeOffset.UtcNow);
            await Error(http, 400, "ValidationError", NoCapacityMessage);
            return;
        }

        var key = name + "|" + http.Request.Headers["X-Amzn-SageMaker-Custom-Attributes"];
        switch (name)
        {
            case "throttle-twice" when _attempts.AddOrUpdate(key, 1, (_, n) => n + 1) <= 2:
                // SageMaker answers throttling with 400 and X-Amzn-ErrorType ThrottlingException.
                await Error(http, 400, "ThrottlingException", "Rate exceeded");
                return;
            case "throttled":
                http.Response.Headers.RetryAfter = "2";
                await Error(http, 400, "ThrottlingException", "Rate exceeded");
                return;
            case "not-ready":
                await Error(http, 429, "ModelNotReadyException", "Model is not ready; the endpoint is scaling from zero.");
                return;
            case "unavailable":
                await Error(http, 503, "ServiceUnavailable", "Service is temporarily unavailable.");
                return;
            case "dependency":
                await Error(http, 530, "InternalDependencyException", "An internal dependency failed.");
                return;
            case "validation":
                await Error(http, 400, "ValidationError", "Endpoint validation of the request failed.");
                return;
        }

        switch (operation)
        {
            case "invocations":
                await InvokeAsync(name, http, body);
                return;
            case "invocations-response-stream":
                await InvokeStreamAsync(name, http, body);
                return;
            case "async-invocations":
                await InvokeAsyncAsync(name, http);
                return;
            default:
                await Error(http, 404, "UnknownOperationException", "Unknown operation.");
                return;
        }
    }

    private HttpRequestMessage ToModel(string endpoint, HttpContext http, byte[] body, string? contentType, string? accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "invocations") { Content = new ByteArrayContent(body) };
        if (contentType is { Length: > 0 }) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (accept is { Length: > 0 }) request.Headers.TryAddWithoutValidation("Accept", accept);
        if (http.Request.Headers["X-Amzn-SageMaker-Custom-Attributes"].ToString() is { Length: > 0 } attrs)
            request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Custom-Attributes", attrs);
        request.Headers.TryAddWithoutValidation(ModelServer.BehaviourHeader, Behaviour(endpoint));
        return request;
    }

    private async Task InvokeAsync(string name, HttpContext http, byte[] body)
    {
        using var request = ToModel(name, http, body, http.Request.ContentType, http.Request.Headers.Accept);
        using var response = await _model.SendAsync(request, http.RequestAborted);
        var output = await response.Content.ReadAsByteArrayAsync(http.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            await ModelError(http, (int)response.StatusCode, Encoding.UTF8.GetString(output));
            return;
        }
        http.Response.Headers["x-Amzn-Invoked-Production-Variant"] = http.Request.Headers["X-Amzn-SageMaker-Target-Variant"].ToString() is { Length: > 0 } v ? v : "AllTraffic";
        if (response.Headers.TryGetValues("X-Amzn-SageMaker-Custom-Attributes", out var attrs))
            http.Response.Headers["X-Amzn-SageMaker-Custom-Attributes"] = string.Join(",", attrs);
        http.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
        await http.Response.Body.WriteAsync(output, http.RequestAborted);
    }

    private async Task InvokeStreamAsync(string name, HttpContext http, byte[] body)
    {
        using var request = ToModel(name, http, body, http.Request.ContentType, http.Request.Headers["X-Amzn-SageMaker-Accept"]);
        using var response = await _model.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            await ModelError(http, (int)response.StatusCode, await response.Content.ReadAsStringAsync(http.RequestAborted));
            return;
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/vnd.amazon.eventstream";
        http.Response.Headers["X-Amzn-SageMaker-Content-Type"] = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
        http.Response.Headers["x-Amzn-Invoked-Production-Variant"] = "AllTraffic";
        await http.Response.StartAsync();

        // The OpenAI endpoint splits the model's bytes into 7-byte parts so SSE lines straddle PayloadPart boundaries.
        var split = name is "llm" or "stream-llm-error" ? 7 : int.MaxValue;
        await using var modelStream = await response.Content.ReadAsStreamAsync(http.RequestAborted);
        var buffer = new byte[8192];
        var parts = 0;
        int read;
        while ((read = await modelStream.ReadAsync(buffer, http.RequestAborted)) > 0)
        {
            for (var offset = 0; offset < read; offset += split)
            {
                var chunk = buffer.AsSpan(offset, Math.Min(split, read - offset)).ToArray();
                parts++;
                if (name == "stream-bad-crc" && parts == 2)
                {
                    var frame = EventStreamFrames.PayloadPart(chunk);
                    frame[frame.Length - 6] ^= 0xFF; // corrupt the payload: the message CRC no longer matches
                    await Write(http, frame);
                    return;
                }
                if (name is "stream-cut" or "stream-cut-binary" && parts == 2)
                {
                    var frame = EventStreamFrames.PayloadPart(chunk);
                    await Write(http, frame.AsSpan(0, frame.Length / 2).ToArray());
                    http.Abort();
                    return;
                }
                await Write(http, EventStreamFrames.PayloadPart(chunk));
                if (parts == 2 && name is "stream-model-error" or "stream-jsonlines-error" or "stream-llm-error")
                {
                    await Write(http, EventStreamFrames.Exception("ModelStreamError", "{\"Message\":\"The model crashed while generating.\",\"ErrorCode\":\"ModelCrashed\"}"));
                    return;
                }
                if (parts == 2 && name == "stream-internal-failure")
                {
                    await Write(http, EventStreamFrames.Exception("InternalStreamFailure", "{\"Message\":\"Internal stream failure.\"}"));
                    return;
                }
            }
        }
    }

    private async Task InvokeAsyncAsync(string name, HttpContext http)
    {
        var input = http.Request.Headers["X-Amzn-SageMaker-InputLocation"].ToString();
        if (!input.StartsWith("s3://", StringComparison.Ordinal))
        {
            await Error(http, 400, "ValidationError", "InputLocation must be an s3:// URI.");
            return;
        }
        var (bucket, key) = (input[5..].Split('/', 2)[0], input[5..].Split('/', 2)[1]);
        try
        {
            await _s3.GetObjectMetadataAsync(bucket, key);
        }
        catch (AmazonS3Exception)
        {
            await Error(http, 400, "ValidationError", $"Could not read the input at {input}.");
            return;
        }
        var id = http.Request.Headers["X-Amzn-SageMaker-Inference-Id"].ToString() is { Length: > 0 } given ? given : Guid.NewGuid().ToString();
        var output = $"s3://{bucket}/fake-sagemaker/outputs/{id}.out";
        var failure = $"s3://{bucket}/fake-sagemaker/failures/{id}-error.out";
        var contentType = http.Request.Headers["X-Amzn-SageMaker-Content-Type"].ToString();
        var attrs = http.Request.Headers["X-Amzn-SageMaker-Custom-Attributes"].ToString();
        _ = Task.Run(async () =>
        {
            // Like SageMaker's queue: the work happens later, the output lands in S3.
            await Task.Delay(attrs.Contains("delay=long") ? 3000 : 500);
            using var got = await _s3.GetObjectAsync(bucket, key);
            using var copy = new MemoryStream();
            await got.ResponseStream.CopyToAsync(copy);
            using var request = new HttpRequestMessage(HttpMethod.Post, "invocations") { Content = new ByteArrayContent(copy.ToArray()) };
            if (contentType.Length > 0) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            request.Headers.TryAddWithoutValidation(ModelServer.BehaviourHeader, Behaviour(name));
            using var response = await _model.SendAsync(request);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var target = response.IsSuccessStatusCode ? output : failure;
            await _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = target[(5 + bucket.Length + 1)..],
                InputStream = new MemoryStream(bytes),
                ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream",
            });
        });
        http.Response.StatusCode = 202;
        http.Response.Headers["X-Amzn-SageMaker-OutputLocation"] = output;
        http.Response.Headers["X-Amzn-SageMaker-FailureLocation"] = failure;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["InferenceId"] = id }));
    }

    private static async Task Write(HttpContext http, byte[] frame)
    {
        await http.Response.Body.WriteAsync(frame);
        await http.Response.Body.FlushAsync();
    }

    private static Task ModelError(HttpContext http, int originalStatus, string originalMessage)
    {
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ErrorCode"] = "CLIENT_ERROR_FROM_MODEL",
            ["LogStreamArn"] = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/test",
            ["Message"] = $"Received client error ({originalStatus}) from primary with message \"{originalMessage}\".",
            ["OriginalMessage"] = originalMessage,
            ["OriginalStatusCode"] = originalStatus,
        });
        return Raw(http, 424, "ModelError", payload);
    }

    private static Task Error(HttpContext http, int status, string errorType, string message) =>
        Raw(http, status, errorType, JsonSerializer.Serialize(new Dictionary<string, string> { ["message"] = message }));

    private static async Task Raw(HttpContext http, int status, string errorType, string json)
    {
        http.Response.StatusCode = status;
        http.Response.Headers["X-Amzn-ErrorType"] = errorType + ":http://internal.amazon.com/coral/com.amazon.sagemaker/";
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _model.Dispose();
    }
}

/// <summary>Encodes event-stream frames as SageMaker sends them (AWSSDK.Core's encoder; botocore's decoder cross-checks it).</summary>
public static class EventStreamFrames
{
    public static byte[] PayloadPart(byte[] bytes) => Message(bytes,
        ("message-type", "event"), ("event-type", "PayloadPart"), ("content-type", "application/octet-stream"));

    public static byte[] Exception(string type, string json) => Message(Encoding.UTF8.GetBytes(json),
        ("message-type", "exception"), ("exception-type", type), ("content-type", "application/json"));

    private static byte[] Message(byte[] payload, params (string Name, string Value)[] headers)
    {
        var list = new List<IEventStreamHeader>();
        foreach (var (name, value) in headers)
        {
            var h = new EventStreamHeader(":" + name);
            h.SetString(value);
            list.Add(h);
        }
        return new EventStreamMessage(list, payload).ToByteArray();
    }
}
