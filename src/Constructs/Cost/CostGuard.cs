using System.Text.Json;
using Amazon.CDK.AWS.Budgets;
using Amazon.CDK.AWS.CE;
using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Cost;

/// <summary>Properties of <see cref="CostGuard"/>.</summary>
public sealed record CostGuardProps
{
    /// <summary>Monthly budget of the whole platform, in USD (filtered by the <c>Project</c> tag).</summary>
    /// <remarks>Default: 1000. Set it to what the platform is meant to cost; alerts fire at 80 % and 100 % of actual spend and at 100 % of the forecast.</remarks>
    public double MonthlyBudgetUsd { get; init; } = 1000;

    /// <summary>Monthly budgets per component (the <c>Component</c> tag: <c>foundation</c>, <c>inference</c>, <c>training</c>...), in USD.</summary>
    /// <remarks>
    /// Default: none. A budget's tag filter ORs the values it lists, so a component budget cannot also require this
    /// project's <c>Project</c> tag: it counts every resource of the account tagged with that component.
    /// </remarks>
    public IReadOnlyDictionary<string, double>? ComponentBudgetsUsd { get; init; }

    /// <summary>Addresses that receive budget alerts by email, besides the alarm topic (at most 10).</summary>
    /// <remarks>Default: none; the alarm topic receives every alert.</remarks>
    public IReadOnlyList<string>? BudgetEmails { get; init; }

    /// <summary>Total impact, in USD, of a cost anomaly that is reported.</summary>
    /// <remarks>Default: 100: ignores noise, catches a GPU instance left running for a day.</remarks>
    public double AnomalyThresholdUsd { get; init; } = 100;

    /// <summary>
    /// Whether a scheduled function (<see cref="CostAllocationTagActivation"/>) keeps the <c>Project</c>, <c>Component</c>
    /// and <c>CostCenter</c> tags active for cost allocation, and alarms when one stays inactive or the account may not
    /// activate them.
    /// </summary>
    /// <remarks>
    /// Default: true: budgets and anomaly monitors cannot filter on tags that are not active. In an AWS Organizations
    /// member account only the management account can activate them (the function's alarm says so): have it activate
    /// them, then set this to false.
    /// </remarks>
    public bool ActivateCostAllocationTags { get; init; } = true;
}

/// <summary>
/// The platform's cost guard: an AWS Budget for the platform (by the <c>Project</c> tag) and per component, with
/// actual (80 %, 100 %) and forecasted (100 %) alerts to the alarm topic; Cost Anomaly Detection on the project's
/// spend; the <c>EstimatedCharges</c> billing alarm, created only where the billing metric exists (us-east-1);
/// and the scheduled activation of the cost-allocation tags these filters rely on.
/// </summary>
public sealed class CostGuard : Construct
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private ConstructChecks Check => Validate.Of(this);

    /// <summary>The tags the platform writes and keeps active for cost allocation (<c>CostCenter</c> only when the platform has one).</summary>
    /// <remarks>Read-only: a shared array could be changed by any caller, altering what every later platform activates.</remarks>
    public static IReadOnlyList<string> AllocationTags { get; } = Array.AsReadOnly(new[] { CostTags.Project, CostTags.Component, CostTags.CostCenter });

    /// <summary>The platform budget.</summary>
    public CfnBudget Budget { get; }

    /// <summary>The scheduled activation of the cost-allocation tags, unless <see cref="CostGuardProps.ActivateCostAllocationTags"/> is false.</summary>
    public CostAllocationTagActivation? TagActivation { get; }

    /// <summary>Creates the budgets, the anomaly monitor and subscription, the billing alarm and the tag activation.</summary>
    public CostGuard(Construct scope, string id, IModelPlatform platform, CostGuardProps? props = null) : base(scope, id)
    {
        props ??= new CostGuardProps();
        Check.That(props.MonthlyBudgetUsd > 0, $"CostGuardProps.MonthlyBudgetUsd = {props.MonthlyBudgetUsd} must be more than 0.");
        Check.That(props.AnomalyThresholdUsd > 0, $"CostGuardProps.AnomalyThresholdUsd = {props.AnomalyThresholdUsd} must be more than 0.");
        var emails = props.BudgetEmails ?? Array.Empty<string>();
        Check.That(emails.Count <= 10, $"CostGuardProps.BudgetEmails has {emails.Count} addresses; AWS Budgets notifies at most 10 per alert.");
        foreach (var (component, amount) in props.ComponentBudgetsUsd ?? new Dictionary<string, double>())
        {
            Check.That(amount > 0, $"CostGuardProps.ComponentBudgetsUsd['{component}'] = {amount} must be more than 0.");
            CostTags.CheckValue(Check, component, $"CostGuardProps.ComponentBudgetsUsd key");
        }

        var topic = platform.AlarmTopic;
        topic.AllowServiceToPublish("budgets.amazonaws.com");
        topic.AllowServiceToPublish("costalerts.amazonaws.com");

        // Budget and Cost Anomaly Detection names are unique per account, and a platform may be deployed to several
        // regions of one: the names carry the region (PlatformNames.AccountWide).
        Budget = CreateBudget("Budget", PlatformNames.AccountWide(platform, this, "platform"), props.MonthlyBudgetUsd, CostTags.Project, platform.ProjectName, topic, emails);
        foreach (var (component, amount) in props.ComponentBudgetsUsd ?? new Dictionary<string, double>())
            CreateBudget("Budget" + component, PlatformNames.AccountWide(platform, this, "component-" + PlatformNames.Part(component, 20)), amount, CostTags.Component, component, topic, emails);

        var monitor = new CfnAnomalyMonitor(this, "AnomalyMonitor", new CfnAnomalyMonitorProps
        {
            MonitorName = PlatformNames.AccountWide(platform, this, "spend"),
            MonitorType = "CUSTOM",
            MonitorSpecification = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["Tags"] = new Dictionary<string, object> { ["Key"] = CostTags.Project, ["Values"] = new[] { platform.ProjectName }, ["MatchOptions"] = new[] { "EQUALS" } },
            }),
        });
        _ = new CfnAnomalySubscription(this, "AnomalySubscription", new CfnAnomalySubscriptionProps
        {
            SubscriptionName = PlatformNames.AccountWide(platform, this, "anomalies"),
            Frequency = "IMMEDIATE",
            MonitorArnList = new[] { monitor.AttrMonitorArn },
            Subscribers = new[] { new CfnAnomalySubscription.SubscriberProperty { Type = "SNS", Address = topic.Topic.TopicArn } },
            ThresholdExpression = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["Dimensions"] = new Dictionary<string, object>
                {
                    ["Key"] = "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                    ["Values"] = new[] { props.AnomalyThresholdUsd.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    ["MatchOptions"] = new[] { "GREATER_THAN_OR_EQUAL" },
                },
            }),
        });

        CreateBillingAlarm(props.MonthlyBudgetUsd, topic);
        if (props.ActivateCostAllocationTags)
            TagActivation = new CostAllocationTagActivation(this, "TagActivation", platform);
        else
            Annotations.Of(this).AddInfo("CostGuardProps.ActivateCostAllocationTags = false: the budgets and the anomaly monitor filter on the Project, Component and CostCenter tags, which the account's management account must activate (Billing console, Cost allocation tags).");
    }

    private CfnBudget CreateBudget(string id, string name, double amount, string tagKey, string tagValue, IAlarmTopic topic, IReadOnlyList<string> emails)
    {
        var filters = new Dictionary<string, object> { ["TagKeyValue"] = new[] { $"user:{tagKey}${tagValue}" } };
        var subscribers = new[] { new CfnBudget.SubscriberProperty { SubscriptionType = "SNS", Address = topic.Topic.TopicArn } }
            .Concat(emails.Select(e => new CfnBudget.SubscriberProperty { SubscriptionType = "EMAIL", Address = e }))
            .ToArray();
        CfnBudget.NotificationWithSubscribersProperty Alert(string type, double percent) => new()
        {
            Notification = new CfnBudget.NotificationProperty { NotificationType = type, ComparisonOperator = "GREATER_THAN", Threshold = percent, ThresholdType = "PERCENTAGE" },
            Subscribers = subscribers,
        };
        return new CfnBudget(this, id, new CfnBudgetProps
        {
            Budget = new CfnBudget.BudgetDataProperty
            {
                BudgetName = name,
                BudgetType = "COST",
                TimeUnit = "MONTHLY",
                BudgetLimit = new CfnBudget.SpendProperty { Amount = amount, Unit = "USD" },
                CostFilters = filters,
            },
            NotificationsWithSubscribers = new[] { Alert("ACTUAL", 80), Alert("ACTUAL", 100), Alert("FORECASTED", 100) },
        });
    }

    // AWS/Billing metrics exist only in us-east-1. The alarm is created behind a condition on the deploy-time
    // region, so an environment-agnostic stack gets it exactly when it lands there.
    private void CreateBillingAlarm(double monthlyBudgetUsd, IAlarmTopic topic)
    {
        var inUsEast1 = new CfnCondition(this, "InBillingRegion", new CfnConditionProps
        {
            Expression = Fn.ConditionEquals(Aws.REGION, "us-east-1"),
        });
        var alarm = new Alarm(this, "EstimatedChargesAlarm", new AlarmProps
        {
            AlarmDescription = $"The account's estimated charges this month passed the platform budget of {monthlyBudgetUsd} USD (billing alerts must be enabled in the account's billing preferences).",
            Metric = new Metric(new MetricProps
            {
                Namespace = "AWS/Billing",
                MetricName = "EstimatedCharges",
                DimensionsMap = new Dictionary<string, string> { ["Currency"] = "USD" },
                Statistic = "Maximum",
                Period = Duration.Hours(6),
            }),
            Threshold = monthlyBudgetUsd,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        topic.Notify(alarm);
        ((CfnAlarm)alarm.Node.DefaultChild!).CfnOptions.Condition = inUsEast1;
    }
}
