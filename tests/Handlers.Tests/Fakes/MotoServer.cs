using System.Diagnostics;

namespace AwsModelPlatform.Handlers.Tests.Fakes;

/// <summary>moto_server on a free loopback port; stopped by its process id.</summary>
public sealed class MotoServer : IDisposable
{
    private readonly Process _process;
    public Uri Url { get; }

    private MotoServer(Process process, Uri url) => (_process, Url) = (process, url);

    /// <param name="environment">Extra environment of the server, e.g. <c>INITIAL_NO_AUTH_ACTION_COUNT</c> to enforce IAM.</param>
    public static async Task<MotoServer> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = TestServers.FreePort();
        var start = new ProcessStartInfo("moto_server", ["-H", "127.0.0.1", "-p", port.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start (pip package moto[server]).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var url = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"moto_server exited with {process.ExitCode}.");
            try
            {
                using var r = await http.GetAsync(new Uri(url, "moto-api/"));
                return new MotoServer(process, url);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException("moto_server did not answer within 30 s.");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
