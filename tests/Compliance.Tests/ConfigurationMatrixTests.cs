using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>
/// Secure by default in every configuration a user writes (issue 12, docs/security.md): each configuration of the
/// matrix lints clean for its region and passes cdk-nag's AwsSolutions, NIST 800-53 R5 and HIPAA Security packs with
/// zero errors, and every suppression the library writes suppresses something.
/// </summary>
[Collection(PackedLibraryCollection.Name)]
public class ConfigurationMatrixTests(PackedLibrary library, ITestOutputHelper output)
{
    /// <summary>The configurations of tests/Compliance.Tests/matrix/Program.cs; one added there and not here fails the first test.</summary>
    private static readonly string[] Names =
    {
        "agnostic-one-stack", "eu-west-1-one-stack", "agnostic-platform-stack", "eu-west-1-platform-stack", "eu-west-1-standalone",
    };

    public static IEnumerable<object[]> Configurations() => Names.Select(name => new object[] { name });

    private ConfigurationMatrix Matrix => library.Matrix;

    [Fact]
    public void The_matrix_synthesizes_exactly_the_configurations_this_suite_checks()
    {
        Assert.True(Matrix.Run.ExitCode == 0, "the matrix consumer failed:\n" + Matrix.Run.Output + Matrix.Run.Error);
        Assert.Equal(Names.Order(), Matrix.Configurations.Keys.Order());
        output.WriteLine(Matrix.Run.Output);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Configuration_lints_with_zero_cfn_lint_errors_for_its_region(string configuration)
    {
        var errors = Matrix.LintErrors(configuration).SelectMany(s => s.Errors.Select(e => $"{s.Stack}: {e}")).ToList();
        Assert.True(errors.Count == 0, $"cfn-lint errors in {configuration} ({Matrix.Get(configuration).Region}):\n" + string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Configuration_passes_AwsSolutions_NIST_800_53_R5_and_HIPAA_Security_with_zero_errors(string configuration)
    {
        var errors = Matrix.Nag(configuration).SelectMany(s => s.Result.Errors.Select(e => $"{s.Stack}: {e}")).ToList();
        Assert.True(errors.Count == 0, $"cdk-nag errors in {configuration}:\n" + string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Every_suppression_the_library_writes_suppresses_a_finding(string configuration)
    {
        // The templates hold only what the library wrote: the consumer suppresses nothing. An entry that matches no
        // finding would silently suppress the next real one of that rule on that resource.
        var dead = Matrix.Nag(configuration).SelectMany(s => s.Result.Suppressions.Where(x => x.Used.Count == 0).Select(x => $"{s.Stack}: {x}")).ToList();
        Assert.True(dead.Count == 0, $"suppressions matching no finding in {configuration}:\n" + string.Join('\n', dead));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Suppressions_give_a_reason_and_match_whatever_the_account_and_region(string configuration)
    {
        var suppressions = Matrix.Nag(configuration).SelectMany(s => s.Result.Suppressions).ToList();
        Assert.NotEmpty(suppressions);
        Assert.All(suppressions, s => Assert.True(s.Reason.Length >= 40, $"{s} needs a reason a reviewer can check: '{s.Reason}'"));
        // A literal <AWS::Region> or <AWS::AccountId> stops matching once a stack names its environment.
        Assert.All(suppressions.Where(s => s.AppliesTo is not null && !s.AppliesTo.StartsWith('/')),
            s => Assert.DoesNotContain("<AWS::", s.AppliesTo));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Every_metric_a_configuration_watches_is_published_by_AWS_with_that_dimension_set(string configuration)
    {
        // The metric catalog of issue 11 (MetricCatalog/metric-catalog.json), over every configuration.
        var violations = Matrix.Templates(configuration)
            .SelectMany(t => MetricCatalog.AwsMetricCatalog.Default.Violations(t.Template.AsObject()).Select(v => $"{t.Stack}: {v}")).ToList();
        Assert.True(violations.Count == 0, $"metrics AWS does not publish in {configuration}:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void The_matrix_covers_every_option_the_issue_lists()
    {
        var all = Names.ToDictionary(n => n, n => Matrix.Templates(n).Select(t => t.Template).ToList());
        IEnumerable<JsonNode> Resources(string configuration, string type) => all[configuration]
            .SelectMany(t => t["Resources"]!.AsObject().Select(r => r.Value!)).Where(r => r["Type"]!.GetValue<string>() == type);
        IEnumerable<JsonNode> Everywhere(string type) => Names.SelectMany(n => Resources(n, type));
        bool InAny(string type, Func<JsonNode, bool> has) => Everywhere(type).Any(r => has(r["Properties"] ?? new JsonObject()));

        // Environment-agnostic and explicit (account 111122223333, eu-west-1); one stack and the platform in another.
        Assert.Contains(Names, n => Matrix.Get(n).Region == "us-east-1" && !all[n].Any(t => t.ToJsonString().Contains("111122223333")));
        Assert.Contains(Names, n => Matrix.Get(n).Region == "eu-west-1" && all[n].All(t => t.ToJsonString().Contains("eu-west-1")));
        Assert.Contains(Names, n => all[n].Count == 1);
        Assert.Contains(Names, n => all[n].Count > 1 && Resources(n, "AWS::KMS::Key").Count() == 1);
        // Every authorization mode, a private API, and an API without WAF.
        foreach (var mode in new[] { "AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM" })
            Assert.True(InAny("AWS::ApiGateway::Method", m => m["AuthorizationType"]?.GetValue<string>() == mode), mode);
        // API keys: TeamAccess's REQUEST authorizer, on a method that needs no usage-plan key (the authorizer checks the key).
        Assert.True(InAny("AWS::ApiGateway::Authorizer", a => a["Type"]?.GetValue<string>() == "REQUEST"));
        Assert.True(InAny("AWS::ApiGateway::Method", m => m["AuthorizationType"]?.GetValue<string>() == "CUSTOM" && m["ApiKeyRequired"]?.GetValue<bool>() != true));
        Assert.True(InAny("AWS::ApiGateway::RestApi", a => a["EndpointConfiguration"].Text().Contains("PRIVATE")));
        Assert.Contains(Names, n => Resources(n, "AWS::ApiGateway::RestApi").Count() > Resources(n, "AWS::WAFv2::WebACL").Count());
        // Every hosting mode: real-time with autoscaling, inference components scaled to zero, serverless with and
        // without provisioned concurrency, async scaling from zero.
        Assert.True(InAny("AWS::SageMaker::EndpointConfig", c => c["ProductionVariants"].Text().Contains("\"InstanceType\"") && c["AsyncInferenceConfig"] is null && c["ExecutionRoleArn"] is null));
        Assert.True(InAny("AWS::ApplicationAutoScaling::ScalableTarget", t => t["MinCapacity"]!.GetValue<int>() >= 1 && t["MaxCapacity"]!.GetValue<int>() > t["MinCapacity"]!.GetValue<int>()));
        Assert.True(InAny("AWS::SageMaker::EndpointConfig", c => c["ProductionVariants"]![0]!["ManagedInstanceScaling"]?["MinInstanceCount"]?.GetValue<int>() == 0));
        Assert.True(InAny("AWS::SageMaker::InferenceComponent", _ => true));
        // A warm window: scheduled actions with a time zone on the copy target.
        Assert.True(InAny("AWS::ApplicationAutoScaling::ScalableTarget", t => t["ScheduledActions"] is JsonArray { Count: 2 } a && a.All(x => x!["Timezone"] is not null)));
        Assert.True(InAny("AWS::SageMaker::EndpointConfig", c => c["ProductionVariants"]![0]!["ServerlessConfig"] is { } s && s["ProvisionedConcurrency"] is null));
        Assert.True(InAny("AWS::SageMaker::EndpointConfig", c => c["ProductionVariants"]![0]!["ServerlessConfig"]?["ProvisionedConcurrency"] is not null));
        Assert.True(InAny("AWS::SageMaker::EndpointConfig", c => c["AsyncInferenceConfig"] is not null));
        Assert.True(InAny("AWS::ApplicationAutoScaling::ScalableTarget", t => t["MinCapacity"]!.GetValue<int>() == 0 && t["ScalableDimension"].Text().Contains("variant:DesiredInstanceCount")));
        // Training: Spot only, on-demand only, Spot with the on-demand fallback, a multi-node EFA definition in a cluster placement group.
        var environments = Names.Select(n => Resources(n, "AWS::Batch::ComputeEnvironment").Select(e => e["Properties"]!["ComputeResources"]!["Type"]!.GetValue<string>()).Order().ToList()).ToList();
        Assert.Contains(environments, types => types.SequenceEqual(new[] { "SPOT" }));
        Assert.Contains(environments, types => types.SequenceEqual(new[] { "EC2" }));
        Assert.Contains(environments, types => types.SequenceEqual(new[] { "EC2", "SPOT" }));
        Assert.True(InAny("AWS::Batch::JobDefinition", d => d["Type"]?.GetValue<string>() == "multinode" && d.Text().Contains("/dev/infiniband/uverbs0")));
        Assert.True(InAny("AWS::EC2::PlacementGroup", g => g["Strategy"]?.GetValue<string>() == "cluster"));
        // Each workload construct standalone: a stack per construct, each with a key of its own.
        Assert.Contains(Names, n => all[n].Count > 1 && all[n].All(t => t["Resources"]!.AsObject().Any(r => r.Value!["Type"]!.GetValue<string>() == "AWS::KMS::Key")));
        // An existing organization trail, a budget, a cost ceiling and RemovalPolicy.DESTROY.
        Assert.Contains(Names, n => Resources(n, "AWS::CloudTrail::Trail").Any() == false);
        Assert.True(InAny("AWS::Budgets::Budget", b => b["Budget"]!["BudgetLimit"]!["Amount"]!.GetValue<double>() == 2000));
        Assert.Contains(Names.SelectMany(n => all[n]), t => t["Metadata"]?["AwsModelPlatform:WorstCaseMonthlyCost"]?["ceilings"].Text().Contains("\"maxMonthlyUsd\":\"500000\"") == true);
        Assert.Contains(Everywhere("AWS::KMS::Key"), k => k["DeletionPolicy"]?.GetValue<string>() == "Delete");
    }

    [Fact]
    public void Docs_security_lists_every_rule_the_library_suppresses()
    {
        var documented = File.ReadAllText(Repo.Path("docs", "security.md"));
        var rules = Names.SelectMany(n => Matrix.Nag(n)).SelectMany(s => s.Result.Suppressions).Select(s => s.Rule).Distinct().Order().ToList();
        // The table writes "NIST/HIPAA `Rule`" for the pair; AwsSolutions and NIST-only rules by their full id.
        Assert.All(rules, rule => Assert.True(documented.Contains($"`{rule}`") || documented.Contains($"`{rule[(rule.IndexOf('-') + 1)..]}`"),
            $"{rule} is suppressed by the library but not in docs/security.md's table"));
    }

    [Fact]
    public void The_matrix_reports_its_wall_time()
    {
        foreach (var name in Names)
        {
            _ = Matrix.LintErrors(name).ToList();
            _ = Matrix.Nag(name).ToList();
        }
        foreach (var (step, time) in Matrix.Timings) output.WriteLine($"{step}: {time.TotalSeconds:0.0} s");
        Assert.Equal(3, Matrix.Timings.Count);
    }
}

internal static class JsonText
{
    public static string Text(this JsonNode? node) => node?.ToJsonString() ?? "";
}
