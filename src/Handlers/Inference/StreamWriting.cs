using System.Text;
using System.Text.Json;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>Helpers for forwarding a stream to the client as it arrives and ending it with a visible error.</summary>
public static class StreamWriting
{
    public static async Task StartAsync(HttpContext http, string contentType)
    {
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.StatusCode = 200;
        http.Response.ContentType = contentType;
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.StartAsync(http.RequestAborted);
    }

    /// <summary>
    /// Ends a started stream after an upstream failure, in-band where the media type allows it: an SSE
    /// <c>event: error</c>, or a final <c>{"error": ...}</c> line for JSON Lines; any other media type cannot
    /// carry an error, so the connection is aborted (the client sees a cut chunked body, not a clean end).
    /// </summary>
    public static async Task EndWithErrorAsync(HttpContext http, string contentType, SageMakerStreamException e)
    {
        var ctx = http.Ctx();
        ctx.FailedAfterStart = true;
        var problem = StreamProblem(http, e);
        var json = JsonSerializer.Serialize(problem, HandlerJsonContext.Default.Problem);
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        string? tail = media switch
        {
            "text/event-stream" => $"event: error\ndata: {json}\n\n",
            "application/jsonlines" or "application/x-ndjson" or "application/x-jsonlines" or "application/jsonl" => $"{{\"error\":{json}}}\n",
            _ => null,
        };
        if (tail is null)
        {
            http.Abort();
            return;
        }
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(tail), http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    public static Problem StreamProblem(HttpContext http, SageMakerStreamException e)
    {
        var ctx = http.Ctx();
        return Problems.InStream(e) with { Instance = http.Request.Path.Value, RequestId = ctx.RequestId, UpstreamRequestId = ctx.UpstreamRequestId };
    }
}
