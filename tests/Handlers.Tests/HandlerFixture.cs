using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.S3;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Tests.Fakes;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// Starts, once for all handler tests: moto (S3, KMS, Batch), the model server, the fake SageMaker Runtime front, and the
/// handler itself (its built bootstrap.dll) on a free loopback port; stops each by process id or host.
/// </summary>
public sealed class HandlerFixture : IAsyncLifetime
{
    public const string Bucket = "handler-async";

    /// <summary>The fixture handler's <c>Api__Name</c>: the <c>Api</c> dimension of its metrics.</summary>
    public const string ApiName = "amp-test-models";
    public MotoServer Moto { get; private set; } = null!;
    public ModelServer Model { get; private set; } = null!;
    public FakeSageMakerRuntime SageMaker { get; private set; } = null!;

    /// <summary>SageMaker's control plane (wakes models), on the capacity the runtime front serves from.</summary>
    public FakeSageMakerApi SageMakerApi { get; private set; } = null!;

    /// <summary>The fake's inference components and variants that scale to zero.</summary>
    public FakeCapacity Capacity { get; } = NewCapacity();
    public IAmazonS3 S3 { get; private set; } = null!;
    public string KmsKeyId { get; private set; } = null!;
    public Uri HandlerUrl { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public ConcurrentQueue<string> HandlerOutput { get; } = new();
    private Process? _handler;

    /// <summary>Every configured model: name → endpoint (the endpoint's name selects the fake's behaviour).</summary>
    public static readonly Dictionary<string, string> Models = new()
    {
        ["echo"] = "echo",
        ["tiny"] = "echo",
        ["component"] = "echo",
        ["model-error"] = "model-error",
        ["slow"] = "slow",
        ["throttle-twice"] = "throttle-twice",
        ["throttled"] = "throttled",
        ["not-ready"] = "not-ready",
        ["unavailable"] = "unavailable",
        ["dependency"] = "dependency",
        ["validation"] = "validation",
        ["sse"] = "sse",
        ["paced"] = "paced",
        ["jsonlines"] = "jsonlines",
        ["stream-model-error"] = "stream-model-error",
        ["stream-internal-failure"] = "stream-internal-failure",
        ["stream-jsonlines-error"] = "stream-jsonlines-error",
        ["stream-cut"] = "stream-cut",
        ["stream-cut-binary"] = "stream-cut-binary",
        ["stream-stall"] = "stream-stall",
        ["long-stream"] = "long-stream",
        ["stream-bad-crc"] = "stream-bad-crc",
        ["chat-model"] = "llm",
        ["chat-model-broken"] = "stream-llm-error",
        ["async-echo"] = "echo",
        ["async-fail"] = "async-fail",
        ["queued"] = "echo",
        ["unstreamed-chat"] = "llm",
        // Inference components that scale to zero (Capacity): asleep, out of capacity, slow to wake, woken by the alarm path.
        ["sleepy"] = "sleepy-endpoint",
        ["sleepy-chat"] = "llm",
        ["no-gpus"] = "sleepy-endpoint",
        ["slow-waker"] = "sleepy-endpoint",
        ["waking-chat"] = "llm",
        ["slow-chat"] = "llm",
        ["tracked"] = "sleepy-endpoint",
        ["crowded"] = "sleepy-endpoint",
        // Fallbacks: a cold primary falls back past a failing model (503) to one that serves; a 4xx never falls back.
        ["cold-primary"] = "sleepy-endpoint",
        ["rejecting-primary"] = "validation",
        ["cold-chat"] = "llm",
    };

    /// <summary>Model name → its inference component on the fake, for the models above that scale to zero.</summary>
    public static readonly Dictionary<string, string> Components = new()
    {
        ["sleepy"] = "sleepy-echo",
        ["sleepy-chat"] = "sleepy-llm",
        ["no-gpus"] = "no-gpus-echo",
        ["slow-waker"] = "slow-waker-echo",
        ["waking-chat"] = "waking-llm",
        ["slow-chat"] = "slow-llm",
        ["tracked"] = "tracked-echo",
        ["crowded"] = "crowded-echo",
        ["cold-primary"] = "cold-primary-echo",
        ["cold-chat"] = "cold-llm",
    };

    /// <summary>Model name → its fallbacks (<c>Inference:Models:{i}:Fallbacks</c>).</summary>
    public static readonly Dictionary<string, string> Fallbacks = new()
    {
        ["cold-primary"] = "unavailable,echo",
        ["rejecting-primary"] = "echo",
        ["cold-chat"] = "chat-model",
    };

    private static FakeCapacity NewCapacity()
    {
        var capacity = new FakeCapacity();
        capacity.Add(new FakeInferenceComponent("sleepy-echo", "sleepy-endpoint", 0, TimeSpan.FromMilliseconds(500)));
        capacity.Add(new FakeInferenceComponent("sleepy-llm", "llm", 0, TimeSpan.FromMilliseconds(500)));
        capacity.Add(new FakeInferenceComponent("no-gpus-echo", "sleepy-endpoint", 0, TimeSpan.FromMilliseconds(500), WakeBehaviour.OutOfCapacity));
        capacity.Add(new FakeInferenceComponent("slow-waker-echo", "sleepy-endpoint", 0, TimeSpan.FromSeconds(4)));
        // The alarm on NoCapacityInvocationFailures adds a copy on its own, well before a client's Retry-After has passed.
        capacity.Add(new FakeInferenceComponent("waking-llm", "llm", 0, TimeSpan.FromSeconds(1)) { AlarmPathDelay = TimeSpan.FromSeconds(1) });
        capacity.Add(new FakeInferenceComponent("slow-llm", "llm", 0, TimeSpan.FromMilliseconds(1500)));
        capacity.Add(new FakeInferenceComponent("tracked-echo", "sleepy-endpoint", 0, TimeSpan.FromMilliseconds(2500)));
        capacity.Add(new FakeInferenceComponent("crowded-echo", "sleepy-endpoint", 0, TimeSpan.FromSeconds(2)));
        capacity.Add(new FakeInferenceComponent("cold-primary-echo", "sleepy-endpoint", 0, TimeSpan.FromMilliseconds(500), WakeBehaviour.OutOfCapacity));
        capacity.Add(new FakeInferenceComponent("cold-llm", "llm", 0, TimeSpan.FromMilliseconds(500), WakeBehaviour.OutOfCapacity));
        capacity.Add(new FakeEndpointVariant("async-sleeper", "AllTraffic", 0, TimeSpan.FromMilliseconds(500), ["ml.g6e.2xlarge", "ml.g5.2xlarge"]));
        return capacity;
    }

    public async Task InitializeAsync()
    {
        Moto = await MotoServer.StartAsync();
        var credentials = new BasicAWSCredentials(FakeSageMakerRuntime.AccessKey, FakeSageMakerRuntime.SecretKey);
        S3 = new AmazonS3Client(credentials, new AmazonS3Config { ServiceURL = Moto.Url.ToString(), ForcePathStyle = true, AuthenticationRegion = FakeSageMakerRuntime.Region });
        await S3.PutBucketAsync(Bucket);
        using (var kms = new AmazonKeyManagementServiceClient(credentials, new AmazonKeyManagementServiceConfig { ServiceURL = Moto.Url.ToString(), AuthenticationRegion = FakeSageMakerRuntime.Region }))
            KmsKeyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "handler tests" })).KeyMetadata.KeyId;

        await TrainingMoto.SetUpAsync(Moto.Url, S3);

        Model = await ModelServer.StartAsync();
        SageMaker = await FakeSageMakerRuntime.StartAsync(Model.Url, S3, Capacity);
        SageMakerApi = await FakeSageMakerApi.StartAsync(Capacity);

        var env = new Dictionary<string, string>(AwsEnvironment(Moto.Url))
        {
            ["Aws__ServiceUrls__Kms"] = Moto.Url.ToString(),
            ["Api__RouteGroups"] = "inference,training",
            ["Api__Name"] = ApiName,
            ["Inference__Async__Bucket"] = Bucket,
            ["Inference__Async__Prefix"] = "handler",
            ["Inference__Async__KmsKeyId"] = KmsKeyId,
            ["Inference__TimeoutSeconds"] = "3",
            ["Inference__StreamFirstByteTimeoutSeconds"] = "3",
            ["Inference__StreamIdleTimeoutSeconds"] = "2",
            ["Inference__RetryBaseDelayMilliseconds"] = "50",
            ["Inference__BreakerMinimumThroughput"] = "1000",
            ["Aws__ServiceUrls__SageMaker"] = SageMakerApi.Url.ToString(),
            // A waiting stream, compressed: keep-alives every 0.5 s, a retry every 0.25 s, 3 s at most; Retry-After 3 s before a cold start was seen.
            ["Inference__Wake__KeepAliveSeconds"] = "0.5",
            ["Inference__Wake__PollSeconds"] = "0.25",
            ["Inference__Wake__MostWaitSeconds"] = "3",
            ["Inference__Wake__RetryAfterSeconds"] = "3",
        };
        var models = Models.ToDictionary(m => m.Key, m => TestHelpers.Model(m.Key, m.Value));
        models["tiny"].MaxPayloadBytes = 1024;
        models["component"].InferenceComponentName = "component-a";
        models["chat-model"].Protocol = ModelProtocols.OpenAi;
        models["chat-model-broken"].Protocol = ModelProtocols.OpenAi;
        // What the constructs configure for an async endpoint, and for a serverless one (InferenceApi, Invocations).
        models["queued"].Invocations = ModelInvocations.Async;
        models["unstreamed-chat"].Protocol = ModelProtocols.OpenAi;
        models["unstreamed-chat"].Invocations = ModelInvocations.Sync;
        models["sleepy-chat"].Protocol = ModelProtocols.OpenAi;
        models["waking-chat"].Protocol = ModelProtocols.OpenAi;
        models["slow-chat"].Protocol = ModelProtocols.OpenAi;
        models["cold-chat"].Protocol = ModelProtocols.OpenAi;
        foreach (var (model, fallbacks) in Fallbacks) models[model].Fallbacks = fallbacks;
        foreach (var (model, component) in Components) models[model].InferenceComponentName = component;
        TestHelpers.AddModels(env, [.. models.Values]);
        TrainingMoto.Configure(env, Moto.Url, KmsKeyId);
        (_handler, HandlerUrl) = await StartHandlerAsync(env, HandlerOutput);
        Http = new HttpClient { BaseAddress = HandlerUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The credentials the SageMaker fake verifies, and its and S3's (<paramref name="s3"/>) endpoints: what every handler process needs.</summary>
    public Dictionary<string, string> AwsEnvironment(Uri s3) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = FakeSageMakerRuntime.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = FakeSageMakerRuntime.SecretKey,
        ["AWS_REGION"] = FakeSageMakerRuntime.Region,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["Aws__ServiceUrls__SageMakerRuntime"] = SageMaker.Url.ToString(),
        ["Aws__ServiceUrls__S3"] = s3.ToString(),
    };

    /// <summary>The handler's typed control-plane client, signing with <paramref name="secret"/> (default: the key the fake verifies), against the fake.</summary>
    public SageMakerClient ControlPlaneClient(string secret = FakeSageMakerRuntime.SecretKey)
    {
        var signer = new SigningHandler(new Amazon.Runtime.Signing.AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(FakeSageMakerRuntime.AccessKey, secret),
            Region = Amazon.RegionEndpoint.GetBySystemName(FakeSageMakerRuntime.Region),
            Service = SageMakerClient.SigningName,
            SignPayload = true,
        }, new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        return new SageMakerClient(new HttpClient(signer) { BaseAddress = SageMakerApi.Url, Timeout = TimeSpan.FromSeconds(30) });
    }

    public static string HandlerAssembly =>
        typeof(HandlerFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HandlerAssembly").Value!;

    /// <summary>Runs the handler's bootstrap.dll with <c>--urls</c> on a free port and waits for <c>/healthz</c>.</summary>
    public static async Task<(Process Process, Uri Url)> StartHandlerAsync(IReadOnlyDictionary<string, string> env, ConcurrentQueue<string> output, string? nativeExecutable = null)
    {
        var port = TestServers.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        var start = nativeExecutable is null
            ? new ProcessStartInfo("dotnet", [HandlerAssembly, "--urls", url.ToString().TrimEnd('/')])
            : new ProcessStartInfo(nativeExecutable, ["--urls", url.ToString().TrimEnd('/')]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("Inference__", StringComparison.Ordinal) || k.StartsWith("Training__", StringComparison.Ordinal) || k.StartsWith("Aws__", StringComparison.Ordinal) || k.StartsWith("Api__", StringComparison.Ordinal) || k.StartsWith("Access__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env) start.Environment[k] = v;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // drains the redirected output, so the message holds the handler's last words
                throw new InvalidOperationException($"The handler exited with {process.ExitCode}:\n{string.Join("\n", output)}");
            }
            try
            {
                using var r = await http.GetAsync(new Uri(url, "healthz"));
                if (r.IsSuccessStatusCode) return (process, url);
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException("The handler did not answer /healthz within 30 s.");
    }

    public static void Stop(Process? process)
    {
        if (process is null) return;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(5000);
        process.Dispose();
    }

    public async Task DisposeAsync()
    {
        Stop(_handler);
        Http?.Dispose();
        if (SageMakerApi is not null) await SageMakerApi.DisposeAsync();
        if (SageMaker is not null) await SageMaker.DisposeAsync();
        if (Model is not null) await Model.DisposeAsync();
        S3?.Dispose();
        Moto?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class HandlerCollection : ICollectionFixture<HandlerFixture>
{
    public const string Name = "handler";
}
