using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.Handlers.Tests.Fakes;

/// <summary>
/// A model container speaking SageMaker's container contract: <c>GET /ping</c> and <c>POST /invocations</c>
/// (streaming its answer with chunked encoding). Its behaviour is chosen by the fake SageMaker front through
/// the test-only header <c>X-Test-Model-Behaviour</c>, standing for "which model is deployed on that endpoint".
/// </summary>
public sealed class ModelServer : IAsyncDisposable
{
    public const string BehaviourHeader = "X-Test-Model-Behaviour";
    private readonly WebApplication _app;
    public Uri Url { get; }

    private ModelServer(WebApplication app, Uri url) => (_app, Url) = (app, url);

    public static async Task<ModelServer> StartAsync()
    {
        var (app, url) = TestServers.Create();
        app.MapGet("/ping", () => Results.Ok());
        var server = new ModelServer(app, url);
        app.MapPost("/invocations", server.Invocations);
        await app.StartAsync();
        return server;
    }

    private int _cancelled;

    /// <summary>Slow requests whose caller went away before the model finished (cancellation reached the container).</summary>
    public int CancelledSlowRequests => Volatile.Read(ref _cancelled);

    private async Task Invocations(HttpContext http)
    {
        using var copy = new MemoryStream();
        await http.Request.Body.CopyToAsync(copy);
        var body = copy.ToArray();
        var behaviour = http.Request.Headers[BehaviourHeader].ToString();
        if (http.Request.Headers["X-Amzn-SageMaker-Custom-Attributes"].ToString() is { Length: > 0 } attrs)
            http.Response.Headers["X-Amzn-SageMaker-Custom-Attributes"] = "echo:" + attrs;
        switch (behaviour)
        {
            case "error":
                http.Response.StatusCode = 400;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"error\":\"the model rejects this input\"}");
                return;
            case "slow":
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _cancelled);
                    return;
                }
                goto default;
            case "sse":
                // A raw (non-OpenAI) token stream in SSE.
                http.Response.ContentType = "text/event-stream";
                foreach (var token in new[] { "alpha", "beta", "gamma", "delta" })
                {
                    await http.Response.WriteAsync($"data: {token}\n\n");
                    await http.Response.Body.FlushAsync();
                    await Task.Delay(30);
                }
                return;
            case "jsonlines":
                http.Response.ContentType = "application/jsonlines";
                for (var i = 0; i < 3; i++)
                {
                    await http.Response.WriteAsync($"{{\"token\":{i}}}\n");
                    await http.Response.Body.FlushAsync();
                    await Task.Delay(30);
                }
                return;
            case "stall":
                // One part, then silence: the handler's idle timeout must end the stream.
                http.Response.ContentType = "text/event-stream";
                await http.Response.WriteAsync("data: first\n\n");
                await http.Response.Body.FlushAsync();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
                return;
            case "long":
                // Outlasts the handler's first-byte deadline (3 s in the tests) while never idling near its 2 s idle timeout.
                http.Response.ContentType = "text/plain";
                for (var i = 0; i < 6; i++)
                {
                    await http.Response.WriteAsync($"t{i};");
                    await http.Response.Body.FlushAsync();
                    await Task.Delay(700);
                }
                return;
            case "paced":
                // Three parts 600 ms apart: lets a test see that parts reach the client as they are produced.
                http.Response.ContentType = "text/plain";
                for (var i = 0; i < 3; i++)
                {
                    await http.Response.WriteAsync($"part{i};");
                    await http.Response.Body.FlushAsync();
                    if (i < 2) await Task.Delay(600);
                }
                return;
            case "openai":
                await OpenAi(http, body);
                return;
            default:
                // Echo: the body and content type come back as they were sent, streamed in small chunks.
                http.Response.ContentType = http.Request.ContentType ?? "application/octet-stream";
                for (var i = 0; i < body.Length; i += 4096)
                {
                    await http.Response.Body.WriteAsync(body.AsMemory(i, Math.Min(4096, body.Length - i)));
                    await http.Response.Body.FlushAsync();
                }
                return;
        }
    }

    /// <summary>An OpenAI-speaking container (as vLLM/LMI/TGI are): chat, completions, embeddings, SSE streams.</summary>
    private static async Task OpenAi(HttpContext http, byte[] body)
    {
        var request = JsonNode.Parse(body)!.AsObject();
        var model = request["model"]?.GetValue<string>() ?? "unknown";
        var stream = request["stream"]?.GetValue<bool>() == true;
        var includeUsage = request["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        if (request.ContainsKey("input"))
        {
            await Json(http, new JsonObject
            {
                ["object"] = "list",
                ["model"] = model,
                ["data"] = new JsonArray(new JsonObject { ["object"] = "embedding", ["index"] = 0, ["embedding"] = new JsonArray(0.25, -0.5, 1.0) }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 3, ["total_tokens"] = 3 },
            });
            return;
        }
        var chat = request.ContainsKey("messages");
        var prompt = chat ? request["messages"]!.AsArray().Last()!["content"]?.ToString() ?? "" : request["prompt"]?.ToString() ?? "";
        var words = new[] { "Hello", " from", " the", " model:", " " + prompt };
        var usage = new JsonObject { ["prompt_tokens"] = 7, ["completion_tokens"] = words.Length, ["total_tokens"] = 7 + words.Length };
        if (!stream)
        {
            var choice = chat
                ? new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Concat(words) }, ["finish_reason"] = "stop" }
                : new JsonObject { ["index"] = 0, ["text"] = string.Concat(words), ["finish_reason"] = "stop" };
            await Json(http, new JsonObject
            {
                ["id"] = "cmpl-1", ["object"] = chat ? "chat.completion" : "text_completion", ["created"] = 1, ["model"] = model,
                ["choices"] = new JsonArray(choice), ["usage"] = usage,
            });
            return;
        }
        http.Response.ContentType = "text/event-stream";
        foreach (var word in words)
        {
            var choice = chat
                ? new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = word }, ["finish_reason"] = null }
                : new JsonObject { ["index"] = 0, ["text"] = word, ["finish_reason"] = null };
            var chunk = new JsonObject { ["id"] = "cmpl-1", ["object"] = chat ? "chat.completion.chunk" : "text_completion", ["created"] = 1, ["model"] = model, ["choices"] = new JsonArray(choice) };
            await http.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
            await http.Response.Body.FlushAsync();
        }
        if (includeUsage)
        {
            var last = new JsonObject { ["id"] = "cmpl-1", ["object"] = chat ? "chat.completion.chunk" : "text_completion", ["created"] = 1, ["model"] = model, ["choices"] = new JsonArray(), ["usage"] = usage };
            await http.Response.WriteAsync($"data: {last.ToJsonString()}\n\n");
        }
        await http.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static async Task Json(HttpContext http, JsonObject o)
    {
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(o.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
