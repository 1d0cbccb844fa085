using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AwsModelPlatform.Handlers.Tests.Fakes;

/// <summary>
/// A pass-through proxy in front of moto's S3 that holds each PUT of an async record (<c>/requests/{id}.json</c>) for a
/// while before forwarding it: the window in which a test hangs up on the handler after SageMaker accepted. A PUT its
/// sender abandons during the hold is never forwarded, as a cancelled S3 call would not be written.
/// </summary>
public sealed class RecordHoldingS3Proxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Transfer-Encoding", "Expect", "Content-Length" };
    private readonly WebApplication _app;
    private readonly HttpClient _s3;
    private readonly TimeSpan _hold;

    /// <summary>Completes with the id of the first record PUT that reached the proxy.</summary>
    public TaskCompletionSource<string> RecordPutStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri Url { get; }

    private RecordHoldingS3Proxy(WebApplication app, Uri url, Uri s3, TimeSpan hold)
    {
        (_app, Url, _hold) = (app, url, hold);
        _s3 = new HttpClient { BaseAddress = s3, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<RecordHoldingS3Proxy> StartAsync(Uri s3, TimeSpan hold)
    {
        var (app, url) = TestServers.Create();
        var proxy = new RecordHoldingS3Proxy(app, url, s3, hold);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        return proxy;
    }

    private async Task ForwardAsync(HttpContext http)
    {
        var target = http.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var path = target.Split('?')[0];
        if (HttpMethods.IsPut(http.Request.Method) && path.Contains("/requests/", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal))
        {
            RecordPutStarted.TrySetResult(path[(path.LastIndexOf('/') + 1)..^".json".Length]);
            await Task.Delay(_hold, http.RequestAborted);
        }

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), target.TrimStart('/'));
        if (body.Length > 0 || HttpMethods.IsPut(http.Request.Method) || HttpMethods.IsPost(http.Request.Method))
            request.Content = new ByteArrayContent(body.ToArray());
        foreach (var (name, values) in http.Request.Headers)
        {
            if (HopByHop.Contains(name)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray())) request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        using var response = await _s3.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        http.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            if (!HopByHop.Contains(name) || name == "Content-Length") http.Response.Headers[name] = values.ToArray();
        await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _s3.Dispose();
    }
}
