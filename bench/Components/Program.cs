// CPU per operation of the handler's per-request pieces, each alone, warmed up; prints a markdown table.
using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using Microsoft.Extensions.Options;

var body = "{\"inputs\":\"hello\",\"parameters\":{\"max_new_tokens\":16}}"u8.ToArray();
var resilience = new InvocationResilience(Options.Create(new InferenceOptions()), TimeProvider.System);
var log = new RequestLog(Stream.Null);
var credentials = new BasicAWSCredentials("AKIDBENCHMARK0000000", "bench-secret");
var signed = new HttpClient(new SigV4SigningHandler(new AWSSigV4Parameters { Credentials = credentials, Region = Amazon.RegionEndpoint.USEast1, Service = "sagemaker", SignPayload = true }, new Ok())) { BaseAddress = new Uri("http://127.0.0.1:1/") };
var unsigned = new HttpClient(new Ok()) { BaseAddress = new Uri("http://127.0.0.1:1/") };

Console.WriteLine("| piece (alone, per request) | CPU µs | wall µs |");
Console.WriteLine("|---|---|---|");
await Measure("Polly pipeline (deadline, retry, breaker)", 50_000, () => resilience.ExecuteAsync("ep", TimeSpan.FromSeconds(60), _ => Task.FromResult(1), CancellationToken.None));
await Measure("request log + EMF line", 50_000, () => { log.Write(new RequestRecord("0123456789abcdef0123456789abcdef", "arn:aws:iam::123456789012:user/a", "POST", "/v1/endpoints/{model}/invocations", "bench", 200, false, 1.234, "1b2c3d4e-0000-1111-2222-333344445555", null, InferenceMetrics.Instance)); return Task.CompletedTask; });
await Measure("JSON well-formedness check", 50_000, () => { RequestBody.EnsureWellFormedJson(body); return Task.CompletedTask; });
await Measure("HttpClient send, no signing (stub transport)", 20_000, () => Send(unsigned));
await Measure("HttpClient send + SigV4SigningHandler (stub transport)", 20_000, () => Send(signed));

async Task Send(HttpClient client)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "endpoints/bench/invocations") { Content = new ReadOnlyMemoryContent(body) };
    request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
    using var response = await client.SendAsync(request);
}

static async Task Measure(string name, int n, Func<Task> op)
{
    for (var i = 0; i < n; i++) await op();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    for (var i = 0; i < n; i++) await op();
    var cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1000 / n;
    Console.WriteLine($"| {name} | {cpuUs:F1} | {wall.Elapsed.TotalMilliseconds * 1000 / n:F1} |");
}

sealed class Ok : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
}
