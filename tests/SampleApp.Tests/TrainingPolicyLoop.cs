using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// Policy in the loop for the Training stack. The training API function role's statements are taken from the
/// synthesized template and resolved for account 123456789012 / us-east-1; a <see cref="MotoAccount"/> gives a user
/// "handler" exactly that policy, and moto holds the queue and job definitions under the template's names. The
/// handler (the native bootstrap of the construct's asset, with the function's configuration from the template) runs
/// with that user's keys.
/// <para>What proves what:</para>
/// <list type="bullet">
/// <item>S3 (idempotency records; other buckets and prefixes): moto's server, which authorizes S3 calls on the bucket/key ARN,
/// behind <see cref="Tests.StrictS3"/>, which answers a read of a missing key as S3 does: 403 unless the role may list its prefix.</item>
/// <item>AWS Batch and KMS: <see cref="AuthorizingAwsProxy"/> stand-ins verify the handler's signature, decide each
/// authorization with the <see cref="PolicySimulator"/> (role policy and the platform key's policy, encryption-context
/// keys included) and forward what is allowed to moto, which does the work.</item>
/// </list>
/// </summary>
public sealed class TrainingPolicyLoop : IAsyncDisposable
{
    public const string Account = MotoAccount.Account;
    public const string Region = MotoAccount.Region;
    public const string OtherBucket = "someone-elses-bucket";

    /// <summary>A job definition and a queue that exist in the account but not in the template: outside the grant.</summary>
    public const string RogueDefinition = "someone-elses-definition";
    public const string RogueQueue = "someone-elses-queue";

    /// <summary>The API Gateway request context the adapter forwards for an IAM-authorized caller.</summary>
    public const string CallerArn = "arn:aws:iam::123456789012:user/ml-engineer";

    public BuiltSampleApp App { get; }
    public MotoAccount Aws { get; private set; } = null!;
    public PolicySimulator Iam { get; private set; } = null!;
    public JsonObject Policy { get; private set; } = null!;
    public string KeyArn => Aws.KeyArn;
    public IReadOnlyDictionary<string, string> Configuration { get; private set; } = null!;
    public AuthorizingAwsProxy Batch { get; private set; } = null!;
    public AuthorizingAwsProxy Kms { get; private set; } = null!;
    public StrictS3 StrictS3 { get; private set; } = null!;
    public HandlerProcess Handler { get; private set; } = null!;
    public HttpClient Http => Handler.Http;
    public HttpClient AdminBatch { get; private set; } = null!;
    public string QueueArn => Configuration["Training__JobQueue"];
    /// <summary>The sample uses Spot with the on-demand fallback and has the multi-node <c>ddp</c>: its jobs have their own queue.</summary>
    public string MultiNodeQueueArn => Configuration["Training__MultiNodeJobQueue"];
    public string StateBucket => Configuration["Training__StateBucket"];
    public string DatasetsBucket => Configuration["Training__DatasetsBucket"];
    public string JobTag => Configuration["Training__JobTag"];

    /// <summary>Batch's name of a job definition, by the name callers use (<c>Training__JobDefinitions__{i}__Name</c>).</summary>
    public string BatchNameOf(string definition) => Configuration[DefinitionKey(definition) + "BatchName"];

    /// <summary>The <c>Training__JobDefinitions__{i}__</c> prefix of a definition, by its name.</summary>
    private string DefinitionKey(string definition) =>
        Configuration.Single(c => c.Key.StartsWith("Training__JobDefinitions__", StringComparison.Ordinal) && c.Key.EndsWith("__Name", StringComparison.Ordinal) && c.Value == definition).Key[..^"Name".Length];

    private int DefinitionCount => Configuration.Count(c => c.Key.StartsWith("Training__JobDefinitions__", StringComparison.Ordinal) && c.Key.EndsWith("__Name", StringComparison.Ordinal));

    private TrainingPolicyLoop(BuiltSampleApp app) => App = app;

    public static Task<TrainingPolicyLoop> StartAsync(BuiltSampleApp app) => Started.InitializedAsync(new TrainingPolicyLoop(app), loop => loop.InitializeAsync());

    private async Task InitializeAsync()
    {
        var (_, function) = App.TrainingFunction;
        var role = function["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        var variables = function["Environment"]!["Variables"]!.AsObject()
            .Where(v => !v.Key.StartsWith("AWS_LWA_", StringComparison.Ordinal) && v.Key is not ("AWS_LAMBDA_EXEC_WRAPPER" or "ASPNETCORE_URLS")).ToList();

        var placeholder = new Intrinsics(App.Training, App.Foundation, Account, Region, MotoAccount.PlaceholderKeyArn);
        var buckets = variables.Where(v => v.Key.EndsWith("Bucket", StringComparison.Ordinal)).Select(v => placeholder.String(v.Value)).Append(OtherBucket).ToList();
        Aws = await MotoAccount.StartAsync(buckets, placeholder.RolePolicy(role));

        var intrinsics = new Intrinsics(App.Training, App.Foundation, Account, Region, KeyArn);
        Policy = intrinsics.RolePolicy(role);
        Configuration = variables.ToDictionary(v => v.Key, v => intrinsics.String(v.Value));
        Iam = new PolicySimulator($"arn:aws:iam::{Account}:role/{role}", Account, Policy,
            new Dictionary<string, JsonObject> { [KeyArn] = new Intrinsics(App.Foundation, null, Account, Region, KeyArn).KeyPolicy() });

        AdminBatch = AuthorizingAwsProxy.SignedClient(Aws.Moto.Url, "batch", Aws.AdminKey);
        await SetUpBatchAsync();
        Batch = await AuthorizingAwsProxy.StartAsync(new BatchAuthorization(AdminBatch), Iam, Aws);
        Kms = await AuthorizingAwsProxy.StartAsync(new KmsAuthorization(), Iam, Aws);
        StrictS3 = await StrictS3.StartAsync(Aws, Iam, buckets);
        Handler = await StartHandlerAsync(new Dictionary<string, string>(Configuration)
        {
            // One definition the template does not have: registered in the account, outside the grant.
            [$"Training__JobDefinitions__{DefinitionCount}__Name"] = "rogue",
            [$"Training__JobDefinitions__{DefinitionCount}__BatchName"] = RogueDefinition,
        });
    }

    /// <summary>A handler of the asset with this configuration and the handler user's keys; Batch and KMS at the stand-ins.</summary>
    public async Task<HandlerProcess> StartHandlerAsync(IReadOnlyDictionary<string, string> configuration)
    {
        var env = Aws.HandlerEnvironment();
        foreach (var (k, v) in configuration) env[k] = v;
        env["Aws__ServiceUrls__Batch"] = Batch.Url.ToString();
        env["Aws__ServiceUrls__Kms"] = Kms.Url.ToString();
        env["Aws__ServiceUrls__S3"] = StrictS3.Url.ToString();
        var handler = await HandlerProcess.StartAsync(Path.Combine(App.AssetDirectory(App.TrainingFunction.Properties), "bootstrap"), env);
        handler.Http.DefaultRequestHeaders.Add("x-amzn-request-context", JsonSerializer.Serialize(new { requestId = "policy-loop", identity = new { userArn = CallerArn } }));
        return handler;
    }

    public IAmazonS3 S3((string Id, string Secret) key) => Aws.S3(key);

    /// <summary>
    /// The queues and job definitions under the template's names (a queue without a name is named by its logical id, as
    /// <see cref="Intrinsics"/> resolves it), and a rogue queue and definition outside the grant. moto runs jobs without
    /// Docker: a job succeeds as soon as it is submitted.
    /// </summary>
    private async Task SetUpBatchAsync()
    {
        using (var plain = new HttpClient { BaseAddress = Aws.Moto.Url })
            (await plain.PostAsync("moto-api/config", new StringContent("""{"batch":{"use_docker":false}}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        using (var iam = AuthorizingAwsProxy.SignedClient(Aws.Moto.Url, "iam", Aws.AdminKey))
            (await iam.PostAsync("", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Action"] = "CreateRole", ["Version"] = "2010-05-08", ["RoleName"] = "batch-service-role", ["AssumeRolePolicyDocument"] = "{}",
            }))).EnsureSuccessStatusCode();

        var environment = await BatchAsync("createcomputeenvironment", new { computeEnvironmentName = "training", type = "UNMANAGED", state = "ENABLED", serviceRole = $"arn:aws:iam::{Account}:role/batch-service-role" });
        foreach (var queue in new[] { QueueArn.Split('/').Last(), MultiNodeQueueArn.Split('/').Last(), RogueQueue })
            await BatchAsync("createjobqueue", new { jobQueueName = queue, state = "ENABLED", priority = 1, computeEnvironmentOrder = new[] { new { order = 1, computeEnvironment = environment["computeEnvironmentArn"]!.GetValue<string>() } } });

        var resources = new[] { new { type = "VCPU", value = "4" }, new { type = "MEMORY", value = "15360" }, new { type = "GPU", value = "1" } };
        var container = new { image = "training:v1", resourceRequirements = resources };
        foreach (var (key, name) in Configuration.Where(c => c.Key.StartsWith("Training__JobDefinitions__", StringComparison.Ordinal) && c.Key.EndsWith("__BatchName", StringComparison.Ordinal)))
        {
            if (!Configuration.TryGetValue(key[..^"BatchName".Length] + "Nodes", out var nodes))
            {
                await BatchAsync("registerjobdefinition", new { jobDefinitionName = name, type = "container", containerProperties = container });
                continue;
            }
            await BatchAsync("registerjobdefinition", new
            {
                jobDefinitionName = name, type = "multinode",
                nodeProperties = new { numNodes = int.Parse(nodes), mainNode = 0, nodeRangeProperties = new[] { new { targetNodes = "0:", container } } },
            });
        }
        await BatchAsync("registerjobdefinition", new { jobDefinitionName = RogueDefinition, type = "container", containerProperties = container });
    }

    /// <summary>A Batch call as the admin, straight to moto.</summary>
    public async Task<JsonObject> BatchAsync(string operation, object body)
    {
        using var response = await AdminBatch.PostAsync("v1/" + operation, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"moto Batch {operation}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        Handler?.Dispose();
        if (Batch is not null) await Batch.DisposeAsync();
        if (Kms is not null) await Kms.DisposeAsync();
        if (StrictS3 is not null) await StrictS3.DisposeAsync();
        AdminBatch?.Dispose();
        Iam?.Dispose();
        Aws?.Dispose();
    }
}
