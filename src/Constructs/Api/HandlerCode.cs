using System.Diagnostics;
using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.JSII.Runtime.Deputy;
using AwsModelPlatform.Constructs.Defaults;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// The code of the platform's Lambda functions: the Native AOT <c>bootstrap</c> of <c>src/Handlers</c>, built by
/// <c>dotnet publish</c> on this machine while the app synthesizes (no Docker), or a directory that already holds it.
/// </summary>
public static class HandlerCode
{
    /// <summary>The handler project, relative to a repository root.</summary>
    public const string ProjectPath = "src/Handlers/AwsModelPlatform.Handlers.csproj";

    /// <summary>Uses a directory that holds an executable <c>bootstrap</c> (e.g. the output of a CI build step).</summary>
    public static Code FromDirectory(string directory)
    {
        Validate.That(File.Exists(Path.Combine(directory, "bootstrap")),
            $"HandlerCode.FromDirectory: '{directory}' has no 'bootstrap'; publish src/Handlers there with `dotnet publish {ProjectPath} -r linux-x64 -c Release -o {directory}`.");
        return Code.FromAsset(directory);
    }

    /// <summary>
    /// Publishes the handler project with Native AOT into the asset. The asset hash is the project's source, so an
    /// unchanged handler is not rebuilt when the asset is already in the cloud assembly.
    /// </summary>
    public static Code FromProject(string projectFile, Architecture architecture)
    {
        Validate.That(File.Exists(projectFile),
            $"HandlerCode.FromProject: '{projectFile}' does not exist; give the path of {ProjectPath}, or a prebuilt directory with HandlerCode.FromDirectory.");
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

    /// <summary>An exclusive lock on <c>obj/aot-publish.lock</c> of the project, held while it is published.</summary>
    internal static FileStream PublishLock(string projectDirectory)
    {
        var path = Path.Combine(projectDirectory, "obj", "aot-publish.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow.AddMinutes(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }

    private sealed class DotnetPublish(string projectFile, string runtimeIdentifier) : DeputyBase, ILocalBundling
    {
        public bool TryBundle(string outputDir, IBundlingOptions options)
        {
            // Two publishes of one project at once (two synths, or a synth beside the handler tests' own publish) would
            // write the same obj/ folder; they take turns on this lock file instead.
            using var turn = PublishLock(Path.GetDirectoryName(projectFile)!);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "publish", projectFile, "-c", "Release", "-r", runtimeIdentifier, "-o", outputDir, "-p:PublishAot=true", "--nologo" })
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
