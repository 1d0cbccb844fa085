using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Amazon.CDK;
using AwsModelPlatform.Cdk;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// The sample app synthesized once for this assembly's tests, exactly as <c>dotnet run --project cdk</c> does it: the
/// InferenceApi finds src/Handlers (<c>HandlerCode.FindProject</c>) and publishes it with Native AOT into the asset.
/// </summary>
public sealed class BuiltSampleApp : IAsyncLifetime
{
    public const string Collection = "Built sample app";

    public static string RepoRoot { get; } =
        typeof(BuiltSampleApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public string OutDir { get; } = Directory.CreateTempSubdirectory("amp-built-").FullName;
    public JsonObject Inference { get; }
    public JsonObject Foundation { get; }
    public JsonObject Training { get; }
    public TimeSpan SynthTime { get; }

    /// <summary>The warnings synthesis reported, by stack.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Warnings { get; }

    public BuiltSampleApp()
    {
        NodeWarnings.Silence();
        var context = CdkJson.Context(Path.Combine(RepoRoot, "cdk.json")) ?? new Dictionary<string, object>();
        var clock = Stopwatch.StartNew();
        var app = new App(new AppProps { Outdir = OutDir, Context = context });
        AwsModelPlatform.Cdk.SampleApp.Build(app);
        var assembly = app.Synth();
        SynthTime = clock.Elapsed;
        JsonObject Read(string stack) => JsonNode.Parse(File.ReadAllText(Path.Combine(assembly.Directory, assembly.GetStackByName(stack).TemplateFile)))!.AsObject();
        Inference = Read("Inference");
        Foundation = Read("Foundation");
        Training = Read("Training");
        Warnings = new[] { "Foundation", "Inference", "Training" }.ToDictionary(s => s, s => (IReadOnlyList<string>)assembly.GetStackByName(s).Messages
            .Where(m => m.Level == Amazon.CDK.CXAPI.SynthesisMessageLevel.WARNING).Select(m => m.Entry.Data?.ToString() ?? "").ToList());
        _inference = new(() => InferencePolicyLoop.StartAsync(this));
        _training = new(() => TrainingPolicyLoop.StartAsync(this));
    }

    /// <summary>The Lambda functions of the Inference stack by their adapter invoke mode (<c>buffered</c>, <c>response_stream</c>).</summary>
    public (string LogicalId, JsonNode Properties) Function(string invokeMode) =>
        Inference["Resources"]!.AsObject()
            .Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::Lambda::Function"
                        && r.Value["Properties"]!["Environment"]?["Variables"]?["AWS_LWA_INVOKE_MODE"]?.GetValue<string>() == invokeMode
                        // The key API's inference functions (the IAM API's are the same but for the caller mappings; the access functions serve other groups).
                        && r.Value["Properties"]!["Environment"]?["Variables"]?["Api__RouteGroups"]?.GetValue<string>() == "inference" && r.Key.StartsWith("Api", StringComparison.Ordinal))
            .Select(r => (r.Key, r.Value!["Properties"]!)).Single();

    /// <summary>The training API's function.</summary>
    public (string LogicalId, JsonNode Properties) TrainingFunction =>
        Training["Resources"]!.AsObject()
            .Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::Lambda::Function"
                        && r.Value["Properties"]!["Environment"]?["Variables"]?["Api__RouteGroups"]?.GetValue<string>() == "training")
            .Select(r => (r.Key, r.Value!["Properties"]!)).Single();

    /// <summary>The staged asset directory of a function's code.</summary>
    public string AssetDirectory(JsonNode function)
    {
        var key = function["Code"]!["S3Key"]!.GetValue<string>();
        return Path.Combine(OutDir, "asset." + Path.GetFileNameWithoutExtension(key));
    }

    private readonly Lazy<Task<InferencePolicyLoop>> _inference;
    private readonly Lazy<Task<TrainingPolicyLoop>> _training;

    /// <summary>moto, the stand-ins and the handler of the inference policy-in-the-loop tests, started once on first use.</summary>
    public Task<InferencePolicyLoop> InferenceLoopAsync() => _inference.Value;

    /// <summary>moto, the Batch and KMS stand-ins and the handler of the training policy-in-the-loop tests, started once on first use.</summary>
    public Task<TrainingPolicyLoop> TrainingLoopAsync() => _training.Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_inference.IsValueCreated && _inference.Value.IsCompletedSuccessfully) await _inference.Value.Result.DisposeAsync();
        if (_training.IsValueCreated && _training.Value.IsCompletedSuccessfully) await _training.Value.Result.DisposeAsync();
        Directory.Delete(OutDir, recursive: true);
    }
}

[CollectionDefinition(BuiltSampleApp.Collection)]
public sealed class BuiltSampleAppCollection : ICollectionFixture<BuiltSampleApp> { }
