using System.Diagnostics;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>Paths in the repository and a way to run its tools.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root }.Concat(parts).ToArray());

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "AwsModelPlatform.sln"))) return dir.FullName;
        throw new InvalidOperationException("AwsModelPlatform.sln not found above " + AppContext.BaseDirectory);
    }

    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Runs a command to completion, failing the test if it outlives <paramref name="timeout"/>.</summary>
    public static Result Run(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, IDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in new[] { ("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1"), ("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1"), ("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20") }) start.Environment[name] = value;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in env ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
