using System.Text.Json.Nodes;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>
/// cdk-nag's AwsSolutions, NIST 800-53 R5 and HIPAA Security packs over synthesized templates, in one node process
/// (tests/Compliance.Tests/nag/nag.js): each template's findings, and each of its suppressions with the findings it was
/// the one to suppress.
/// </summary>
public static class CdkNag
{
    /// <summary>The packs every template is checked with (cdk-nag's rule-id prefixes).</summary>
    public static readonly string[] Packs = { "AwsSolutions", "NIST.800.53.R5", "HIPAA.Security" };

    private static readonly object InstallLock = new();

    public sealed record Finding(string Pack, string Level, string Rule, string Resource, string Id, string Message)
    {
        public override string ToString() => $"{Level} {Rule}{(Id.Length > 0 ? $"[{Id}]" : "")} on {Resource}: {Message}";
    }

    /// <summary>One suppression entry (a rule, or one <c>applies_to</c> entry of it) and the findings it suppressed.</summary>
    public sealed record Suppression(string Resource, string Rule, string? AppliesTo, string Reason, IReadOnlyList<string> Used)
    {
        public override string ToString() => $"{Rule}{(AppliesTo is null ? "" : $" [{AppliesTo}]")} on {Resource}";
    }

    public sealed record Result(IReadOnlyList<Finding> Findings, IReadOnlyList<Suppression> Suppressions)
    {
        /// <summary>Errors, and rules that could not evaluate a resource (a rule that cannot read a value has not passed it).</summary>
        public IEnumerable<Finding> Errors => Findings.Where(f => f.Level is "error" or "validation-failure");
    }

    /// <summary>Checks every template in one node process; template path → result.</summary>
    public static IReadOnlyDictionary<string, Result> Run(IReadOnlyCollection<string> templates)
    {
        var nagDir = Repo.Path("tests", "Compliance.Tests", "nag");
        lock (InstallLock)
        {
            if (!Directory.Exists(Path.Combine(nagDir, "node_modules", "cdk-nag")))
            {
                var install = Repo.Run("npm", new[] { "ci", "--no-audit", "--no-fund" }, nagDir, TimeSpan.FromMinutes(5));
                Assert.True(install.ExitCode == 0, "npm ci in tests/Compliance.Tests/nag failed:\n" + install.Error);
            }
        }
        var result = Repo.Run("node", new[] { "nag.js", "--packs", string.Join(',', Packs) }.Concat(templates), nagDir, TimeSpan.FromMinutes(10));
        Assert.True(result.ExitCode == 0, "nag.js failed:\n" + result.Error);
        var output = JsonNode.Parse(result.Output)!.AsObject();
        return templates.ToDictionary(t => t, t =>
        {
            var report = output[t]!;
            return new Result(
                report["findings"]!.AsArray().Select(f => new Finding(f!["pack"]!.GetValue<string>(), f["level"]!.GetValue<string>(), f["rule"]!.GetValue<string>(),
                    f["resource"]!.GetValue<string>(), f["finding"]?.GetValue<string>() ?? "", f["message"]?.GetValue<string>() ?? "")).ToList(),
                report["suppressions"]!.AsArray().Select(s => new Suppression(s!["resource"]!.GetValue<string>(), s["rule"]!.GetValue<string>(),
                    s["appliesTo"]?.GetValue<string>(), s["reason"]!.GetValue<string>(), s["used"]!.AsArray().Select(u => u!.GetValue<string>()).ToList())).ToList());
        });
    }
}

/// <summary>cfn-lint over templates for one region, in one call.</summary>
public static class CfnLint
{
    /// <summary>The errors cfn-lint reports for each template, checked against <paramref name="region"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Errors(IReadOnlyCollection<string> templates, string region)
    {
        var result = Repo.Run("cfn-lint", new[] { "--format", "json", "--regions", region, "--" }.Concat(templates), Repo.Root, TimeSpan.FromMinutes(10));
        // Exit code bits: 2 errors, 4 warnings, 8 informational; 1 means cfn-lint itself failed.
        Assert.True((result.ExitCode & 1) == 0, $"cfn-lint failed to run (exit {result.ExitCode}):\n{result.Error}");
        var matches = JsonNode.Parse(result.Output)!.AsArray();
        return templates.ToDictionary(t => t, t => (IReadOnlyList<string>)matches
            .Where(m => m!["Level"]!.GetValue<string>() == "Error" && m["Filename"]!.GetValue<string>() == t)
            .Select(m => $"{m!["Rule"]!["Id"]} {m["Message"]} at {m["Location"]!["Path"]!.ToJsonString()}").ToList());
    }
}
