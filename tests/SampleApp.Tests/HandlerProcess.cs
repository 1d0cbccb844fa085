using System.Collections.Concurrent;
using System.Diagnostics;
using AwsModelPlatform.Handlers.Tests.Fakes;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// The construct-built <c>bootstrap</c> running as Lambda would run it: only the given environment (the function's
/// configuration, credentials, endpoints) and the adapter's <c>ASPNETCORE_URLS</c> on a free port; ready once
/// <c>/healthz</c> answers, as the Lambda Web Adapter waits for it.
/// </summary>
public sealed class HandlerProcess : IDisposable
{
    private readonly Process _process;
    public Uri Url { get; }
    public ConcurrentQueue<string> Output { get; } = new();
    public HttpClient Http { get; }

    private HandlerProcess(Process process, Uri url)
    {
        (_process, Url) = (process, url);
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
    }

    public static async Task<HandlerProcess> StartAsync(string bootstrap, IReadOnlyDictionary<string, string> environment)
    {
        var url = new Uri($"http://127.0.0.1:{TestServers.FreePort()}/");
        var start = new ProcessStartInfo(bootstrap) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Nothing of this machine's AWS setup or earlier configuration leaks in.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.Contains("__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        start.Environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        var handler = new HandlerProcess(Process.Start(start)!, url);
        handler._process.OutputDataReceived += (_, e) => { if (e.Data is not null) handler.Output.Enqueue(e.Data); };
        handler._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) handler.Output.Enqueue("stderr: " + e.Data); };
        handler._process.BeginOutputReadLine();
        handler._process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (handler._process.HasExited)
            {
                var failure = new InvalidOperationException($"The handler exited with {handler._process.ExitCode}:\n{handler.Log()}");
                handler.Dispose();
                throw failure;
            }
            try
            {
                using var r = await handler.Http.GetAsync("healthz");
                if (r.IsSuccessStatusCode) return handler;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(50);
        }
        handler.Dispose();
        throw new TimeoutException("The handler did not answer /healthz within 30 s.");
    }

    /// <summary>The handler's last lines of output, for assertion messages.</summary>
    public string Log(int lines = 20) => string.Join('\n', Output.TakeLast(lines));

    public void Dispose()
    {
        Http.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
