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
    public void Budget_and_anomaly_names_carry_the_region_since_AWS_makes_them_unique_per_account()
    {
        var names = new[]
        {
            T.Single("AWS::Budgets::Budget")["Properties"]!["Budget"]!["BudgetName"],
            T.Single("AWS::CE::AnomalyMonitor")["Properties"]!["MonitorName"],
            T.Single("AWS::CE::AnomalySubscription")["Properties"]!["SubscriptionName"],
        };
        Assert.All(names, n => Assert.Contains("""{"Ref":"AWS::Region"}""", n.Text()));
        Assert.Equal(3, names.Select(n => n.Text()).Distinct().Count());
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
    public void Cost_allocation_tags_are_kept_active_by_a_scheduled_function_with_no_deploy_time_call()
    {
        // A deploy-time UpdateCostAllocationTagsStatus fails the stack in an AWS Organizations member account.
        T.ResourceCountIs("Custom::AWS", 0);
        Assert.All(T.Json()["Resources"]!.AsObject().Where(r => r.Value!["Type"]!.GetValue<string>() != "AWS::IAM::Role"),
            r => Assert.DoesNotContain("UpdateCostAllocationTagsStatus\"", r.Value.Text()));
        var (id, function) = Assert.Single(T.Resources("AWS::Lambda::Function"), f => f.Value["Properties"]!["Environment"]?["Variables"]?["TAG_KEYS"] is not null);
        var properties = function["Properties"]!;
        Assert.Equal("nodejs24.x", properties["Runtime"]!.GetValue<string>());
        Assert.Equal("Project,Component", properties["Environment"]!["Variables"]!["TAG_KEYS"]!.GetValue<string>());
        Assert.Null(properties["VpcConfig"]);
        Assert.Contains("PlatformKey", properties["KmsKeyArn"].Text());
        Assert.Contains("ListCostAllocationTagsCommand", properties["Code"]!["ZipFile"]!.GetValue<string>());

        var schedule = T.Single("AWS::Scheduler::Schedule")["Properties"]!;
        Assert.Equal("rate(6 hours)", schedule["ScheduleExpression"]!.GetValue<string>());
        Assert.Contains(id, schedule["Target"]!["Arn"].Text());
        var invoker = T.Json()["Resources"]![schedule["Target"]!["RoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>()]!["Properties"]!;
        Assert.Contains("scheduler.amazonaws.com", invoker["AssumeRolePolicyDocument"].Text());
        var invoke = Assert.Single(invoker["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()))!;
        Assert.Equal("lambda:InvokeFunction", invoke["Action"]!.GetValue<string>());
        Assert.Contains(id, invoke["Resource"].Text());
        T.ResourceCountIs("AWS::Events::Rule", 0);

        // Its own role: only the two Cost Explorer actions (no resource types exist for them) and its own log group.
        var role = T.Json()["Resources"]![properties["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>()]!;
        Assert.Null(role["Properties"]!["ManagedPolicyArns"]);
        var statements = role["Properties"]!["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()).ToList();
        Assert.Equal("""["ce:ListCostAllocationTags","ce:UpdateCostAllocationTagsStatus"]""", statements.Single(s => s!["Resource"].Text() == "\"*\"")!["Action"].Text());
        Assert.Equal("""["logs:CreateLogStream","logs:PutLogEvents"]""", statements.Single(s => s!["Resource"].Text() != "\"*\"")!["Action"].Text());
        Assert.DoesNotContain(T.Resources("AWS::IAM::Policy"), p => p.Value.Text().Contains("ce:"));

        var logGroup = T.Resources("AWS::Logs::LogGroup").Single(g => g.Value["Properties"]!["LogGroupName"]?.GetValue<string>() == $"/aws/lambda/{properties["FunctionName"]!.GetValue<string>()}").Value["Properties"]!;
        Assert.Equal(365, logGroup["RetentionInDays"]!.GetValue<int>());
        Assert.NotNull(logGroup["KmsKeyId"]);
    }

    [Fact]
    public void A_member_account_and_a_tag_inactive_for_a_day_raise_alarms_that_say_what_to_do()
    {
        var alarms = T.Resources("AWS::CloudWatch::Alarm").Select(a => a.Value["Properties"]!).Where(a => a["Namespace"]?.GetValue<string>() == CostAllocationTagActivation.MetricNamespace).ToList();
        var denied = alarms.Single(a => a["MetricName"]!.GetValue<string>() == CostAllocationTagActivation.AccessDeniedMetric);
        Assert.Equal(1, denied["EvaluationPeriods"]!.GetValue<int>());
        foreach (var text in new[] { "member account", "management account", "Project, Component", "ActivateCostAllocationTags = false" })
            Assert.Contains(text, denied["AlarmDescription"]!.GetValue<string>());
        var inactive = alarms.Single(a => a["MetricName"]!.GetValue<string>() == CostAllocationTagActivation.InactiveMetric);
        Assert.Equal(24 * 3600, inactive["Period"]!.GetValue<int>() * inactive["EvaluationPeriods"]!.GetValue<int>());
        Assert.Contains("24 hours", inactive["AlarmDescription"]!.GetValue<string>());
        Assert.All(alarms, a => Assert.Equal("notBreaching", a["TreatMissingData"]!.GetValue<string>()));
        Assert.All(alarms, a => Assert.Contains("PlatformAlarmsTopic", a["AlarmActions"].Text()));
        Assert.Contains(T.Resources("AWS::CloudWatch::Alarm"), a => a.Value["Properties"]!["MetricName"]?.GetValue<string>() == "Errors" && a.Value["Properties"]!["AlarmDescription"].Text().Contains("cost allocation tags"));
    }

    [Fact]
    public void CostCenter_is_kept_active_only_when_the_platform_writes_it()
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps { CostCenter = "ml-research" }));
        var function = template.Resources("AWS::Lambda::Function").Single(f => f.Value["Properties"]!["Environment"]?["Variables"]?["TAG_KEYS"] is not null).Value;
        Assert.Equal("Project,Component,CostCenter", function["Properties"]!["Environment"]!["Variables"]!["TAG_KEYS"]!.GetValue<string>());
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
        Assert.DoesNotContain(template.Resources("AWS::Lambda::Function"), f => f.Value["Properties"]!["Environment"]?["Variables"]?["TAG_KEYS"] is not null);
        Assert.DoesNotContain(template.Resources("AWS::CloudWatch::Alarm"), a => a.Value["Properties"]!["Namespace"]?.GetValue<string>() == CostAllocationTagActivation.MetricNamespace);
    }

    [Theory]
    [InlineData(0, "Test/Platform/CostGuard: CostGuardProps.MonthlyBudgetUsd = 0 must be more than 0.")]
    [InlineData(-5, "Test/Platform/CostGuard: CostGuardProps.MonthlyBudgetUsd = -5 must be more than 0.")]
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
