using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Api;

/// <summary>A directory with a stand-in <c>bootstrap</c>, for constructs that only package it.</summary>
internal static class FakeHandlerCode
{
    public static string Directory { get; } = Create();

    private static string Create()
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("amp-bootstrap-").FullName;
        File.WriteAllText(Path.Combine(dir, "bootstrap"), "#!/bin/sh\n");
        return dir;
    }
}

/// <summary>A platform, a buffered and a streaming handler, and an IAM-authorized API with one route of each.</summary>
public sealed class ApiFixture
{
    public Template Template { get; }
    public ModelPlatform Platform { get; }
    public string StackJson { get; }

    public ApiFixture()
    {
        var stack = Synth.NewStack();
        var platform = Platform = new ModelPlatform(stack, "Platform");
        var code = HandlerCode.FromDirectory(FakeHandlerCode.Directory);
        var buffered = new HandlerFunction(stack, "Buffered", new HandlerFunctionProps
        {
            Platform = platform, Purpose = "api", Code = code,
            Configuration = new Dictionary<string, string> { ["Api__RouteGroups"] = "inference" },
        });
        var streaming = new HandlerFunction(stack, "Streaming", new HandlerFunctionProps
        {
            Platform = platform, Purpose = "api-stream", Code = code, InvokeMode = InvokeMode.ResponseStream,
            Configuration = new Dictionary<string, string> { ["Api__RouteGroups"] = "inference" },
        });
        var api = new PlatformRestApi(stack, "Api", new PlatformRestApiProps { Platform = platform, Name = "inference" });
        api.AddRoute("POST", "/v1/endpoints/{model}/invocations", buffered, InvokeMode.Buffered);
        api.AddRoute("POST", "/v1/endpoints/{model}/invocations-stream", streaming, InvokeMode.ResponseStream);
        Template = Template.FromStack(stack);
        StackJson = Template.Json().ToJsonString();
    }
}
