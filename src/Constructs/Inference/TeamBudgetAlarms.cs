using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// A team's month at 80 % and at 100 % of its budget, on the platform's alarm topic. Teams are runtime data (the admin
/// routes), so each alarm is one multi-time-series alarm on a Metrics Insights query over the handler's
/// <c>BudgetUsedPercent</c> grouped by team: every team is a contributor with its own state, and a team added later is
/// watched without a deployment (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html:
/// such an alarm needs GROUP BY and ORDER BY).
/// </summary>
public sealed class TeamBudgetAlarms : Construct
{
    internal static readonly string BudgetUsedPercentMetric = HandlerMetrics.Inference.ByTeam[HandlerMetrics.Inference.BudgetUsedPercent.Name].Name;
    internal const string TeamDimension = HandlerMetrics.Inference.Team;

    /// <summary>Some team has used 80 % of its month's budget (tokens or dollars, whichever is further).</summary>
    public Alarm Warning { get; }

    /// <summary>Some team has used its whole month's budget: its requests are refused with 429 until the month ends or the budget is raised.</summary>
    public Alarm Exhausted { get; }

    /// <summary>Both alarms.</summary>
    public IReadOnlyList<Alarm> All => new[] { Warning, Exhausted };

    /// <summary>The Metrics Insights query both alarms watch: the highest budget use of each team of <paramref name="apiName"/>.</summary>
    public static string Query(string apiName) =>
        $"SELECT MAX({BudgetUsedPercentMetric}) FROM SCHEMA(\"{HandlerMetrics.Inference.Namespace}\", {HandlerMetrics.Api}, {TeamDimension}) " +
        $"WHERE {HandlerMetrics.Api} = '{apiName}' GROUP BY {TeamDimension} ORDER BY MAX() DESC";

    internal TeamBudgetAlarms(Construct scope, string id, IModelPlatform platform, string apiName) : base(scope, id)
    {
        Alarm Create(string alarmId, double percent, string description)
        {
            var alarm = new MathExpression(new MathExpressionProps
            {
                Expression = Query(apiName),
                UsingMetrics = new Dictionary<string, IMetric>(),
                Period = Duration.Minutes(5),
                Label = "Budget used % by team",
            }).CreateAlarm(this, alarmId, new CreateAlarmOptions
            {
                AlarmDescription = description,
                Threshold = percent,
                EvaluationPeriods = 1,
                ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                // A team with no request in the period writes no data point: its budget did not move.
                TreatMissingData = TreatMissingData.NOT_BREACHING,
            });
            platform.AlarmTopic.Notify(alarm);
            return alarm;
        }
        Warning = Create("Warning", 80,
            $"{apiName}: a team has used 80 % of its monthly budget (tokens or dollars); the alarm's contributor names the team. Raise its budget (PUT /v1/admin/teams/{{team}}) or tell the team.");
        Exhausted = Create("Exhausted", 100,
            $"{apiName}: a team has used its whole monthly budget and its requests are refused with 429 until the month ends; the alarm's contributor names the team.");
    }
}
