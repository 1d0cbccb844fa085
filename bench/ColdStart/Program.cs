// Time to first token from cold through the wake path and through the alarm path, side by side in one run.
//
//   dotnet run -c Release --project bench/ColdStart -- HANDLER_BOOTSTRAP WAKE_DELAY_S ALARM_DELAY_S REPETITIONS
//
// Two handler processes (the published binary HANDLER_BOOTSTRAP, production wake settings) against one fake SageMaker
// (tests/Handlers.Tests/Fakes: the runtime answers a component with no copy exactly as SageMaker does, the control plane
// verifies SigV4). Handler "wake" has Inference:Wake:Enabled on (it calls UpdateInferenceComponentRuntimeConfig on the first
// no-capacity answer); handler "alarm" has it off, and its components get their copy only through the fake's alarm path:
// ALARM_DELAY_S after the first no-capacity answer (the modelled CloudWatch alarm and step-scaling action), then
// WAKE_DELAY_S (the modelled instance launch and model load). Each path gets REPETITIONS asleep components, all requested
// at once: one streamed OpenAI chat completion each, timed from the request to the first `data:` event (the first token).
// Prints one JSON line: per path, the times in seconds and the keep-alives each client saw while it waited.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using AwsModelPlatform.Handlers.Tests.Fakes;

var handler = args[0];
var wakeDelay = TimeSpan.FromSeconds(double.Parse(args[1], CultureInfo.InvariantCulture));
var alarmDelay = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
var repetitions = int.Parse(args[3], CultureInfo.InvariantCulture);

var capacity = new FakeCapacity();
for (var i = 0; i < repetitions; i++)
{
    capacity.Add(new FakeInferenceComponent($"wake-{i}-llm", "llm", 0, wakeDelay));
    capacity.Add(new FakeInferenceComponent($"alarm-{i}-llm", "llm", 0, wakeDelay) { AlarmPathDelay = alarmDelay });
}
await using var model = await ModelServer.StartAsync();
// Only async invocations use S3; none are made here.
using var s3 = new AmazonS3Client(new BasicAWSCredentials(FakeSageMakerRuntime.AccessKey, FakeSageMakerRuntime.SecretKey),
    new AmazonS3Config { ServiceURL = "http://127.0.0.1:9/", ForcePathStyle = true, AuthenticationRegion = FakeSageMakerRuntime.Region });
await using var runtime = await FakeSageMakerRuntime.StartAsync(model.Url, s3, capacity);
await using var control = await FakeSageMakerApi.StartAsync(capacity);

Process Start(string path, int port, bool wake)
{
    var start = new ProcessStartInfo(handler) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add("--urls");
    start.ArgumentList.Add($"http://127.0.0.1:{port}");
    var env = start.Environment;
    env["AWS_ACCESS_KEY_ID"] = FakeSageMakerRuntime.AccessKey;
    env["AWS_SECRET_ACCESS_KEY"] = FakeSageMakerRuntime.SecretKey;
    env["AWS_REGION"] = FakeSageMakerRuntime.Region;
    env["AWS_EC2_METADATA_DISABLED"] = "true";
    env["Aws__ServiceUrls__SageMakerRuntime"] = runtime.Url.ToString();
    env["Aws__ServiceUrls__SageMaker"] = control.Url.ToString();
    env["Api__RouteGroups"] = "inference";
    env["Api__Name"] = "bench-" + path;
    // Longer than either path's cold start; every other wake setting is the handler's default (keep-alive 10 s, poll 5 s).
    env["Inference__Wake__MostWaitSeconds"] = "840";
    env["Inference__Wake__Enabled"] = wake ? "true" : "false";
    for (var i = 0; i < repetitions; i++)
    {
        env[$"Inference__Models__{i}__Name"] = $"{path}-{i}";
        env[$"Inference__Models__{i}__EndpointName"] = "llm";
        env[$"Inference__Models__{i}__Protocol"] = "openai";
        env[$"Inference__Models__{i}__InferenceComponentName"] = $"{path}-{i}-llm";
    }
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

var ports = new Dictionary<string, int> { ["wake"] = TestServers.FreePort(), ["alarm"] = TestServers.FreePort() };
var processes = ports.Select(p => Start(p.Key, p.Value, p.Key == "wake")).ToList();
try
{
    using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(15) };
    foreach (var port in ports.Values)
        for (var ready = false; !ready; await Task.Delay(100))
            try { ready = (await http.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode; } catch (HttpRequestException) { }

    async Task<(string Path, double Seconds, int KeepAlives)> FirstToken(string path, int i)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = $"{path}-{i}",
            ["stream"] = true,
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = "hello" } },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{ports[path]}/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var keepAlives = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(':')) keepAlives++;
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (line.Contains("\"error\"", StringComparison.Ordinal)) throw new InvalidOperationException($"{path}-{i}: {line}");
                return (path, clock.Elapsed.TotalSeconds, keepAlives);
            }
        }
        throw new InvalidOperationException($"{path}-{i}: {(int)response.StatusCode}, the stream ended without a token");
    }

    var results = await Task.WhenAll(ports.Keys.SelectMany(path => Enumerable.Range(0, repetitions).Select(i => FirstToken(path, i))));
    var wakeCalls = capacity.Components.Values.Where(c => c.Name.StartsWith("wake-", StringComparison.Ordinal)).Sum(c => c.WakeCalls);
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["wake_delay_s"] = wakeDelay.TotalSeconds,
        ["alarm_delay_s"] = alarmDelay.TotalSeconds,
        ["repetitions"] = repetitions,
        ["wake_calls"] = wakeCalls,
        ["wake"] = results.Where(r => r.Path == "wake").Select(r => Math.Round(r.Seconds, 2)).Order().ToArray(),
        ["alarm"] = results.Where(r => r.Path == "alarm").Select(r => Math.Round(r.Seconds, 2)).Order().ToArray(),
        ["keep_alives_wake"] = results.Where(r => r.Path == "wake").Select(r => r.KeepAlives).Order().ToArray(),
        ["keep_alives_alarm"] = results.Where(r => r.Path == "alarm").Select(r => r.KeepAlives).Order().ToArray(),
    }));
}
finally
{
    foreach (var process in processes)
    {
        if (!process.HasExited) process.Kill();
        process.WaitForExit();
    }
}
