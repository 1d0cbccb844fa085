using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>IAM's answer to one request: <c>Allowed</c>, <c>ImplicitlyDenied</c>, <c>ExplicitlyDenied</c> or <c>Error</c> (an unknown action or ARN).</summary>
public sealed record PolicyDecision(string Action, string Resource, string Result, string Detail)
{
    public bool Allowed => Result == "Allowed";
}

/// <summary>
/// The synthesized role policy (and a resource policy such as the KMS key policy) evaluated by
/// <c>@cloud-copilot/iam-simulate</c> (iam/simulate.mjs), one long-lived node process per loop. moto's server cannot
/// judge these services: it authorizes SageMaker, Batch and KMS actions against the resource <c>*</c> only and checks
/// no condition but StringEquals, so a resource-scoped grant or a KMS encryption-context condition would never be
/// tested. A context key the simulator cannot evaluate fails the decision instead of being skipped.
/// </summary>
public sealed class PolicySimulator : IDisposable
{
    private readonly Process _node;
    private readonly string _policiesFile;
    private readonly Lock _gate = new();

    /// <param name="script">
    /// <c>simulate.mjs</c> for a role with its identity policy; <c>simulate-service.mjs</c> for a service principal (or a
    /// service-linked role) judged by a resource policy alone, with KMS encryption-context keys.
    /// </param>
    public PolicySimulator(string principal, string account, JsonObject identityPolicy, IReadOnlyDictionary<string, JsonObject> resourcePolicies, string script = "simulate.mjs")
    {
        var directory = Path.Combine(BuiltSampleApp.RepoRoot, "tests", "SampleApp.Tests", "iam");
        NpmInstall(directory);
        _policiesFile = Path.GetTempFileName();
        var resources = new JsonObject();
        foreach (var (arn, policy) in resourcePolicies) resources[arn] = policy.DeepClone();
        File.WriteAllText(_policiesFile, new JsonObject
        {
            ["principal"] = principal,
            ["account"] = account,
            ["identityPolicy"] = identityPolicy.DeepClone(),
            ["resourcePolicies"] = resources,
        }.ToJsonString());
        var start = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(_policiesFile);
        _node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
    }

    /// <summary>Whether the role may do <paramref name="action"/> on <paramref name="resource"/> with these request context keys.</summary>
    public PolicyDecision Decide(string action, string resource, JsonObject? context = null)
    {
        var request = new JsonObject { ["action"] = action, ["resource"] = resource, ["context"] = context?.DeepClone() ?? new JsonObject() };
        string? line;
        lock (_gate)
        {
            _node.StandardInput.WriteLine(request.ToJsonString());
            _node.StandardInput.Flush();
            line = _node.StandardOutput.ReadLine();
        }
        var answer = JsonNode.Parse(line ?? throw new InvalidOperationException("the simulator exited"))!.AsObject();
        var result = answer["result"]!.GetValue<string>();
        if (answer["ignoredContextKeys"] is JsonArray ignored)
            return new PolicyDecision(action, resource, "Error", "context keys the simulator cannot evaluate: " + ignored.ToJsonString());
        return new PolicyDecision(action, resource, result, answer["errors"]?.ToJsonString() ?? "");
    }

    private static void NpmInstall(string directory)
    {
        if (Directory.Exists(Path.Combine(directory, "node_modules", "@cloud-copilot", "iam-simulate"))) return;
        var start = new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error") { WorkingDirectory = directory, UseShellExecute = false };
        using var npm = Process.Start(start)!;
        npm.WaitForExit();
        if (npm.ExitCode != 0) throw new InvalidOperationException($"npm ci in {directory} failed ({npm.ExitCode})");
    }

    public void Dispose()
    {
        try
        {
            _node.StandardInput.Close();
            if (!_node.WaitForExit(5000)) _node.Kill();
        }
        finally
        {
            _node.Dispose();
            File.Delete(_policiesFile);
        }
    }
}
