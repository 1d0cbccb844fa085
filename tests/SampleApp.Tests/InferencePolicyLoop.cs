using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using AwsModelPlatform.Handlers.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// Policy in the loop for the Inference stack. The buffered function role's statements are taken from the synthesized
/// template and resolved for account 123456789012 / us-east-1; a <see cref="MotoAccount"/> gives a user "handler"
/// exactly that policy. The handler (the native bootstrap of the construct's asset, with the function's configuration
/// from the template) runs with that user's keys.
/// <para>What proves what:</para>
/// <list type="bullet">
/// <item>S3 (inputs, records, results; other bucket; other prefix): moto's server, which authorizes S3 calls on the bucket/key ARN,
/// behind <see cref="Tests.StrictS3"/>, which answers a read of a missing key as S3 does: 403 unless the role may list its prefix.</item>
/// <item>SageMaker Runtime: the stand-in below verifies each request's SigV4 signature against the handler user's
/// secret, then asks the <see cref="PolicySimulator"/> about the real endpoint and inference-component ARNs.</item>
/// <item>KMS: the handler never calls KMS; S3 does on its behalf for SSE-KMS, and moto's S3 does not check that. The
/// test shows the objects are stored under the platform key and asks the simulator (with the key policy) whether
/// the role may use the key through S3, and not directly or on another key.</item>
/// </list>
/// </summary>
public sealed class InferencePolicyLoop : IAsyncDisposable
{
    public const string Account = MotoAccount.Account;
    public const string Region = MotoAccount.Region;
    public const string OtherBucket = "someone-elses-bucket";

    public BuiltSampleApp App { get; }
    public MotoAccount Aws { get; private set; } = null!;
    public PolicySimulator Iam { get; private set; } = null!;
    public JsonObject Policy { get; private set; } = null!;
    public JsonArray StreamingStatements { get; private set; } = null!;
    public string KeyArn => Aws.KeyArn;
    public string DataBucket { get; private set; } = null!;
    /// <summary>The API's wake marker bucket (<c>Inference__Wake__MarkerBucket</c>).</summary>
    public string MarkerBucket { get; private set; } = null!;
    public string OutputPath { get; private set; } = null!;
    public IReadOnlyDictionary<string, string> Configuration { get; private set; } = null!;

    /// <summary>The SageMaker endpoint of a model, by the name clients use (<c>Inference__Models__{i}__Name</c>).</summary>
    public string EndpointOf(string model) => Configuration[Configuration
        .Single(c => c.Key.StartsWith("Inference__Models__", StringComparison.Ordinal) && c.Key.EndsWith("__Name", StringComparison.Ordinal) && c.Value == model).Key[..^"Name".Length] + "EndpointName"];

    public AuthorizingSageMakerRuntime SageMaker { get; private set; } = null!;
    public StrictS3 StrictS3 { get; private set; } = null!;
    public HandlerProcess Handler { get; private set; } = null!;
    public HttpClient Http => Handler.Http;

    private InferencePolicyLoop(BuiltSampleApp app) => App = app;

    public static Task<InferencePolicyLoop> StartAsync(BuiltSampleApp app) => Started.InitializedAsync(new InferencePolicyLoop(app), loop => loop.InitializeAsync());

    private async Task InitializeAsync()
    {
        var (_, buffered) = App.Function("buffered");
        var (_, streaming) = App.Function("response_stream");
        var bufferedRole = buffered["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();

        // The key ARN exists only once moto created the key: the policy is resolved with a placeholder that the
        // account setup replaces with the created key's ARN before it puts the user policy.
        var placeholder = new Intrinsics(App.Inference, App.Foundation, Account, Region, MotoAccount.PlaceholderKeyArn);
        DataBucket = placeholder.String(buffered["Environment"]!["Variables"]!["Inference__Async__Bucket"]);
        MarkerBucket = placeholder.String(buffered["Environment"]!["Variables"]!["Inference__Wake__MarkerBucket"]);
        Aws = await MotoAccount.StartAsync([DataBucket, MarkerBucket, OtherBucket], placeholder.RolePolicy(bufferedRole));

        var intrinsics = new Intrinsics(App.Inference, App.Foundation, Account, Region, KeyArn);
        Policy = intrinsics.RolePolicy(bufferedRole);
        StreamingStatements = intrinsics.RolePolicy(streaming["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>())["Statement"]!.AsArray();
        Iam = new PolicySimulator($"arn:aws:iam::{Account}:role/{bufferedRole}", Account, Policy,
            new Dictionary<string, JsonObject> { [KeyArn] = new Intrinsics(App.Foundation, null, Account, Region, KeyArn).KeyPolicy() });
        var asyncConfig = App.Inference["Resources"]!.AsObject().Select(r => r.Value!)
            .Single(r => r["Type"]!.GetValue<string>() == "AWS::SageMaker::EndpointConfig" && r["Properties"]!["AsyncInferenceConfig"] is not null);
        OutputPath = intrinsics.String(asyncConfig["Properties"]!["AsyncInferenceConfig"]!["OutputConfig"]!["S3OutputPath"]);
        // Without the team access settings (Access__*): this loop judges the S3, SageMaker and KMS grants; the access
        // table's grants are judged by AccessPolicyTests, and team enforcement by the handler's own tests.
        Configuration = buffered["Environment"]!["Variables"]!.AsObject()
            .Where(v => !v.Key.StartsWith("AWS_LWA_", StringComparison.Ordinal) && !v.Key.StartsWith("Access__", StringComparison.Ordinal)
                        && v.Key is not ("AWS_LAMBDA_EXEC_WRAPPER" or "ASPNETCORE_URLS"))
            .ToDictionary(v => v.Key, v => intrinsics.String(v.Value));

        SageMaker = await AuthorizingSageMakerRuntime.StartAsync(this);
        StrictS3 = await StrictS3.StartAsync(Aws, Iam, [DataBucket, MarkerBucket, OtherBucket]);
        var models = Configuration.Count(c => c.Key.StartsWith("Inference__Models__", StringComparison.Ordinal) && c.Key.EndsWith("__Name", StringComparison.Ordinal));
        Handler = await StartHandlerAsync(new Dictionary<string, string>(Configuration)
        {
            // One model the template does not have: an endpoint outside the grant.
            [$"Inference__Models__{models}__Name"] = "intruder",
            [$"Inference__Models__{models}__EndpointName"] = "not-granted-endpoint",
        });
    }

    /// <summary>A handler of the asset with this configuration and the handler user's keys; SageMaker at the stand-in.</summary>
    public Task<HandlerProcess> StartHandlerAsync(IReadOnlyDictionary<string, string> configuration)
    {
        var env = Aws.HandlerEnvironment();
        foreach (var (k, v) in configuration) env[k] = v;
        env["Aws__ServiceUrls__SageMakerRuntime"] = SageMaker.Url.ToString();
        env["Aws__ServiceUrls__S3"] = StrictS3.Url.ToString();
        env["Inference__MaxRetries"] = "0";
        return HandlerProcess.StartAsync(Path.Combine(App.AssetDirectory(App.Function("buffered").Properties), "bootstrap"), env);
    }

    public IAmazonS3 S3((string Id, string Secret) key) => Aws.S3(key);

    public async ValueTask DisposeAsync()
    {
        Handler?.Dispose();
        if (SageMaker is not null) await SageMaker.DisposeAsync();
        if (StrictS3 is not null) await StrictS3.DisposeAsync();
        Iam?.Dispose();
        Aws?.Dispose();
    }
}

/// <summary>One decision of the SageMaker stand-in.</summary>
public sealed record Decision(string Endpoint, string Action, string[] Resources, bool Signed, bool Permitted, string Results);

/// <summary>
/// SageMaker Runtime as far as authorization goes: the real REST paths, SigV4 verified against the handler user's
/// secret, each call authorized by the <see cref="PolicySimulator"/> on the real ARNs; a granted call gets a canned answer (JSON,
/// an event stream, or an async acceptance whose result it writes where the endpoint config says SageMaker would, unless
/// the inference id starts with <see cref="PendingInferenceIdPrefix"/>: that request stays pending).
/// </summary>
public sealed class AuthorizingSageMakerRuntime : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly InferencePolicyLoop _loop;
    private readonly SigV4Verifier _verifier;
    public ConcurrentQueue<Decision> Decisions { get; } = new();

    /// <summary>An async request whose <c>X-Amzn-SageMaker-Inference-Id</c> starts with this is accepted and never finishes.</summary>
    public const string PendingInferenceIdPrefix = "pending-";
    public Uri Url { get; }

    private AuthorizingSageMakerRuntime(WebApplication app, Uri url, InferencePolicyLoop loop)
    {
        (_app, Url, _loop) = (app, url, loop);
        _verifier = new SigV4Verifier(InferencePolicyLoop.Region, "sagemaker", new Dictionary<string, string> { [loop.Aws.HandlerKey.Id] = loop.Aws.HandlerKey.Secret });
    }

    public static async Task<AuthorizingSageMakerRuntime> StartAsync(InferencePolicyLoop loop)
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
        var prefix = $"arn:aws:sagemaker:{InferencePolicyLoop.Region}:{InferencePolicyLoop.Account}:";
        var resources = new List<string> { prefix + "endpoint/" + name.ToLowerInvariant() };
        if (http.Request.Headers["X-Amzn-SageMaker-Inference-Component"].ToString() is { Length: > 0 } component)
            resources.Add(prefix + "inference-component/" + component.ToLowerInvariant());
        // SageMaker authorizes an invocation that targets an inference component on both the endpoint and the component.
        var decisions = signed ? resources.Select(r => _loop.Iam.Decide(action, r)).ToList() : [];
        var permitted = signed && decisions.All(d => d.Allowed);
        var results = signed ? string.Join("; ", decisions.Select(d => $"{d.Resource}: {d.Result} {d.Detail}")) : "unsigned";
        Decisions.Enqueue(new Decision(name, action, resources.ToArray(), signed, permitted, results));
        http.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (!signed)
        {
            await Error(http, 403, errorType, message);
            return;
        }
        if (!permitted)
        {
            await Error(http, 403, "AccessDeniedException", $"User: arn:aws:iam::{InferencePolicyLoop.Account}:user/handler is not authorized to perform: {action} on resource: {resources[^1]}");
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
                if (!http.Request.Headers["X-Amzn-SageMaker-Inference-Id"].ToString().StartsWith(PendingInferenceIdPrefix, StringComparison.Ordinal))
                    using (var s3 = _loop.S3(_loop.Aws.AdminKey))
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

