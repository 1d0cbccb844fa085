using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using AwsModelPlatform.Handlers.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.InferenceApi.Tests;

/// <summary>
/// Policy in the loop. The buffered function role's policy statements are taken from the synthesized Inference stack
/// and resolved for account 123456789012 / us-east-1; moto is started with <c>INITIAL_NO_AUTH_ACTION_COUNT</c> equal
/// to the setup calls (buckets, the platform key, a user "handler" with exactly that policy, a user "admin" for the
/// test's stand-in of SageMaker, their access keys), so from then on it refuses unknown keys, bad signatures and
/// actions the policy does not allow. The handler — the native bootstrap from the construct's asset, with the
/// function's configuration from the template — runs with the handler user's keys.
/// <para>What proves what:</para>
/// <list type="bullet">
/// <item>S3 (inputs, records, results; other bucket; other prefix): moto's server, which authorizes S3 calls on the bucket/key ARN.</item>
/// <item>SageMaker Runtime: moto's server authorizes SageMaker Runtime (and KMS) actions only against the resource
/// <c>*</c>, which an ARN-scoped grant never matches, so it cannot judge them. The SageMaker stand-in below verifies
/// each request's SigV4 signature against the handler user's secret, then asks moto's own policy engine
/// (<c>moto.iam.access_control.IAMPolicy</c>) about the real endpoint and inference-component ARNs, on the policy
/// read back from moto's IAM (<c>moto_iam.py evaluate</c>).</item>
/// <item>KMS: the handler never calls KMS; S3 does on its behalf for SSE-KMS, and moto's S3 does not check that. The
/// test shows the objects are stored under the platform key and asks the same engine whether the policy allows
/// <c>kms:GenerateDataKey</c>/<c>kms:Decrypt</c> on that key and not on another.</item>
/// </list>
/// </summary>
public sealed class PolicyLoop
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";
    public const string OtherBucket = "someone-elses-bucket";

    public BuiltSampleApp App { get; }
    public MotoServer Moto { get; private set; } = null!;
    public JsonObject Policy { get; private set; } = null!;
    public JsonArray StreamingStatements { get; private set; } = null!;
    public string KeyArn { get; private set; } = null!;
    public string DataBucket { get; private set; } = null!;
    public string OutputPath { get; private set; } = null!;
    public (string Id, string Secret) HandlerKey { get; private set; }
    public (string Id, string Secret) AdminKey { get; private set; }
    public int SetupCalls { get; private set; }
    public IReadOnlyDictionary<string, string> Configuration { get; private set; } = null!;
    public AuthorizingSageMakerRuntime SageMaker { get; private set; } = null!;
    public Uri HandlerUrl { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public ConcurrentQueue<string> HandlerOutput { get; } = new();
    private Process? _handler;

    public PolicyLoop(BuiltSampleApp app) => App = app;

    public async Task InitializeAsync()
    {
        var (_, buffered) = App.Function("buffered");
        var (_, streaming) = App.Function("response_stream");
        var bufferedRole = buffered["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();

        // The key ARN exists only once moto created the key: the policy is resolved with a placeholder that
        // moto_iam.py setup replaces with the created key's ARN before it puts the user policy.
        var placeholder = new Intrinsics(App.Inference, App.Foundation, Account, Region, PlaceholderKeyArn);
        DataBucket = placeholder.String(buffered["Environment"]!["Variables"]!["Inference__Async__Bucket"]);
        var spec = new JsonObject
        {
            ["buckets"] = new JsonArray(DataBucket, OtherBucket),
            ["policy"] = RolePolicy(placeholder, bufferedRole),
            ["keyArnPlaceholder"] = PlaceholderKeyArn,
        };
        await StartMotoAsync(spec);

        var intrinsics = new Intrinsics(App.Inference, App.Foundation, Account, Region, KeyArn);
        Policy = RolePolicy(intrinsics, bufferedRole);
        StreamingStatements = RolePolicy(intrinsics, streaming["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>())["Statement"]!.AsArray();
        var asyncConfig = App.Inference["Resources"]!.AsObject().Select(r => r.Value!)
            .Single(r => r["Type"]!.GetValue<string>() == "AWS::SageMaker::EndpointConfig" && r["Properties"]!["AsyncInferenceConfig"] is not null);
        OutputPath = intrinsics.String(asyncConfig["Properties"]!["AsyncInferenceConfig"]!["OutputConfig"]!["S3OutputPath"]);
        Configuration = buffered["Environment"]!["Variables"]!.AsObject()
            .Where(v => !v.Key.StartsWith("AWS_LWA_", StringComparison.Ordinal) && v.Key is not ("AWS_LAMBDA_EXEC_WRAPPER" or "ASPNETCORE_URLS"))
            .ToDictionary(v => v.Key, v => intrinsics.String(v.Value));

        SageMaker = await AuthorizingSageMakerRuntime.StartAsync(this);
        var env = new Dictionary<string, string>(Configuration)
        {
            // One model the template does not have: an endpoint outside the grant.
            ["Inference__Models__intruder__EndpointName"] = "not-granted-endpoint",
        };
        (_handler, HandlerUrl) = await StartHandlerAsync(env, HandlerOutput);
        Http = new HttpClient { BaseAddress = HandlerUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Starts the handler bootstrap of the asset with the handler user's keys; AWS endpoints point at moto and the stand-in.</summary>
    public async Task<(Process, Uri)> StartHandlerAsync(IReadOnlyDictionary<string, string> configuration, ConcurrentQueue<string> output)
    {
        var bootstrap = Path.Combine(App.AssetDirectory(App.Function("buffered").Properties), "bootstrap");
        var port = TestServers.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(bootstrap) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("Inference__", StringComparison.Ordinal) || k.StartsWith("Aws__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (k, v) in configuration) start.Environment[k] = v;
        start.Environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        start.Environment["AWS_ACCESS_KEY_ID"] = HandlerKey.Id;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = HandlerKey.Secret;
        start.Environment["AWS_REGION"] = Region;
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["Aws__ServiceUrls__S3"] = Moto.Url.ToString();
        start.Environment["Aws__ServiceUrls__Kms"] = Moto.Url.ToString();
        start.Environment["Aws__ServiceUrls__SageMakerRuntime"] = SageMaker.Url.ToString();
        start.Environment["Inference__MaxRetries"] = "0";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"The handler exited with {process.ExitCode}:\n{string.Join("\n", output)}");
            try
            {
                using var r = await http.GetAsync(new Uri(url, "healthz"));
                if (r.IsSuccessStatusCode) return (process, url);
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(50);
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

    /// <summary>The role's statements (its default policy with the grants, and its basic policy) in one document.</summary>
    private JsonObject RolePolicy(Intrinsics intrinsics, string roleId)
    {
        var statements = App.Inference["Resources"]!.AsObject().Select(r => r.Value!)
            .Where(r => r["Type"]!.GetValue<string>() == "AWS::IAM::Policy" && r["Properties"]!["Roles"]!.AsArray().Any(role => role!["Ref"]?.GetValue<string>() == roleId))
            .SelectMany(r => r["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(s => intrinsics.Resolve(s)).ToArray();
        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(statements) };
    }

    private async Task StartMotoAsync(JsonObject spec)
    {
        // First count the calls the setup makes (a dry run against a throw-away moto), then start the real one with
        // exactly that many unauthenticated calls: every later call is authenticated and authorized.
        int calls;
        using (var dry = await MotoServer.StartAsync(new Dictionary<string, string> { ["INITIAL_NO_AUTH_ACTION_COUNT"] = "1000" }))
            calls = JsonNode.Parse(MotoIam.Run(new[] { "setup", dry.Url.ToString() }, spec.ToJsonString()))!["calls"]!.GetValue<int>();
        Moto = await MotoServer.StartAsync(new Dictionary<string, string> { ["INITIAL_NO_AUTH_ACTION_COUNT"] = calls.ToString() });
        var result = JsonNode.Parse(MotoIam.Run(new[] { "setup", Moto.Url.ToString() }, spec.ToJsonString()))!;
        SetupCalls = result["calls"]!.GetValue<int>();
        KeyArn = result["keyArn"]!.GetValue<string>();
        HandlerKey = (result["handler"]!["id"]!.GetValue<string>(), result["handler"]!["secret"]!.GetValue<string>());
        AdminKey = (result["admin"]!["id"]!.GetValue<string>(), result["admin"]!["secret"]!.GetValue<string>());
    }

    /// <summary>The policy is resolved with this key ARN; moto_iam.py setup replaces it with the ARN of the key it creates.</summary>
    public const string PlaceholderKeyArn = "arn:aws:kms:us-east-1:123456789012:key/platform-key-placeholder";

    public IAmazonS3 S3((string Id, string Secret) key) =>
        new AmazonS3Client(new BasicAWSCredentials(key.Id, key.Secret), new AmazonS3Config { ServiceURL = Moto.Url.ToString(), ForcePathStyle = true, AuthenticationRegion = Region });

    /// <summary>moto's policy engine on the handler user's policy as moto's IAM holds it.</summary>
    public (bool Permitted, string Results) Evaluate(string action, params string[] resources)
    {
        var output = MotoIam.Run(new[] { "evaluate", Moto.Url.ToString(), AdminKey.Id, AdminKey.Secret, "handler", action }.Concat(resources).ToArray(), "");
        var json = JsonNode.Parse(output)!;
        return (json["permitted"]!.GetValue<bool>(), json["results"]!.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        Stop(_handler);
        Http?.Dispose();
        if (SageMaker is not null) await SageMaker.DisposeAsync();
        Moto?.Dispose();
    }
}

/// <summary>Runs tests/InferenceApi.Tests/moto_iam.py.</summary>
public static class MotoIam
{
    public static string Run(string[] args, string stdin)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(BuiltSampleApp.RepoRoot, "tests", "InferenceApi.Tests", "moto_iam.py"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000)) { process.Kill(true); throw new TimeoutException("moto_iam.py " + args[0]); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"moto_iam.py {args[0]} failed:\n{stderr.Result}");
        return stdout.Result;
    }
}

/// <summary>One decision of the SageMaker stand-in.</summary>
public sealed record Decision(string Endpoint, string Action, string[] Resources, bool Signed, bool Permitted, string Results);

/// <summary>
/// SageMaker Runtime as far as authorization goes: the real REST paths, SigV4 verified against the handler user's
/// secret, each call authorized by moto's policy engine on the real ARNs; a granted call gets a canned answer (JSON,
/// an event stream, or an async acceptance whose result it writes where the endpoint config says SageMaker would).
/// </summary>
public sealed class AuthorizingSageMakerRuntime : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly PolicyLoop _loop;
    private readonly SigV4Verifier _verifier;
    public ConcurrentQueue<Decision> Decisions { get; } = new();
    public Uri Url { get; }

    private AuthorizingSageMakerRuntime(WebApplication app, Uri url, PolicyLoop loop)
    {
        (_app, Url, _loop) = (app, url, loop);
        _verifier = new SigV4Verifier(PolicyLoop.Region, "sagemaker", new Dictionary<string, string> { [loop.HandlerKey.Id] = loop.HandlerKey.Secret });
    }

    public static async Task<AuthorizingSageMakerRuntime> StartAsync(PolicyLoop loop)
    {
        var (app, url) = TestServers.Create();
        var front = new AuthorizingSageMakerRuntime(app, url, loop);
        app.MapPost("/endpoints/{name}/{operation}", front.HandleAsync);
        await app.StartAsync();
        return front;
    }

    private async Task HandleAsync(string name, string operation, HttpContext http)
    {
        using var copy = new MemoryStream();
        await http.Request.Body.CopyToAsync(copy);
        var (signed, errorType, message) = _verifier.Verify(http.Request, copy.ToArray(), DateTimeOffset.UtcNow);
        var action = operation switch
        {
            "invocations" => "sagemaker:InvokeEndpoint",
            "invocations-response-stream" => "sagemaker:InvokeEndpointWithResponseStream",
            "async-invocations" => "sagemaker:InvokeEndpointAsync",
            _ => "unknown",
        };
        var prefix = $"arn:aws:sagemaker:{PolicyLoop.Region}:{PolicyLoop.Account}:";
        var resources = new List<string> { prefix + "endpoint/" + name.ToLowerInvariant() };
        if (http.Request.Headers["X-Amzn-SageMaker-Inference-Component"].ToString() is { Length: > 0 } component)
            resources.Add(prefix + "inference-component/" + component.ToLowerInvariant());
        var (permitted, results) = signed ? _loop.Evaluate(action, resources.ToArray()) : (false, "unsigned");
        Decisions.Enqueue(new Decision(name, action, resources.ToArray(), signed, permitted, results));
        http.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (!signed)
        {
            await Error(http, 403, errorType, message);
            return;
        }
        if (!permitted)
        {
            await Error(http, 403, "AccessDeniedException", $"User: arn:aws:iam::{PolicyLoop.Account}:user/handler is not authorized to perform: {action} on resource: {resources[^1]}");
            return;
        }
        switch (operation)
        {
            case "invocations":
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("""{"generated_text":"granted"}""");
                return;
            case "invocations-response-stream":
                http.Response.ContentType = "application/vnd.amazon.eventstream";
                http.Response.Headers["X-Amzn-SageMaker-Content-Type"] = "text/event-stream";
                await http.Response.Body.WriteAsync(EventStreamFrames.PayloadPart(Encoding.UTF8.GetBytes(
                    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"llm\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"granted\"},\"finish_reason\":null}]}\n\n")));
                return;
            case "async-invocations":
                // SageMaker reads the input and writes the result with the endpoint's execution role, not the caller's:
                // the stand-in does it with the admin user, where the endpoint config says.
                var id = Guid.NewGuid().ToString("N");
                var output = $"{_loop.OutputPath.TrimEnd('/')}/{id}.out";
                var (bucket, key) = (output[5..].Split('/', 2)[0], output[5..].Split('/', 2)[1]);
                using (var s3 = _loop.S3(_loop.AdminKey))
                    await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = """{"generated_text":"async granted"}""", ContentType = "application/json" });
                http.Response.StatusCode = 202;
                http.Response.Headers["X-Amzn-SageMaker-OutputLocation"] = output;
                http.Response.Headers["X-Amzn-SageMaker-FailureLocation"] = output.Replace("/async-output/", "/async-failures/");
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["InferenceId"] = id }));
                return;
            default:
                await Error(http, 404, "UnknownOperationException", "Unknown operation.");
                return;
        }
    }

    private static async Task Error(HttpContext http, int status, string errorType, string message)
    {
        http.Response.StatusCode = status;
        http.Response.Headers["X-Amzn-ErrorType"] = errorType + ":http://internal.amazon.com/coral/com.amazon.coral.service/";
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["message"] = message }));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

[Collection(BuiltSampleApp.Collection)]
public class PolicyInTheLoopTests(BuiltSampleApp app) : IAsyncLifetime
{
    private PolicyLoop L { get; set; } = null!;

    public async Task InitializeAsync() => L = await app.PolicyLoopAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void The_policy_under_test_is_the_buffered_roles_grant_and_moto_enforces_it()
    {
        var actions = L.Policy["Statement"]!.AsArray().SelectMany(s => s!["Action"] is JsonArray many ? many.Select(a => a!.GetValue<string>()) : new[] { s!["Action"]!.GetValue<string>() }).ToHashSet();
        Assert.Superset(new HashSet<string> { "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync", "sagemaker:InvokeEndpointWithResponseStream", "s3:PutObject", "s3:GetObject", "kms:GenerateDataKey", "kms:Decrypt" }, actions);
        Assert.DoesNotContain(L.KeyArn, "placeholder");
        Assert.Contains(L.KeyArn, L.Policy.ToJsonString());
        // Enforcement is on: an unknown key is refused, and the handler user may do nothing it was not granted.
        using (var stranger = L.S3(("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")))
            Assert.Equal("InvalidAccessKeyId", Assert.ThrowsAny<AmazonS3Exception>(() => stranger.ListBucketsAsync().GetAwaiter().GetResult()).ErrorCode);
        using var handler = L.S3(L.HandlerKey);
        Assert.Equal(HttpStatusCode.Forbidden, Assert.ThrowsAny<AmazonS3Exception>(() => handler.ListBucketsAsync().GetAwaiter().GetResult()).StatusCode);
    }

    [Fact]
    public void The_streaming_role_grants_the_same_SageMaker_statements_and_nothing_of_S3_or_KMS()
    {
        static IEnumerable<string> Sagemaker(JsonArray statements) => statements.Where(s => s!["Action"]!.ToJsonString().Contains("sagemaker:")).Select(s => s!.ToJsonString());
        Assert.Equal(Sagemaker(L.Policy["Statement"]!.AsArray()), Sagemaker(L.StreamingStatements));
        Assert.DoesNotContain(L.StreamingStatements, s => s!["Action"]!.ToJsonString().Contains("s3:") || s!["Action"]!.ToJsonString().Contains("kms:"));
    }

    [Fact]
    public async Task Sync_invocation_of_the_granted_endpoint_and_inference_component_succeeds()
    {
        using var response = await L.Http.PostAsync("v1/endpoints/llm/invocations", new StringContent("""{"inputs":"hello"}""", Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await Describe(response));
        Assert.Contains("granted", await response.Content.ReadAsStringAsync());
        var decision = L.SageMaker.Decisions.Last(d => d.Action == "sagemaker:InvokeEndpoint" && d.Endpoint.StartsWith("inference-llm"));
        Assert.True(decision.Signed && decision.Permitted, decision.ToString());
        Assert.Contains(decision.Resources, r => r.Contains(":inference-component/")); // the configured component was targeted and granted
    }

    [Fact]
    public async Task Streamed_chat_completion_of_the_granted_endpoint_succeeds()
    {
        var body = """{"model":"llm","messages":[{"role":"user","content":"hi"}],"stream":true}""";
        using var response = await L.Http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, await Describe(response, text));
        Assert.Contains("granted", text);
        Assert.Contains("[DONE]", text);
        Assert.Contains(L.SageMaker.Decisions, d => d.Action == "sagemaker:InvokeEndpointWithResponseStream" && d.Permitted);
    }

    [Fact]
    public async Task Async_invocation_puts_input_and_record_under_the_platform_key_invokes_async_and_reads_the_result()
    {
        using var accepted = await L.Http.PostAsync("v1/endpoints/llm_async/async-invocations", new StringContent("""{"inputs":"long job"}""", Encoding.UTF8, "application/json"));
        var acceptedBody = await accepted.Content.ReadAsStringAsync();
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await Describe(accepted, acceptedBody));
        var id = JsonNode.Parse(acceptedBody)!["id"]!.GetValue<string>();
        Assert.Contains(L.SageMaker.Decisions, d => d.Action == "sagemaker:InvokeEndpointAsync" && d.Permitted);

        // The handler wrote the input and the record in the endpoint's bucket, SSE-KMS with the platform key (read as admin).
        using (var admin = L.S3(L.AdminKey))
        {
            foreach (var key in new[] { $"async-input/inputs/{id}", $"async-input/requests/{id}.json" })
            {
                var head = await admin.GetObjectMetadataAsync(L.DataBucket, key);
                Assert.Equal(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
                Assert.Equal(L.KeyArn, head.ServerSideEncryptionKeyManagementServiceKeyId);
            }
        }

        // The status route reads the record (async-input/) and the result (async-output/) with the handler's keys.
        using var status = await L.Http.GetAsync($"v1/async-invocations/{id}");
        var statusBody = await status.Content.ReadAsStringAsync();
        Assert.True(status.StatusCode == HttpStatusCode.OK, await Describe(status, statusBody));
        Assert.Equal("completed", JsonNode.Parse(statusBody)!["status"]!.GetValue<string>());
        Assert.Contains("async granted", statusBody);
    }

    [Fact]
    public void The_policy_lets_S3_use_the_platform_key_for_the_handler_and_no_other_key()
    {
        // What S3 asks KMS on the caller's behalf for SSE-KMS writes and reads (moto's S3 does not ask): decided by moto's engine.
        Assert.True(L.Evaluate("kms:GenerateDataKey", L.KeyArn).Permitted);
        Assert.True(L.Evaluate("kms:Decrypt", L.KeyArn).Permitted);
        var otherKey = $"arn:aws:kms:{PolicyLoop.Region}:{PolicyLoop.Account}:key/00000000-0000-0000-0000-000000000000";
        Assert.False(L.Evaluate("kms:GenerateDataKey", otherKey).Permitted);
        Assert.False(L.Evaluate("kms:Decrypt", otherKey).Permitted);
        Assert.False(L.Evaluate("kms:Encrypt", L.KeyArn).Permitted);
    }

    [Fact]
    public async Task An_endpoint_outside_the_grant_is_refused()
    {
        using var response = await L.Http.PostAsync("v1/endpoints/intruder/invocations", new StringContent("""{"inputs":"x"}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("upstream-auth", body);
        var decision = L.SageMaker.Decisions.Last(d => d.Endpoint == "not-granted-endpoint");
        Assert.True(decision.Signed, "the handler signed with the user's keys");
        Assert.False(decision.Permitted, decision.ToString());
        // Nor any other operation on it, nor the granted endpoint's other components.
        Assert.False(L.Evaluate("sagemaker:InvokeEndpointAsync", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/not-granted-endpoint").Permitted);
        Assert.False(L.Evaluate("sagemaker:InvokeEndpoint", $"arn:aws:sagemaker:us-east-1:{PolicyLoop.Account}:inference-component/someone-elses-component").Permitted);
    }

    [Fact]
    public async Task Another_bucket_and_other_prefixes_of_the_endpoint_bucket_are_refused()
    {
        using var handler = L.S3(L.HandlerKey);
        async Task<HttpStatusCode> Put(string bucket, string key)
        {
            try
            {
                await handler.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "x", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = L.KeyArn });
                return HttpStatusCode.OK;
            }
            catch (AmazonS3Exception e)
            {
                return e.StatusCode;
            }
        }
        Assert.Equal(HttpStatusCode.OK, await Put(L.DataBucket, "async-input/inputs/direct-check"));
        Assert.Equal(HttpStatusCode.Forbidden, await Put(PolicyLoop.OtherBucket, "async-input/inputs/x"));
        Assert.Equal(HttpStatusCode.Forbidden, await Put(L.DataBucket, "async-output/forged.out"));
        Assert.Equal(HttpStatusCode.Forbidden, await Put(L.DataBucket, "data-capture/x"));
        var read = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => handler.GetObjectAsync(L.DataBucket, "data-capture/x"));
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);

        // The handler itself, pointed at another bucket with the same keys, cannot accept an async request.
        var output = new ConcurrentQueue<string>();
        var configuration = new Dictionary<string, string>(L.Configuration) { ["Inference__Async__Bucket"] = PolicyLoop.OtherBucket };
        var (process, url) = await L.StartHandlerAsync(configuration, output);
        try
        {
            using var http = new HttpClient { BaseAddress = url };
            using var response = await http.PostAsync("v1/endpoints/llm_async/async-invocations", new StringContent("""{"inputs":"x"}""", Encoding.UTF8, "application/json"));
            Assert.True((int)response.StatusCode >= 500, await Describe(response));
            Assert.DoesNotContain(L.SageMaker.Decisions, d => d.Action == "sagemaker:InvokeEndpointAsync" && !d.Permitted);
        }
        finally
        {
            PolicyLoop.Stop(process);
        }
    }

    private async Task<string> Describe(HttpResponseMessage response, string? body = null) =>
        $"{(int)response.StatusCode} {body ?? await response.Content.ReadAsStringAsync()}\nhandler:\n{string.Join('\n', L.HandlerOutput.TakeLast(20))}";
}

