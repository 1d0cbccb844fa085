using System.Text.Json.Nodes;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>Every template of the sample app passes cfn-lint and cdk-nag's AwsSolutions pack with zero errors.</summary>
[Collection(SampleAppCollection.Name)]
public class SampleAppComplianceTests(SynthesizedApp app)
{
    private static readonly object NagInstallLock = new();

    /// <summary>The stacks of the sample app; a stack added there and not here fails the first test.</summary>
    private static readonly string[] StackNames = { "Foundation", "Inference", "Training" };

    public static IEnumerable<object[]> Stacks() => StackNames.Select(name => new object[] { name });

    [Fact]
    public void The_sample_app_has_the_stacks_this_suite_checks()
    {
        Assert.Equal(StackNames.Order(), app.Templates.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Template_lints_with_zero_cfn_lint_errors(string stack)
    {
        var result = Repo.Run("cfn-lint", new[] { "--format", "json", app.Templates[stack] }, Repo.Root, TimeSpan.FromMinutes(5));
        var matches = JsonNode.Parse(result.Output)!.AsArray();
        var errors = matches.Where(m => m!["Level"]!.GetValue<string>() == "Error")
            .Select(m => $"{m!["Rule"]!["Id"]} {m["Message"]} at {m["Location"]!["Path"]!.ToJsonString()}").ToList();
        Assert.True(errors.Count == 0, $"cfn-lint errors in {stack}:\n" + string.Join('\n', errors));
        Assert.Equal(0, result.ExitCode & 2); // cfn-lint's exit code sets bit 2 for errors
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Template_passes_cdk_nag_AwsSolutions_with_zero_errors(string stack)
    {
        var findings = Nag(app.Templates[stack]);
        var errors = findings.Where(f => f["level"]!.GetValue<string>() == "error").Select(f => f.ToJsonString()).ToList();
        Assert.True(errors.Count == 0, $"cdk-nag errors in {stack}:\n" + string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Every_cdk_nag_suppression_gives_a_reason_a_reviewer_can_check(string stack)
    {
        var resources = JsonNode.Parse(File.ReadAllText(app.Templates[stack]))!["Resources"]!.AsObject();
        var suppressions = resources.SelectMany(r => r.Value!["Metadata"]?["cdk_nag"]?["rules_to_suppress"]?.AsArray() ?? new JsonArray()).ToList();
        Assert.All(suppressions, s => Assert.True(s!["reason"]!.GetValue<string>().Length >= 40, $"suppression {s.ToJsonString()} needs a real reason"));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Every_log_group_is_in_the_template_encrypted_with_the_platform_key_and_expiring(string stack)
    {
        var resources = JsonNode.Parse(File.ReadAllText(app.Templates[stack]))!["Resources"]!.AsObject();
        var groups = resources.Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::Logs::LogGroup").Select(r => r.Value!["Properties"]!).ToList();
        Assert.NotEmpty(groups);
        Assert.All(groups, g =>
        {
            Assert.NotNull(g["KmsKeyId"]);
            Assert.NotNull(g["RetentionInDays"]);
        });
        // The groups services would otherwise create themselves, unencrypted and kept forever, exist in the template.
        var names = groups.Select(g => g["LogGroupName"]?.ToJsonString() ?? "").ToList();
        var expected = stack switch
        {
            "Inference" => (ApiExecutionLogs: 1, EndpointLogs: 2),
            "Training" => (ApiExecutionLogs: 1, EndpointLogs: 0),
            _ => (ApiExecutionLogs: 0, EndpointLogs: 0),
        };
        Assert.Equal(expected.ApiExecutionLogs, names.Count(n => n.Contains("\"API-Gateway-Execution-Logs_\"")));
        Assert.Equal(expected.EndpointLogs, names.Count(n => n.StartsWith("\"/aws/sagemaker/Endpoints/")));
    }

    /// <summary>Runs tests/Compliance.Tests/nag/nag.js (cdk-nag on the template through cloudformation-include).</summary>
    internal static List<JsonNode> Nag(string template)
    {
        var nagDir = Repo.Path("tests", "Compliance.Tests", "nag");
        lock (NagInstallLock)
        {
            if (!Directory.Exists(Path.Combine(nagDir, "node_modules", "cdk-nag")))
            {
                var install = Repo.Run("npm", new[] { "ci", "--no-audit", "--no-fund" }, nagDir, TimeSpan.FromMinutes(5));
                Assert.True(install.ExitCode == 0, "npm ci in tests/Compliance.Tests/nag failed:\n" + install.Error);
            }
        }
        var result = Repo.Run("node", new[] { "nag.js", template }, nagDir, TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, "nag.js failed:\n" + result.Error);
        return JsonNode.Parse(result.Output)![template]!.AsArray().Select(f => f!).ToList();
    }
}
