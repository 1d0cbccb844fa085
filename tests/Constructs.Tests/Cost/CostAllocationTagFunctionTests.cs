using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Cost;

/// <summary>
/// The cost-allocation tag function's code, exactly as synthesized, run with node and the AWS SDK for JavaScript v3 (as
/// the Lambda Node.js runtime provides it) against <see cref="CostExplorerStandIn"/>: moto has no
/// ListCostAllocationTags or UpdateCostAllocationTagsStatus, so a stand-in answers in Cost Explorer's JSON 1.1 wire
/// format (API reference: https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_ListCostAllocationTags.html,
/// https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_UpdateCostAllocationTagsStatus.html).
/// </summary>
public sealed class SynthesizedTagFunction
{
    public string Code { get; }
    public IReadOnlyDictionary<string, string> Environment { get; }
    public JsonNode Template { get; }

    public SynthesizedTagFunction()
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps { ProjectName = "llm", CostCenter = "ml-research" }));
        Template = template.Json();
        var function = template.Resources("AWS::Lambda::Function").Single(f => f.Value["Properties"]!["Environment"]?["Variables"]?["TAG_KEYS"] is not null).Value["Properties"]!;
        Code = function["Code"]!["ZipFile"]!.GetValue<string>();
        Environment = function["Environment"]!["Variables"]!.AsObject().ToDictionary(v => v.Key, v => v.Value!.GetValue<string>());
    }
}

public class CostAllocationTagFunctionTests(SynthesizedTagFunction function) : IClassFixture<SynthesizedTagFunction>
{
    private static JsonObject Tag(string key, string status) => new() { ["TagKey"] = key, ["Type"] = "UserDefined", ["Status"] = status };

    private static (int, JsonObject) Tags(params JsonObject[] tags) => (200, new JsonObject { ["CostAllocationTags"] = new JsonArray(tags) });

    [Fact]
    public async Task Inactive_tags_billing_knows_are_activated_over_every_page_and_none_is_reported()
    {
        using var ce = new CostExplorerStandIn((operation, body) => operation switch
        {
            "ListCostAllocationTags" when body["NextToken"] is null => (200, new JsonObject { ["CostAllocationTags"] = new JsonArray(Tag("Project", "Inactive")), ["NextToken"] = "page2" }),
            "ListCostAllocationTags" => Tags(Tag("Component", "Inactive"), Tag("CostCenter", "Active")),
            _ => (200, new JsonObject { ["Errors"] = new JsonArray() }),
        });
        var run = await RunAsync(ce);

        Assert.Equal(0, run.ExitCode);
        var list = ce.Requests.Where(r => r.Operation == "ListCostAllocationTags").ToList();
        Assert.Equal(2, list.Count);
        Assert.Equal("""["Project","Component","CostCenter"]""", list[0].Body["TagKeys"].Text());
        Assert.Equal("page2", list[1].Body["NextToken"]!.GetValue<string>());
        var update = Assert.Single(ce.Requests, r => r.Operation == "UpdateCostAllocationTagsStatus");
        Assert.Equal("""[{"TagKey":"Project","Status":"Active"},{"TagKey":"Component","Status":"Active"}]""", update.Body["CostAllocationTagsStatus"].Text());
        Assert.Equal(0, run.Metric(CostAllocationTagActivation.InactiveMetric));
        Assert.Equal(0, run.Metric(CostAllocationTagActivation.AccessDeniedMetric));
    }

    [Fact]
    public async Task A_tag_billing_does_not_list_yet_is_reported_inactive_and_left_for_the_next_run()
    {
        using var ce = new CostExplorerStandIn((operation, _) => operation == "ListCostAllocationTags" ? Tags(Tag("Project", "Active")) : (500, new JsonObject()));
        var run = await RunAsync(ce);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(ce.Requests, r => r.Operation == "UpdateCostAllocationTagsStatus");
        Assert.Equal(2, run.Metric(CostAllocationTagActivation.InactiveMetric));
        Assert.Contains(run.Logs, l => l["tag"]?.GetValue<string>() == "Component" && l["status"]?.GetValue<string>() == "unknown-to-billing");
    }

    [Fact]
    public async Task Per_tag_errors_in_a_200_answer_are_reported_inactive_not_accepted()
    {
        using var ce = new CostExplorerStandIn((operation, _) => operation == "ListCostAllocationTags"
            ? Tags(Tag("Project", "Inactive"), Tag("Component", "Inactive"), Tag("CostCenter", "Active"))
            : (200, new JsonObject { ["Errors"] = new JsonArray(new JsonObject { ["TagKey"] = "Component", ["Code"] = "TagKeysNotFound", ["Message"] = "The tag key is not known to billing yet" }) }));
        var run = await RunAsync(ce);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1, run.Metric(CostAllocationTagActivation.InactiveMetric));
        var failed = Assert.Single(run.Logs, l => l["status"]?.GetValue<string>() == "activation-failed");
        Assert.Equal("Component", failed["tag"]!.GetValue<string>());
        Assert.Contains("TagKeysNotFound", failed["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_member_account_finishes_cleanly_and_is_told_what_the_management_account_must_do()
    {
        // The answer Cost Explorer gives a linked (member) account (issue 11); JSON 1.1 client errors are HTTP 400.
        using var ce = new CostExplorerStandIn((_, _) => (400, new JsonObject { ["__type"] = "AccessDeniedException", ["Message"] = "Linked account doesn't have access to cost allocation tags" }));
        var run = await RunAsync(ce);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1, run.Metric(CostAllocationTagActivation.AccessDeniedMetric));
        Assert.Null(run.Metric(CostAllocationTagActivation.InactiveMetric));
        var denied = Assert.Single(run.Logs, l => l["status"]?.GetValue<string>() == "access-denied");
        Assert.Contains("Linked account doesn't have access", denied["error"]!.GetValue<string>());
        Assert.Contains("management account", denied["action"]!.GetValue<string>());
        Assert.Contains("Project, Component, CostCenter", denied["action"]!.GetValue<string>());
        Assert.Contains("ActivateCostAllocationTags = false", denied["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task Any_other_Cost_Explorer_error_fails_the_run_so_the_errors_alarm_sees_it()
    {
        using var ce = new CostExplorerStandIn((_, _) => (400, new JsonObject { ["__type"] = "ValidationException", ["Message"] = "bad request" }));
        var run = await RunAsync(ce);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Null(run.Metric(CostAllocationTagActivation.InactiveMetric));
    }

    [Fact]
    public void Its_metrics_are_the_ones_the_alarms_watch()
    {
        var alarms = function.Template["Resources"]!.AsObject().Select(r => r.Value!).Where(r => r["Type"]!.GetValue<string>() == "AWS::CloudWatch::Alarm")
            .Select(r => r["Properties"]!).Where(p => p["Namespace"]?.GetValue<string>() == function.Environment["METRIC_NAMESPACE"]).ToList();
        Assert.Equal(new[] { CostAllocationTagActivation.AccessDeniedMetric, CostAllocationTagActivation.InactiveMetric }, alarms.Select(a => a["MetricName"]!.GetValue<string>()).Order());
        Assert.All(alarms, a => Assert.Equal($$"""[{"Name":"Platform","Value":"{{function.Environment["PLATFORM"]}}"}]""", a["Dimensions"].Text()));
    }

    [Fact]
    public async Task The_client_reaches_Cost_Explorer_in_us_east_1_from_any_region()
    {
        // Cost Explorer is served from one endpoint per partition; the SDK's endpoint rules resolve it whatever the
        // function's region (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/ce-api.html).
        var run = await NodeAsync(
            "const ce = require('@aws-sdk/client-cost-explorer');" +
            "for (const Region of ['eu-west-1', 'ap-southeast-2']) console.log(JSON.stringify(new ce.CostExplorerClient({ region: Region }).config.endpointProvider({ Region, UseFIPS: false, UseDualStack: false })));",
            new Dictionary<string, string>());
        Assert.Equal(0, run.ExitCode);
        Assert.All(run.Lines, line =>
        {
            Assert.Equal("https://ce.us-east-1.amazonaws.com/", line["url"]!.GetValue<string>());
            Assert.Equal("us-east-1", line["properties"]!["authSchemes"]![0]!["signingRegion"]!.GetValue<string>());
        });
        Assert.Equal(2, run.Lines.Count);
    }

    private async Task<NodeRun> RunAsync(CostExplorerStandIn ce)
    {
        var directory = Directory.CreateTempSubdirectory("cost-tags-fn-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "index.js"), function.Code);
            var environment = new Dictionary<string, string>(function.Environment)
            {
                // The SDK's service-specific endpoint setting: the code runs unchanged against the stand-in.
                ["AWS_ENDPOINT_URL_COST_EXPLORER"] = ce.Url,
                ["AWS_REGION"] = "eu-west-1",
                ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
                ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            };
            return await NodeAsync($"require({System.Text.Json.JsonSerializer.Serialize(Path.Combine(directory, "index.js"))}).handler().then(r => console.log(JSON.stringify({{ result: r }})), e => {{ console.error(e); process.exit(3); }});", environment);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<NodeRun> NodeAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--no-warnings");
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(script);
        start.Environment["NODE_PATH"] = CeClient.NodeModules;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(timeout.Token);
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        return new NodeRun(node.ExitCode, lines, await stderr);
    }

    private sealed record NodeRun(int ExitCode, IReadOnlyList<JsonObject> Lines, string Error)
    {
        public IEnumerable<JsonObject> Logs => Lines.Where(l => l["level"] is not null);

        /// <summary>The value of an EMF metric the run wrote, or null when it wrote none.</summary>
        public double? Metric(string name)
        {
            var emf = Lines.Where(l => l["_aws"] is not null).ToList();
            var line = emf.SingleOrDefault(l => l["_aws"]!["CloudWatchMetrics"]![0]!["Metrics"]!.AsArray().Any(m => m!["Name"]!.GetValue<string>() == name));
            if (line is null) return null;
            Assert.Equal(CostAllocationTagActivation.MetricNamespace, line["_aws"]!["CloudWatchMetrics"]![0]!["Namespace"]!.GetValue<string>());
            Assert.Equal("""[["Platform"]]""", line["_aws"]!["CloudWatchMetrics"]![0]!["Dimensions"].Text());
            Assert.NotNull(line["Platform"]);
            return line[name]!.GetValue<double>();
        }
    }
}

/// <summary>The npm folder with the Cost Explorer client of the AWS SDK for JavaScript v3, installed from its lock file on first use.</summary>
internal static class CeClient
{
    private static readonly Lazy<string> Installed = new(Install);

    public static string NodeModules => Installed.Value;

    private static string Install()
    {
        var directory = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(directory, "AwsModelPlatform.sln"))) directory = Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("repository root not found");
        var folder = Path.Combine(directory, "tests", "Constructs.Tests", "Cost", "ce-client");
        var modules = Path.Combine(folder, "node_modules");
        if (Directory.Exists(Path.Combine(modules, "@aws-sdk", "client-cost-explorer"))) return modules;
        using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error") { WorkingDirectory = folder, UseShellExecute = false })!;
        npm.WaitForExit();
        if (npm.ExitCode != 0) throw new InvalidOperationException($"npm ci in {folder} failed ({npm.ExitCode})");
        return modules;
    }
}

/// <summary>
/// Answers Cost Explorer's JSON 1.1 protocol the way AWS does: POST / with <c>X-Amz-Target: AWSInsightsIndexService.&lt;Operation&gt;</c>,
/// <c>Content-Type: application/x-amz-json-1.1</c> and a SigV4 signature for the <c>ce</c> service; errors as
/// <c>{"__type": ..., "Message": ...}</c>. What each operation answers is the test's.
/// </summary>
internal sealed class CostExplorerStandIn : IDisposable
{
    public sealed record Request(string Operation, JsonObject Body);

    private readonly HttpListener _listener = new();
    private readonly Func<string, JsonObject, (int Status, JsonObject Body)> _answer;
    private readonly List<Request> _requests = new();
    private readonly Task _loop;

    public string Url { get; }

    public IReadOnlyList<Request> Requests { get { lock (_requests) return _requests.ToList(); } }

    public CostExplorerStandIn(Func<string, JsonObject, (int Status, JsonObject Body)> answer)
    {
        _answer = answer;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (!_listener.IsListening) { return; }
            var (status, body) = Handle(context.Request);
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/x-amz-json-1.1";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private (int, JsonObject) Handle(HttpListenerRequest request)
    {
        var target = request.Headers["X-Amz-Target"] ?? "";
        if (request.HttpMethod != "POST" || request.Url!.AbsolutePath != "/" || request.ContentType != "application/x-amz-json-1.1" || !target.StartsWith("AWSInsightsIndexService.", StringComparison.Ordinal))
            return (400, new JsonObject { ["__type"] = "SerializationException", ["Message"] = $"not a Cost Explorer JSON 1.1 request: {request.HttpMethod} {request.Url} {request.ContentType} {target}" });
        if (request.Headers["Authorization"] is not { } authorization || !authorization.StartsWith("AWS4-HMAC-SHA256 Credential=", StringComparison.Ordinal) || !authorization.Contains("/ce/aws4_request"))
            return (403, new JsonObject { ["__type"] = "MissingAuthenticationTokenException", ["Message"] = "Missing Authentication Token" });
        var operation = target["AWSInsightsIndexService.".Length..];
        if (operation is not ("ListCostAllocationTags" or "UpdateCostAllocationTagsStatus"))
            return (400, new JsonObject { ["__type"] = "UnknownOperationException", ["Message"] = operation });
        using var reader = new StreamReader(request.InputStream);
        var body = JsonNode.Parse(reader.ReadToEnd())!.AsObject();
        lock (_requests) _requests.Add(new Request(operation, body));
        return _answer(operation, body);
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
