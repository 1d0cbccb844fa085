using System.Text.Json.Nodes;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>
/// Every template of the sample app passes cfn-lint and cdk-nag's AwsSolutions, NIST 800-53 R5 and HIPAA Security packs
/// with zero errors, and every suppression in it suppresses something (the sample is one more configuration of the
/// matrix, ConfigurationMatrixTests).
/// </summary>
[Collection(SampleAppCollection.Name)]
public class SampleAppComplianceTests(SynthesizedApp app)
{
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
        var errors = app.LintErrors[app.Templates[stack]];
        Assert.True(errors.Count == 0, $"cfn-lint errors in {stack}:\n" + string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Template_passes_AwsSolutions_NIST_800_53_R5_and_HIPAA_Security_with_zero_errors(string stack)
    {
        var errors = app.Nag[app.Templates[stack]].Errors.Select(f => f.ToString()).ToList();
        Assert.True(errors.Count == 0, $"cdk-nag errors in {stack}:\n" + string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Every_suppression_in_the_template_suppresses_a_finding(string stack)
    {
        var dead = app.Nag[app.Templates[stack]].Suppressions.Where(s => s.Used.Count == 0).Select(s => s.ToString()).ToList();
        Assert.True(dead.Count == 0, $"suppressions matching no finding in {stack}:\n" + string.Join('\n', dead));
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
            "Inference" => (ApiExecutionLogs: 2, EndpointLogs: 3), // the key API and the IAM API
            "Training" => (ApiExecutionLogs: 1, EndpointLogs: 0),
            _ => (ApiExecutionLogs: 0, EndpointLogs: 0),
        };
        Assert.Equal(expected.ApiExecutionLogs, names.Count(n => n.Contains("\"API-Gateway-Execution-Logs_\"")));
        Assert.Equal(expected.EndpointLogs, names.Count(n => n.StartsWith("\"/aws/sagemaker/Endpoints/")));
    }
}
