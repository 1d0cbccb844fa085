using System.Collections.Concurrent;
using System.Diagnostics;
using AwsModelPlatform.Handlers.Tests.Fakes;

namespace AwsModelPlatform.InferenceApi.Tests;

/// <summary>The asset the construct builds (Native AOT publish of src/Handlers) is a Lambda-ready executable.</summary>
[Collection(BuiltSampleApp.Collection)]
public class HandlerAssetTests(BuiltSampleApp app)
{
    [Fact]
    public void Both_functions_share_one_asset_holding_only_an_executable_bootstrap()
    {
        var buffered = app.AssetDirectory(app.Function("buffered").Properties);
        Assert.Equal(buffered, app.AssetDirectory(app.Function("response_stream").Properties));
        Assert.Equal(new[] { "bootstrap" }, Directory.GetFileSystemEntries(buffered).Select(Path.GetFileName));
        var mode = OperatingSystem.IsLinux() ? File.GetUnixFileMode(Path.Combine(buffered, "bootstrap")) : throw new PlatformNotSupportedException("the Lambda asset is built and run on Linux");
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute), $"bootstrap is not executable ({mode})");
        // A native ELF executable, not a managed assembly that would need a runtime Lambda's provided.al2023 lacks.
        var header = File.ReadAllBytes(Path.Combine(buffered, "bootstrap")).AsSpan(0, 4).ToArray();
        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, header);
    }

    [Fact]
    public async Task Bootstrap_starts_on_ASPNETCORE_URLS_and_answers_healthz()
    {
        var bootstrap = Path.Combine(app.AssetDirectory(app.Function("buffered").Properties), "bootstrap");
        var port = TestServers.FreePort();
        var start = new ProcessStartInfo(bootstrap) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("Inference__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        // What Lambda gives the function: its configuration (here: one model) and the adapter's ASPNETCORE_URLS, on a free port.
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["Inference__Models__llm__EndpointName"] = "llm";
        var output = new ConcurrentQueue<string>();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var clock = Stopwatch.StartNew();
            HttpResponseMessage? response = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(20) && response is null)
            {
                Assert.False(process.HasExited, "bootstrap exited:\n" + string.Join('\n', output));
                try { response = await http.GetAsync($"http://127.0.0.1:{port}/healthz"); }
                catch (HttpRequestException) { await Task.Delay(50); }
            }
            Assert.NotNull(response);
            Assert.Equal(System.Net.HttpStatusCode.OK, response!.StatusCode);
            Assert.Contains("\"ok\"", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
    }
}
