using System.Diagnostics;
using Amazon.CDK.AWS.Lambda;
using Amazon.JSII.Runtime.Deputy;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// The code of the platform's Lambda functions: the Native AOT <c>bootstrap</c> of <c>src/Handlers</c>: a directory
/// that already holds it, the one the NuGet package carries, or built by <c>dotnet publish</c> on this machine while
/// the app synthesizes (no Docker).
/// </summary>
public static partial class HandlerCode
{
    /// <summary>The handler project, relative to a repository root.</summary>
    internal const string ProjectPath = "src/Handlers/AwsModelPlatform.Handlers.csproj";

    /// <summary>
    /// The handler of constructs given neither a directory nor a project: the packaged bootstrap
    /// (<see cref="PackagedBootstrap"/>, x86_64 only), else <see cref="ProjectPath"/> found in the working directory or
    /// a folder above it, published for <paramref name="architecture"/>.
    /// </summary>
    /// <remarks>
    /// The package comes first so that an app referencing the package runs the handler of the same version as its
    /// constructs (the configuration they write is what that handler reads), whatever checkout lies above its working
    /// directory. Inside the repository the constructs are a project reference, which never has a packaged bootstrap
    /// beside it, so developers still get their own src/Handlers.
    /// </remarks>
    public static Code Default(Architecture architecture) => Default("HandlerCode.Default", architecture);

    internal static Code Default(string owner, Architecture architecture) =>
        Default(owner, architecture, PackagedBootstrap, Directory.GetCurrentDirectory());

    // The packaged bootstrap and the working directory as parameters: tests choose them.
    internal static Code Default(string owner, Architecture architecture, string? packagedBootstrap, string workingDirectory)
    {
        var arm64 = architecture.Name == Architecture.ARM_64.Name;
        if (packagedBootstrap is not null && !arm64) return FromPackage(packagedBootstrap);
        if (FindProject(workingDirectory) is { } project) return FromProject(project, architecture);
        throw new ArgumentException(arm64
            ? $"{owner}: no arm64 handler: the package carries only the x86_64 bootstrap and Native AOT does not cross-compile; set HandlerDirectory to a bootstrap published on an arm64 host with `dotnet publish {ProjectPath} -c Release -r linux-arm64 -o <dir>`, or use x86_64."
            : $"{owner}: no handler to package: there is no {PackagedPath} next to the constructs assembly (the AwsModelPlatform.Constructs package brings it) and {ProjectPath} is not in {workingDirectory} or a folder above it; set HandlerDirectory to a prebuilt bootstrap.");
    }

    /// <summary>Uses a directory that holds an executable <c>bootstrap</c> (e.g. the output of a CI build step).</summary>
    public static Code FromDirectory(string directory)
    {
        Validate.OfFactory("HandlerCode.FromDirectory").That(File.Exists(Path.Combine(directory, "bootstrap")),
            $"directory = '{directory}' has no 'bootstrap'; publish src/Handlers there with `dotnet publish {ProjectPath} -r linux-x64 -c Release -o {directory}`.");
        return Code.FromAsset(directory);
    }

    /// <summary>
    /// Publishes the handler project with Native AOT into the asset. The asset hash is the project's source, so an
    /// unchanged handler is not rebuilt when the asset is already in the cloud assembly.
    /// </summary>
    public static Code FromProject(string projectFile, Architecture architecture)
    {
        Validate.OfFactory("HandlerCode.FromProject").That(File.Exists(projectFile),
            $"projectFile = '{projectFile}' does not exist; give the path of {ProjectPath}, or a prebuilt directory with HandlerCode.FromDirectory.");
        var runtimeIdentifier = architecture.Name == Architecture.ARM_64.Name ? "linux-arm64" : "linux-x64";
        var projectDirectory = Path.GetDirectoryName(Path.GetFullPath(projectFile))!;
        return Code.FromAsset(projectDirectory, new Amazon.CDK.AWS.S3.Assets.AssetOptions
        {
            Exclude = new[] { "bin", "obj" },
            Bundling = new BundlingOptions
            {
                // Never used: local bundling always answers (it throws rather than fall back to Docker, which is not here).
                Image = DockerImage.FromRegistry("public.ecr.aws/docker/library/alpine:3"),
                Local = new DotnetPublish(Path.GetFullPath(projectFile), runtimeIdentifier),
            },
        });
    }

    /// <summary>Finds <see cref="ProjectPath"/> in <paramref name="start"/> or a folder above it.</summary>
    public static string? FindProject(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ProjectPath);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The <c>dotnet</c> arguments of a handler build; the package's own publish (AwsModelPlatform.Constructs.csproj) passes the same.</summary>
    internal static string[] PublishArguments(string projectFile, string runtimeIdentifier, string outputDir) =>
        new[] { "publish", projectFile, "-c", "Release", "-r", runtimeIdentifier, "-o", outputDir, "-p:PublishAot=true", "--nologo" };

    private sealed class DotnetPublish(string projectFile, string runtimeIdentifier) : DeputyBase, ILocalBundling
    {
        public bool TryBundle(string outputDir, IBundlingOptions options)
        {
            // Two publishes of one project at once (two synths, or a synth beside the handler tests' own publish) would
            // write the same obj/ folder; they take turns on this lock file instead.
            using var turn = AotPublishLock.Take(Path.GetDirectoryName(projectFile)!);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in PublishArguments(projectFile, runtimeIdentifier, outputDir))
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(Path.Combine(outputDir, "bootstrap")))
                throw new InvalidOperationException($"dotnet publish of {projectFile} failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
            // Only the executable goes to Lambda: debug symbols and build leftovers would only grow the zip.
            foreach (var file in Directory.GetFiles(outputDir).Where(f => Path.GetFileName(f) != "bootstrap"))
                File.Delete(file);
            return true;
        }
    }
}
