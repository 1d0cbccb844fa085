using System.Runtime.Versioning;
using System.Xml.Linq;
using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Api;

/// <summary>
/// Where the handler comes from when a construct is given neither a directory nor a project: the packaged bootstrap
/// (x86_64), else src/Handlers found above the working directory. Only the choice is checked: the chosen code is
/// never bound, so nothing is published. Unix file modes: the packaged bootstrap is a Linux executable.
/// </summary>
[UnsupportedOSPlatform("windows")]
public class HandlerCodeTests
{
    private static readonly string Repository = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(HandlerCode.FindProject(AppContext.BaseDirectory)!)!)!)!;
    private static readonly string HandlerProjectDirectory = Path.Combine(Repository, "src", "Handlers");

    /// <summary>A stand-in for the packaged bootstrap as NuGet extracts it: in a directory of its own, not executable.</summary>
    private static string Packaged()
    {
        var bootstrap = Path.Combine(Directory.CreateTempSubdirectory("amp-packaged-").FullName, "handler", "linux-x64", "bootstrap");
        Directory.CreateDirectory(Path.GetDirectoryName(bootstrap)!);
        File.WriteAllText(bootstrap, "#!/bin/sh\necho packaged\n");
        File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return bootstrap;
    }

    private static string AssetPath(Code code) => Assert.IsType<AssetCode>(code, exactMatch: false).Path;

    [Fact]
    public void The_packaged_bootstrap_comes_before_a_project_above_the_working_directory()
    {
        var packaged = Packaged();
        var code = HandlerCode.Default("T", Architecture.X86_64, packaged, AppContext.BaseDirectory);
        Assert.Equal(Path.GetDirectoryName(packaged), AssetPath(code));
    }

    [Fact]
    public void Without_a_packaged_bootstrap_the_project_found_above_the_working_directory_is_published()
    {
        var code = HandlerCode.Default("T", Architecture.X86_64, packagedBootstrap: null, AppContext.BaseDirectory);
        Assert.Equal(HandlerProjectDirectory, AssetPath(code));
    }

    [Fact]
    public void Arm64_skips_the_x86_64_packaged_bootstrap_for_the_project()
    {
        var code = HandlerCode.Default("T", Architecture.ARM_64, Packaged(), AppContext.BaseDirectory);
        Assert.Equal(HandlerProjectDirectory, AssetPath(code));
    }

    [Fact]
    public void Arm64_outside_the_repository_is_refused_with_the_arm64_publish_command()
    {
        var message = Synth.ErrorOf(() => HandlerCode.Default("InferenceApiProps", Architecture.ARM_64, Packaged(), Path.GetTempPath()));
        Assert.StartsWith("InferenceApiProps: no arm64 handler: the package carries only the x86_64 bootstrap", message);
        Assert.Contains("set HandlerDirectory", message);
        Assert.Contains("-r linux-arm64", message);
    }

    [Fact]
    public void No_packaged_bootstrap_and_no_project_is_refused()
    {
        var message = Synth.ErrorOf(() => HandlerCode.Default("TrainingApiProps", Architecture.X86_64, packagedBootstrap: null, Path.GetTempPath()));
        Assert.StartsWith("TrainingApiProps: no handler to package: there is no handler/linux-x64/bootstrap next to the constructs assembly", message);
        Assert.Contains("set HandlerDirectory to a prebuilt bootstrap", message);
    }

    [Fact]
    public void Constructs_referenced_as_a_project_have_no_packaged_bootstrap()
    {
        // Inside the repository the build copies no bootstrap next to the constructs, so developers' src/Handlers is used.
        Assert.Null(HandlerCode.PackagedBootstrap);
    }

    [Fact]
    public void The_packaged_bootstrap_is_staged_executable_in_an_asset_of_its_own()
    {
        var packaged = Packaged();
        var app = new App();
        var stack = new Stack(app, "Test");
        new HandlerFunction(stack, "Handler", new HandlerFunctionProps
        {
            Platform = new ModelPlatform(stack, "Platform"), Purpose = "api", Code = HandlerCode.FromPackage(packaged),
            Configuration = new Dictionary<string, string>(),
        });
        var assembly = app.Synth();

        // The platform brings assets of its own (custom resource functions); the handler's is the one with a bootstrap.
        var asset = Assert.Single(Directory.GetDirectories(assembly.Directory, "asset.*"), d => File.Exists(Path.Combine(d, "bootstrap")));
        Assert.Equal(new[] { "bootstrap" }, Directory.GetFileSystemEntries(asset).Select(Path.GetFileName));
        var staged = Path.Combine(asset, "bootstrap");
        Assert.Equal(File.ReadAllBytes(packaged), File.ReadAllBytes(staged));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                     | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, File.GetUnixFileMode(staged));
        // The package's own file is left as it is: it belongs to the app's build output.
        Assert.False(File.GetUnixFileMode(packaged).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public void The_package_publishes_the_handler_with_the_arguments_of_a_synth()
    {
        var project = XDocument.Load(Path.Combine(Repository, "src", "Constructs", "AwsModelPlatform.Constructs.csproj"));
        var command = project.Descendants("Exec").Single().Attribute("Command")!.Value;
        var arguments = HandlerCode.PublishArguments("\"$(HandlerProjectDirectory)AwsModelPlatform.Handlers.csproj\"", "linux-x64", "\"$(HandlerPublishDirectory)\"");
        Assert.EndsWith("\"$(DotnetHost)\" " + string.Join(' ', arguments), command);
    }
}
