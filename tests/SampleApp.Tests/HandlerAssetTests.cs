namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>The asset the construct builds (Native AOT publish of src/Handlers) is a Lambda-ready executable.</summary>
[Collection(BuiltSampleApp.Collection)]
public class HandlerAssetTests(BuiltSampleApp app)
{
    [Fact]
    public void Both_functions_share_one_asset_holding_only_an_executable_bootstrap()
    {
        var buffered = app.AssetDirectory(app.Function("buffered").Properties);
        Assert.Equal(buffered, app.AssetDirectory(app.Function("response_stream").Properties));
        Assert.Equal(new[] { "bootstrap" }, Directory.GetFileSystemEntries(buffered).Select(Path.GetFileName));
        var mode = OperatingSystem.IsLinux() ? File.GetUnixFileMode(Path.Combine(buffered, "bootstrap")) : throw new PlatformNotSupportedException("the Lambda asset is built and run on Linux");
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute), $"bootstrap is not executable ({mode})");
        // A native ELF executable, not a managed assembly that would need a runtime Lambda's provided.al2023 lacks.
        var header = File.ReadAllBytes(Path.Combine(buffered, "bootstrap")).AsSpan(0, 4).ToArray();
        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, header);
    }

    [Fact]
    public async Task Bootstrap_starts_on_ASPNETCORE_URLS_and_answers_healthz()
    {
        // What Lambda gives the function: its configuration (here: one model) and the adapter's ASPNETCORE_URLS.
        using var handler = await HandlerProcess.StartAsync(Path.Combine(app.AssetDirectory(app.Function("buffered").Properties), "bootstrap"),
            new Dictionary<string, string> { ["AWS_REGION"] = "us-east-1", ["Inference__Models__0__Name"] = "llm", ["Inference__Models__0__EndpointName"] = "llm" });
        using var response = await handler.Http.GetAsync("healthz");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"ok\"", await response.Content.ReadAsStringAsync());
    }
}
