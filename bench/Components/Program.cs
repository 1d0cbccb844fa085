// CPU per operation of the handler's per-request pieces, each alone, warmed up; prints a markdown table.
//   dotnet run -c Release --project bench/Components [name-filter]     # JIT
//   dotnet publish bench/Components -c Release -r linux-x64 -p:PublishAot=true -p:IlcTreatWarningsAsErrors=false \
//     -p:TreatWarningsAsErrors=false -p:SuppressTrimAnalysisWarnings=true -o /tmp/components && /tmp/components/Components
//   (Native AOT like the handler; the switches only because this console project lacks the Web SDK's trimming defaults)
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using AwsModelPlatform.Contracts;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using Microsoft.Extensions.Options;

var body = "{\"inputs\":\"hello\",\"parameters\":{\"max_new_tokens\":16}}"u8.ToArray();
var resilience = new InvocationResilience(Options.Create(new InferenceSettings()), TimeProvider.System);
var log = new RequestLog(Stream.Null);
var credentials = new BasicAWSCredentials("AKIDBENCHMARK0000000", "bench-secret");
AWSSigV4Parameters Parameters() => new() { Credentials = credentials, Region = Amazon.RegionEndpoint.USEast1, Service = "sagemaker", SignPayload = true };
var sdkHandler = new HttpClient(new SigV4SigningHandler(Parameters(), new Ok())) { BaseAddress = new Uri("http://127.0.0.1:1/") };
var ownHandler = new HttpClient(new SigningHandler(Parameters(), new Ok())) { BaseAddress = new Uri("http://127.0.0.1:1/") };
var unsigned = new HttpClient(new Ok()) { BaseAddress = new Uri("http://127.0.0.1:1/") };
var only = args.Length > 0 ? args[0] : null;

Console.WriteLine($"| piece (alone, per request; {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "Native AOT")}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC) | CPU µs | wall µs | bytes allocated |");
Console.WriteLine("|---|---|---|---|");
await Measure("Polly pipeline (deadline, retry, breaker)", 50_000, () => resilience.ExecuteAsync("ep", TimeSpan.FromSeconds(60), _ => Task.FromResult(1), CancellationToken.None));
await Measure("request log + EMF line", 50_000, () => { log.Write(new RequestRecord("0123456789abcdef0123456789abcdef", "arn:aws:iam::123456789012:user/a", "POST", "/v1/endpoints/{model}/invocations", "bench", 200, false, 1.234, "1b2c3d4e-0000-1111-2222-333344445555", null, InferenceMetrics.Instance)); return Task.CompletedTask; });
await Measure("JSON well-formedness check", 50_000, () => { RequestBody.EnsureWellFormedJson(body); return Task.CompletedTask; });
await Measure("HttpClient send, no signing (stub transport)", 20_000, () => Send(unsigned, false));
await Measure("HttpClient send + SDK SigV4SigningHandler, SDK hashes the body", 20_000, () => Send(sdkHandler, false));
await Measure("HttpClient send + SDK SigV4SigningHandler, body hash precomputed", 20_000, () => Send(sdkHandler, true));
await Measure("HttpClient send + SigningHandler (SDK AWSSigV4Signer), body hash precomputed", 20_000, () => Send(ownHandler, true));
var signingRequest = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = new Uri("http://127.0.0.1:1/endpoints/bench/invocations") };
signingRequest.Headers["Content-Type"] = "application/json";
signingRequest.Headers["x-amz-content-sha256"] = Convert.ToHexStringLower(SHA256.HashData(body));
var parameters = Parameters();
await Measure("AWSSigV4Signer.Sign alone (the SDK's signing computation)", 20_000, () => { AWSSigV4Signer.Sign(signingRequest, parameters); return Task.CompletedTask; });
await Measure("reference: minimal SigV4 computation, signing key cached (not shipped)", 20_000, () => { ReferenceSigV4.Sign("POST", "/endpoints/bench/invocations", "127.0.0.1:1", "application/json", body, DateTime.UtcNow); return Task.CompletedTask; });
await Measure("SHA-256 of the body + hex", 50_000, () => { Convert.ToHexStringLower(SHA256.HashData(body)); return Task.CompletedTask; });
await Measure("Guid.NewGuid().ToString(\"N\") (request id)", 50_000, () => { Guid.NewGuid().ToString("N"); return Task.CompletedTask; });
var plain = new Microsoft.AspNetCore.Http.DefaultHttpContext();
await Measure("RequestContext.From, no request context (as in bench/run.sh)", 50_000, () => { RequestContext.From(plain); return Task.CompletedTask; });
var lambda = new Microsoft.AspNetCore.Http.DefaultHttpContext();
lambda.Request.Headers["x-amzn-request-context"] = ApiGatewayContext;
await Measure("RequestContext.From, API Gateway request context (as in Lambda)", 50_000, () => { RequestContext.From(lambda); return Task.CompletedTask; });
var activitySource = new ActivitySource("bench");
using (var listener = new ActivityListener { ShouldListenTo = _ => true, Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData })
{
    ActivitySource.AddActivityListener(listener);
    await Measure("Activity start/stop (what hosting does per request when logging is on)", 50_000, () => { using var a = activitySource.StartActivity("x"); return Task.CompletedTask; });
}

async Task Send(HttpClient client, bool precomputed)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "endpoints/bench/invocations") { Content = new ReadOnlyMemoryContent(body) };
    request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
    if (precomputed) SigningHandler.SetPayloadHash(request, body);
    using var response = await client.SendAsync(request);
}

async Task Measure(string name, int n, Func<Task> op)
{
    if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase)) return;
    for (var i = 0; i < n; i++) await op();
    var best = double.MaxValue; var bestWall = 0.0; long bytes = 0;
    for (var round = 0; round < 3; round++)  // best of 3: the least disturbed by other load on the machine
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) await op();
        var cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1000 / n;
        if (cpuUs < best) { best = cpuUs; bestWall = wall.Elapsed.TotalMilliseconds * 1000 / n; bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / n; }
    }
    Console.WriteLine($"| {name} | {best:F1} | {bestWall:F1} | {bytes} |");
}

partial class Program
{
    /// <summary>What the Lambda Web Adapter forwards for an HTTP API request with an IAM-authorized caller (shape of API Gateway's v2 context).</summary>
    const string ApiGatewayContext = """
        {"accountId":"123456789012","apiId":"a1b2c3d4e5","authorizer":{"iam":{"accessKey":"ASIAEXAMPLE000000000","accountId":"123456789012","callerId":"AROAEXAMPLE00000000:alice","principalOrgId":null,"userArn":"arn:aws:sts::123456789012:assumed-role/Invokers/alice","userId":"AROAEXAMPLE00000000:alice"}},"domainName":"a1b2c3d4e5.execute-api.us-east-1.amazonaws.com","domainPrefix":"a1b2c3d4e5","http":{"method":"POST","path":"/v1/endpoints/bench/invocations","protocol":"HTTP/1.1","sourceIp":"203.0.113.7","userAgent":"curl/8.5.0"},"requestId":"JKJaXmPLvHcESHA=","routeKey":"POST /v1/endpoints/{model}/invocations","stage":"$default","time":"28/Nov/2026:15:00:00 +0000","timeEpoch":1795878000000}
        """;
}

sealed class Ok : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
}

/// <summary>The least a SigV4 signature costs (two SHA-256, two HMACs with a cached key): a floor to compare the SDK against. Not used by the handler.</summary>
static class ReferenceSigV4
{
    private static readonly byte[] Key = DeriveKey("bench-secret", DateTime.UtcNow.ToString("yyyyMMdd"), "us-east-1", "sagemaker");

    public static string Sign(string method, string path, string host, string contentType, byte[] body, DateTime now)
    {
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'");
        var payload = Convert.ToHexStringLower(SHA256.HashData(body));
        var canonical = $"{method}\n{path}\n\ncontent-type:{contentType}\nhost:{host}\nx-amz-content-sha256:{payload}\nx-amz-date:{amzDate}\n\ncontent-type;host;x-amz-content-sha256;x-amz-date\n{payload}";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{amzDate[..8]}/us-east-1/sagemaker/aws4_request\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        return Convert.ToHexStringLower(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(toSign)));
    }

    private static byte[] DeriveKey(string secret, string date, string region, string service)
    {
        var k = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(region));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(k, "aws4_request"u8);
    }
}
