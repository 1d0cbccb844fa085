using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>Runs <c>sagemaker_shapes.py</c> (beside this file) with the preinstalled python3 and botocore.</summary>
internal static class SageMakerShapes
{
    public static string Script([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "sagemaker_shapes.py");

    public static string WriteTemplate(Template template)
    {
        var path = Path.Combine(Path.GetTempPath(), $"endpoint-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, template.Json().ToJsonString());
        return path;
    }

    public static (int ExitCode, JsonNode Report, string Stderr) Run(params string[] args)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script());
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("sagemaker_shapes.py did not finish in 120 s");
        }
        var output = stdout.Result;
        return (process.ExitCode, JsonNode.Parse(output.Length > 0 ? output : "{}")!, stderr.Result);
    }

    public static string[] Operations(JsonNode report) =>
        report["checked"]!.AsArray().Select(c => c!["operation"]!.GetValue<string>()).ToArray();
}

/// <summary>
/// Every SageMaker resource synthesized for each hosting mode, mapped to its Create* request (tokens replaced by
/// plausible literals), passes botocore's ParamValidator and the enum/max constraints of the SageMaker service
/// model shipped with botocore. This is the only check of the inference-component shapes: moto has none.
/// </summary>
[Collection(EndpointTemplates.Collection)]
public class SageMakerApiShapeTests
{
    private readonly EndpointTemplates _t;
    public SageMakerApiShapeTests(EndpointTemplates t) => _t = t;

    public static TheoryData<string> Modes => new() { "RealTime", "Components", "Async", "Serverless" };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Every_SageMaker_resource_is_a_valid_API_request(string mode)
    {
        var template = _t.All.Single(m => m.Name == mode).Template;
        var path = SageMakerShapes.WriteTemplate(template);
        try
        {
            var (exit, report, stderr) = SageMakerShapes.Run("validate", path);
            Assert.True(exit == 0, $"botocore refused the {mode} template: {report["errors"]?.ToJsonString()} {stderr}");
            var expected = new List<string> { "CreateModel", "CreateEndpointConfig", "CreateEndpoint" };
            if (mode == "Components") expected.Add("CreateInferenceComponent");
            Assert.Equal(expected, SageMakerShapes.Operations(report));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_check_catches_a_wrongly_cased_property_and_an_unknown_instance_type()
    {
        var text = _t.Components.Json().ToJsonString()
            .Replace("\"MinMemoryRequiredInMb\"", "\"MinMemoryRequiredInMB\"")
            .Replace("\"ml.g5.12xlarge\"", "\"ml.g5.13xlarge\"");
        var path = Path.Combine(Path.GetTempPath(), $"endpoint-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        try
        {
            var (exit, report, _) = SageMakerShapes.Run("validate", path);
            Assert.Equal(1, exit);
            var errors = report["errors"]!.ToJsonString();
            Assert.Contains("Unknown parameter in Specification.ComputeResourceRequirements", errors);
            Assert.Contains("ml.g5.13xlarge", errors);
        }
        finally { File.Delete(path); }
    }
}

/// <summary>A moto server on a free loopback port for the test class, stopped by process id.</summary>
public sealed class MotoServer : IDisposable
{
    private readonly Process _process;
    public string Url { get; }

    public MotoServer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("moto_server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-H", "127.0.0.1", "-p", port.ToString() }) start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try { if (http.GetAsync(Url + "/moto-api/").Result.IsSuccessStatusCode) break; }
            catch (Exception) when (DateTime.UtcNow < deadline && !_process.HasExited) { Thread.Sleep(200); }
        }
    }

    public void Dispose()
    {
        try { Process.GetProcessById(_process.Id).Kill(entireProcessTree: true); } catch (ArgumentException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}

/// <summary>
/// A real-time endpoint on ml.g4dn.xlarge (moto knows only older instance types) is created end to end by moto's
/// SageMaker API: CreateModel, CreateEndpointConfig and CreateEndpoint succeed and the endpoint is described
/// InService with the synthesized instance type. moto has no inference components; their shapes are checked by
/// <see cref="SageMakerApiShapeTests"/> alone.
/// </summary>
public class SageMakerMotoTests : IClassFixture<MotoServer>
{
    private readonly MotoServer _moto;
    public SageMakerMotoTests(MotoServer moto) => _moto = moto;

    [Fact]
    public void A_real_time_g4dn_endpoint_is_accepted_end_to_end_by_motos_SageMaker_API()
    {
        var template = Synth.Template(s => new GpuModelEndpoint(s, "Llm", new GpuModelEndpointProps
        {
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            ModelData = ModelData.FromArchive(Amazon.CDK.AWS.S3.Bucket.FromBucketName(s, "Models", "my-models"), "llm/model.tar.gz"),
            Hosting = new RealTimeHosting { InstanceType = "ml.g4dn.xlarge", MaxInstances = 2 },
        }));
        var path = SageMakerShapes.WriteTemplate(template);
        try
        {
            var (exit, report, stderr) = SageMakerShapes.Run("moto", _moto.Url, path);
            Assert.True(exit == 0, $"moto refused the endpoint: {report["errors"]?.ToJsonString()} {stderr}");
            Assert.Equal(new[] { "CreateModel", "CreateEndpointConfig", "CreateEndpoint", "DescribeEndpoint" }, SageMakerShapes.Operations(report));
            var described = report["checked"]!.AsArray().Last()!;
            Assert.Equal("InService", described["status"]!.GetValue<string>());
            Assert.Equal("""["ml.g4dn.xlarge"]""", described["instanceTypes"].Text());
        }
        finally { File.Delete(path); }
    }
}
