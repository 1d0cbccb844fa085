using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Cost;

public sealed class DefaultPlatform
{
    public Template Template { get; } = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps { ProjectName = "llm", MonthlyBudgetUsd = 5000 }));
}

public class CostGuardTests(DefaultPlatform platform) : IClassFixture<DefaultPlatform>
{
    private Template T => platform.Template;

    [Fact]
    public void Platform_budget_filters_on_the_project_tag_and_alerts_at_80_and_100_percent_actual_and_100_forecast()
    {
        var budget = T.Single("AWS::Budgets::Budget")["Properties"]!;
        Assert.Equal(5000, budget["Budget"]!["BudgetLimit"]!["Amount"]!.GetValue<double>());
        Assert.Equal("MONTHLY", budget["Budget"]!["TimeUnit"]!.GetValue<string>());
        Assert.Equal("""{"TagKeyValue":["user:Project$llm"]}""", budget["Budget"]!["CostFilters"].Text());
        var alerts = budget["NotificationsWithSubscribers"]!.AsArray().Select(n => n!["Notification"]!).Select(n => $"{n["NotificationType"]} {n["Threshold"]}").ToList();
        Assert.Equal(new[] { "ACTUAL 80", "ACTUAL 100", "FORECASTED 100" }, alerts);
        Assert.All(budget["NotificationsWithSubscribers"]!.AsArray(), n => Assert.Contains("PlatformAlarmsTopic", n!["Subscribers"].Text()));
    }

    [Fact]
    public void Budgets_and_cost_anomaly_alerts_may_publish_to_the_encrypted_topic()
    {
        var topicPolicy = T.Single("AWS::SNS::TopicPolicy").Text();
        Assert.Contains("budgets.amazonaws.com", topicPolicy);
        Assert.Contains("costalerts.amazonaws.com", topicPolicy);
        Assert.Contains(T.KeyPolicyStatements(), s => s["Principal"].Text().Contains("budgets.amazonaws.com"));
        Assert.Contains(T.KeyPolicyStatements(), s => s["Principal"].Text().Contains("costalerts.amazonaws.com"));
    }

    [Fact]
    public void Anomaly_detection_watches_the_projects_spend_and_reports_impacts_of_100_USD_or_more()
    {
        var monitor = T.Single("AWS::CE::AnomalyMonitor")["Properties"]!;
        Assert.Equal("CUSTOM", monitor["MonitorType"]!.GetValue<string>());
        var spec = JsonNode.Parse(monitor["MonitorSpecification"]!.GetValue<string>())!;
        Assert.Equal("""{"Key":"Project","Values":["llm"],"MatchOptions":["EQUALS"]}""", spec["Tags"].Text());
        var subscription = T.Single("AWS::CE::AnomalySubscription")["Properties"]!;
        Assert.Equal("IMMEDIATE", subscription["Frequency"]!.GetValue<string>());
        Assert.Contains("\"100\"", subscription["ThresholdExpression"]!.GetValue<string>());
        Assert.Contains("PlatformAlarmsTopic", subscription["Subscribers"].Text());
    }

    [Fact]
    public void Billing_alarm_exists_only_when_deployed_to_us_east_1_where_the_metric_is()
    {
        var alarm = T.Resources("AWS::CloudWatch::Alarm").Single(a => a.Value.Text().Contains("EstimatedCharges")).Value;
        var condition = alarm["Condition"]!.GetValue<string>();
        Assert.Equal("""{"Fn::Equals":[{"Ref":"AWS::Region"},"us-east-1"]}""", T.Json()["Conditions"]![condition].Text());
        Assert.Equal(5000, alarm["Properties"]!["Threshold"]!.GetValue<double>());
        Assert.Contains("PlatformAlarmsTopic", alarm["Properties"]!["AlarmActions"].Text());
    }

    [Fact]
    public void Cost_allocation_tags_are_activated_by_a_custom_resource_on_a_current_runtime()
    {
        var activation = T.Single("Custom::AWS")["Properties"]!;
        Assert.Contains("updateCostAllocationTagsStatus", activation["Create"]!.GetValue<string>());
        Assert.Contains("\"TagKey\":\"CostCenter\",\"Status\":\"Active\"", activation["Create"]!.GetValue<string>());
        Assert.All(T.Resources("AWS::Lambda::Function"), f => Assert.Equal("nodejs24.x", f.Value["Properties"]!["Runtime"]!.GetValue<string>()));
        Assert.Null(T.Json()["Mappings"]);
        var policy = T.Resources("AWS::IAM::Policy").Single(p => p.Value.Text().Contains("ce:UpdateCostAllocationTagsStatus")).Value;
        Assert.Contains("AwsSolutions-IAM5", policy["Metadata"].Text());
    }

    [Fact]
    public void The_allocation_tags_cannot_be_changed_by_a_caller()
    {
        Assert.Equal(new[] { "Project", "Component", "CostCenter" }, CostGuard.AllocationTags);
        // Not an array a caller could write into (or cast back to one): every later platform would activate the changed tags.
        Assert.IsNotType<string[]>(CostGuard.AllocationTags);
        var asList = Assert.IsAssignableFrom<IList<string>>(CostGuard.AllocationTags);
        Assert.True(asList.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => asList[0] = "Owner");
        Assert.Null(typeof(CostGuard).GetProperty(nameof(CostGuard.AllocationTags))!.SetMethod);
    }

    [Fact]
    public void Component_budgets_and_emails_can_be_added_and_tag_activation_turned_off()
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps
        {
            CostGuard = new CostGuardProps
            {
                ComponentBudgetsUsd = new Dictionary<string, double> { ["inference"] = 3000, ["training"] = 2000 },
                BudgetEmails = new[] { "finops@example.com" },
                ActivateCostAllocationTags = false,
            },
        }));
        var budgets = template.Resources("AWS::Budgets::Budget").Select(b => b.Value["Properties"]!).ToList();
        Assert.Equal(3, budgets.Count);
        Assert.Contains(budgets, b => b["Budget"]!["CostFilters"].Text() == """{"TagKeyValue":["user:Component$training"]}""" && b["Budget"]!["BudgetLimit"]!["Amount"]!.GetValue<double>() == 2000);
        Assert.All(budgets, b => Assert.Contains("finops@example.com", b["NotificationsWithSubscribers"].Text()));
        template.ResourceCountIs("Custom::AWS", 0);
    }

    [Theory]
    [InlineData(0, "CostGuardProps.MonthlyBudgetUsd = 0 must be more than 0.")]
    [InlineData(-5, "CostGuardProps.MonthlyBudgetUsd = -5 must be more than 0.")]
    public void A_budget_that_is_not_positive_fails_synthesis(double amount, string expected)
    {
        Assert.Equal(expected, Synth.ErrorOf(() => new ModelPlatform(Synth.NewStack(), "Platform", new ModelPlatformProps { MonthlyBudgetUsd = amount })));
    }

    [Fact]
    public void Too_many_budget_emails_and_two_budget_settings_fail_synthesis()
    {
        var emails = Enumerable.Range(0, 11).Select(i => $"a{i}@example.com").ToArray();
        Assert.Contains("has 11 addresses; AWS Budgets notifies at most 10",
            Synth.ErrorOf(() => new ModelPlatform(Synth.NewStack(), "Platform", new ModelPlatformProps { CostGuard = new CostGuardProps { BudgetEmails = emails } })));
        Assert.Contains("MonthlyBudgetUsd is a shorthand for CostGuard.MonthlyBudgetUsd; set only one of them",
            Synth.ErrorOf(() => new ModelPlatform(Synth.NewStack(), "Platform", new ModelPlatformProps { MonthlyBudgetUsd = 10, CostGuard = new CostGuardProps() })));
    }
}
