using System.Diagnostics;

namespace AwsModelPlatform.Handlers.Tests.Fakes;

/// <summary>moto_server on a free loopback port; stopped by its process id.</summary>
public sealed class MotoServer : IDisposable
{
    private readonly Process _process;
    public Uri Url { get; }

    private MotoServer(Process process, Uri url) => (_process, Url) = (process, url);

    /// <summary>
    /// moto's own server, but answering one request at a time. moto applies a conditional write as a read, a check and a
    /// write in Python, which its threaded server interleaves between requests; DynamoDB applies each conditional write to
    /// an item atomically. Serving one request at a time restores that guarantee, and keeps what a test of a limiter must
    /// catch: a client that reads, decides and then writes still races, since its requests interleave.
    /// </summary>
    private const string OneRequestAtATime = """
        import sys
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import run_simple
        run_simple(sys.argv[1], int(sys.argv[2]), DomainDispatcherApplication(create_backend_app), threaded=False)
        """;

    /// <param name="environment">Extra environment of the server, e.g. <c>INITIAL_NO_AUTH_ACTION_COUNT</c> to enforce IAM.</param>
    /// <param name="oneRequestAtATime">Serve requests one at a time, for tests of atomic conditional writes (<see cref="OneRequestAtATime"/>).</param>
    public static async Task<MotoServer> StartAsync(IReadOnlyDictionary<string, string>? environment = null, bool oneRequestAtATime = false)
    {
        var port = TestServers.FreePort();
        var start = oneRequestAtATime
            ? new ProcessStartInfo("python3", ["-c", OneRequestAtATime, "127.0.0.1", port.ToString()])
            : new ProcessStartInfo("moto_server", ["-H", "127.0.0.1", "-p", port.ToString()]);
        start.Environment["MOTO_PORT"] = port.ToString();
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
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
