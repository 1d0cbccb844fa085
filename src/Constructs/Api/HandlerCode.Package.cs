using Amazon.CDK.AWS.Lambda;
using Amazon.JSII.Runtime.Deputy;

namespace AwsModelPlatform.Constructs.Api;

// The bootstrap the NuGet package carries: published by `dotnet pack` (AwsModelPlatform.Constructs.csproj) and copied
// into the consuming app's output by buildTransitive/AwsModelPlatform.Constructs.targets.
public static partial class HandlerCode
{
    /// <summary>Where the package puts its x86_64 (linux-x64) bootstrap, relative to this assembly's directory.</summary>
    internal const string PackagedPath = "handler/linux-x64/bootstrap";

    /// <summary>The packaged bootstrap next to this assembly, or null (e.g. when the constructs are a project reference).</summary>
    public static string? PackagedBootstrap
    {
        get
        {
            var assembly = typeof(HandlerCode).Assembly.Location;
            var directory = assembly.Length > 0 ? Path.GetDirectoryName(assembly)! : AppContext.BaseDirectory;
            var bootstrap = Path.Combine(directory, PackagedPath);
            return File.Exists(bootstrap) ? bootstrap : null;
        }
    }

    /// <summary>
    /// Uses a prebuilt x86_64 <paramref name="bootstrap"/> file, such as <see cref="PackagedBootstrap"/>: copied into
    /// the cloud assembly by local bundling and made executable there.
    /// </summary>
    public static Code FromPackage(string bootstrap)
    {
        Validate.OfFactory("HandlerCode.FromPackage").That(File.Exists(bootstrap), $"bootstrap = '{bootstrap}' does not exist.");
        // The source is the bootstrap's own directory (the package puts nothing else there), so the asset hash is the
        // binary's and an unchanged handler is not copied again when the asset is already in the cloud assembly.
        return Code.FromAsset(Path.GetDirectoryName(Path.GetFullPath(bootstrap))!, new Amazon.CDK.AWS.S3.Assets.AssetOptions
        {
            Bundling = new BundlingOptions
            {
                // Never used: local bundling always answers.
                Image = DockerImage.FromRegistry("public.ecr.aws/docker/library/alpine:3"),
                Local = new ExecutableCopy(Path.GetFullPath(bootstrap)),
            },
        });
    }

    private sealed class ExecutableCopy(string bootstrap) : DeputyBase, ILocalBundling
    {
        public bool TryBundle(string outputDir, IBundlingOptions options)
        {
            var target = Path.Combine(outputDir, "bootstrap");
            File.Copy(bootstrap, target, overwrite: true);
            // NuGet extracts package files without the executable bit, and Lambda (another user) must read and run the
            // file: rwxr-xr-x, whatever the umask. A copy rather than a chmod of the original: that file belongs to the
            // app's build output (or the package cache). Windows keeps no Unix mode to set.
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            return true;
        }
    }
}
