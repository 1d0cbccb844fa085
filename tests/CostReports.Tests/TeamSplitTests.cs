using System.Text.Json.Nodes;
using static AwsModelPlatform.CostReports.Tests.Assemblies;

namespace AwsModelPlatform.CostReports.Tests;

/// <summary>The cost per team: the stack's usage-driven cost split among its API's teams, adding up to the total.</summary>
public class TeamSplitTests
{
    private static readonly Dictionary<string, TeamUsage> Teams = new()
    {
        ["research"] = new() { RequestShare = 0.2, TokenShare = 0.7 },
        ["support"] = new() { RequestShare = 0.5, TokenShare = 0.1 },
        ["sales"] = new() { RequestShare = 0.3, TokenShare = 0.2 },
    };

    private static readonly UsageProfile Usage = AccessPricingTests.Usage with
    {
        Endpoints = new() { ["*"] = new EndpointUsage { RequestsPerMonth = 1_000_000, ModelLatencyMs = 800, ConcurrencyPerInstance = 4 } },
        Apis = new() { ["Test/Api/Rest"] = new ApiUsage { RequestsPerMonth = 1_000_000, Teams = Teams } },
        LogIngestedGbPerLogGroup = 2,
        LogStoredGbPerLogGroup = 12,
    };

    private static readonly JsonObject MetricsRecord = new()
    {
        [CostMetadata.CustomMetricsKey] = new JsonObject
        {
            ["metrics"] = 12, ["basis"] = "2 model(s) × 6 metrics", ["metricsPerTeam"] = 5, ["perTeamBasis"] = "5 team metrics",
        },
    };

    // An inference stack with team access: an endpoint, the API (with its metrics record), its functions and table, a log group and an alarm.
    private static StackTemplate InferenceStack() => Stack("Test",
    [
        .. AccessPricingTests.TeamAccess().Where(r => r.Item1 != "Rest"),
        ("Rest", Resource("AWS::ApiGateway::RestApi", "Api/Rest", metadata: MetricsRecord.DeepClone().AsObject())),
        ("Endpoint", Resource("AWS::SageMaker::Endpoint", "Llm/Endpoint", null, EndpointCost("InferenceComponentHosting", "ml.g5.2xlarge", 0, 4))),
        ("Logs", Resource("AWS::Logs::LogGroup", "Api/Logs")),
        ("Alarm", Resource("AWS::CloudWatch::Alarm", "Api/Alarm", new { Period = 300 })),
    ]);

    private static (List<ReportLine> Lines, IReadOnlyList<TeamCost> Teams, decimal Shared) Split()
    {
        var pricers = new Pricers(PriceTable.Default, Usage);
        var stack = InferenceStack();
        var lines = pricers.Price(stack);
        var (teams, shared) = TeamSplit.Of(lines, pricers.TeamsOf(stack));
        return (lines, teams, shared);
    }

    [Fact]
    public void The_teams_and_the_shared_rest_add_up_to_the_stacks_total_to_the_cent()
    {
        var (lines, teams, shared) = Split();
        Assert.Equal(3, teams.Count);
        Assert.Equal(Reports.Total(lines), teams.Sum(t => t.TotalUsd) + shared);
        Assert.All(teams, t => Assert.Equal(t.RequestsUsd + t.GpuUsd + t.MetricsUsd, t.TotalUsd));
        // What is billed whatever the traffic stays shared: keys, storage, the log group, the alarm, the fixed metrics.
        var fixedLines = Reports.Total(lines.Where(l => l.Driver == CostDriver.Fixed));
        Assert.True(shared >= fixedLines, $"shared {shared} < fixed {fixedLines}");
    }

    [Fact]
    public void GPU_capacity_follows_the_token_share_and_requests_follow_the_request_share()
    {
        var (lines, teams, _) = Split();
        var gpu = Reports.Total(lines.Where(l => l.Driver == CostDriver.GpuTime));
        var perRequest = Reports.Total(lines.Where(l => l.Driver == CostDriver.Requests));
        Assert.True(gpu > 100m, "the endpoint's instance-hours are GPU capacity");
        Assert.Contains(lines, l => l.Driver == CostDriver.Requests && l.Resource == "Api/Access/Table");
        Assert.Contains(lines, l => l.Driver == CostDriver.Requests && l.Resource == "Api/Access/Authorizer");
        foreach (var team in teams)
        {
            Assert.Equal(Math.Round(gpu * (decimal)Teams[team.Team].Tokens, 2, MidpointRounding.AwayFromZero), team.GpuUsd);
            Assert.Equal(Math.Round(perRequest * (decimal)Teams[team.Team].RequestShare, 2, MidpointRounding.AwayFromZero), team.RequestsUsd);
        }
        // research sends 20 % of the requests but 70 % of the tokens: it pays most of the GPUs.
        Assert.True(teams.Single(t => t.Team == "research").GpuUsd > teams.Single(t => t.Team == "support").GpuUsd * 6);
    }

    [Fact]
    public void Each_team_pays_its_own_team_metrics()
    {
        var (_, teams, _) = Split();
        // 5 metrics by [Api, Team] × $0.30 for each team, whatever its share.
        Assert.All(teams, t => Assert.Equal(1.50m, t.MetricsUsd));
    }

    [Fact]
    public void The_report_of_a_stack_with_teams_shows_the_cost_per_team_and_says_how()
    {
        var pricers = new Pricers(PriceTable.Default, Usage);
        var stack = InferenceStack();
        var lines = pricers.Price(stack);
        var md = Reports.Markdown(stack.Name, lines, null, Usage, "usage.json", PriceTable.Default, null, pricers.TeamsOf(stack));
        Assert.Contains("## Cost per team", md);
        Assert.Contains("share of the models' busy time", md);
        Assert.Contains("| research | 20 % | 70 % |", md);
        Assert.Contains("| Shared (billed whatever the traffic) |", md);
        Assert.Contains($"| **Total** | | | | | | **{Reports.Money(Reports.Total(lines))}** |", md);
        // A stack whose APIs name no teams has no such section.
        var withoutTeams = Reports.Markdown(stack.Name, lines, null, Usage, "usage.json", PriceTable.Default, null, pricers.TeamsOf(Stack("Other")));
        Assert.DoesNotContain("## Cost per team", withoutTeams);
    }

    [Fact]
    public void A_stack_with_an_API_per_team_splits_over_the_stacks_teams_and_each_team_pays_its_own_metrics()
    {
        // The sample's shape: the stack's entry names the teams over all its APIs; each API's entry its requests and its one team.
        var usage = Usage with
        {
            Apis = new()
            {
                ["Test/"] = new ApiUsage { Teams = new() { ["apps"] = new() { RequestShare = 0.7, TokenShare = 0.6 }, ["research"] = new() { RequestShare = 0.3, TokenShare = 0.4 } } },
                ["Test/KeyApi/"] = new ApiUsage { RequestsPerMonth = 700_000, Teams = new() { ["apps"] = new() { RequestShare = 1 } } },
                ["Test/IamApi/"] = new ApiUsage { RequestsPerMonth = 300_000, Teams = new() { ["research"] = new() { RequestShare = 1 } } },
            },
        };
        var stack = Stack("Test",
            ("KeyRest", Resource("AWS::ApiGateway::RestApi", "KeyApi/Rest", metadata: MetricsRecord.DeepClone().AsObject())),
            ("IamRest", Resource("AWS::ApiGateway::RestApi", "IamApi/Rest", metadata: MetricsRecord.DeepClone().AsObject())),
            ("Endpoint", Resource("AWS::SageMaker::Endpoint", "Llm/Endpoint", null, EndpointCost("InferenceComponentHosting", "ml.g5.2xlarge", 0, 4))));
        var pricers = new Pricers(PriceTable.Default, usage);
        var lines = pricers.Price(stack);
        var (teams, shared) = TeamSplit.Of(lines, pricers.TeamsOf(stack));

        Assert.Equal(["apps", "research"], teams.Select(t => t.Team));
        // Each API bills its 12 fixed metrics and 5 for its one team: each team pays 5 metric-months, not 5 per API.
        Assert.Equal(2, lines.Count(l => l.Type == CostMetadata.CustomMetricsType && l.Quantity == 17));
        Assert.All(teams, t => Assert.Equal(1.50m, t.MetricsUsd));
        // API Gateway requests follow each API's own count, not the stack's total twice.
        Assert.Equal(1_000_000, lines.Where(l => l.Type == "AWS::ApiGateway::RestApi").Sum(l => l.Quantity));
        Assert.Equal(Reports.Total(lines), teams.Sum(t => t.TotalUsd) + shared);
    }

    [Theory]
    [InlineData("""{"apis":{"I/":{"teams":{"a":{"requestShare":0.5},"b":{"requestShare":0.4}}}}}""", "requestShare adding up to 0.9")]
    [InlineData("""{"apis":{"I/":{"teams":{"a":{"requestShare":0.5,"tokenShare":0.9},"b":{"requestShare":0.5}}}}}""", "tokenShare adding up to 1.4")]
    [InlineData("""{"apis":{"Inference/":{"requestsPerMonth":1,"teams":{"a":{"requestShare":1.5},"b":{"requestShare":-0.5}}}}}""", "outside 0 to 1")]
    [InlineData("""{"access":{"keyCacheHitRate":2}}""", "keyCacheHitRate = 2")]
    public void Shares_that_do_not_add_up_or_are_not_shares_are_refused(string json, string message) =>
        Assert.Contains(message, Assert.Throws<CliException>(() => UsageProfile.Parse(json)).Message);

    [Fact]
    public void A_profile_with_the_per_caller_count_of_old_is_refused_with_the_property_named()
    {
        var error = Assert.Throws<CliException>(() => UsageProfile.Parse("""{"apis":{"Inference/":{"requestsPerMonth":1,"distinctCallers":25}}}"""));
        Assert.Contains("distinctCallers", error.Message);
    }
}
