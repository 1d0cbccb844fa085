using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.Scheduler;

namespace AwsModelPlatform.Constructs.Cost;

/// <summary>
/// Keeps the platform's cost-allocation tags active, so the budgets and the anomaly monitor that filter on them see
/// the platform's spend. A small scheduled function lists the tags' status, activates the inactive ones and writes
/// two metrics; two alarms on the platform's topic say what is wrong and what to do. No deploy-time call: the
/// Cost Explorer API refuses it in an AWS Organizations member account (only the management account may activate
/// cost allocation tags), and billing lists a tag up to 24 hours after its first use, so at the first deployment
/// activation mostly fails anyway.
/// https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/cost-alloc-tags.html,
/// https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_UpdateCostAllocationTagsStatus.html
/// </summary>
public sealed class CostAllocationTagActivation : Construct
{
    /// <summary>Namespace of the function's metrics.</summary>
    public const string MetricNamespace = "AwsModelPlatform/Cost";

    /// <summary>Metric: how many of the platform's tags are still inactive after a run (unknown to billing, or refused).</summary>
    internal const string InactiveMetric = "CostAllocationTagsInactive";

    /// <summary>Metric: 1 when Cost Explorer refused the account access to its cost allocation tags.</summary>
    internal const string AccessDeniedMetric = "CostAllocationTagsAccessDenied";

    /// <summary>Hours between runs.</summary>
    /// <remarks>
    /// Every Cost Explorer API request is billed (0.01 USD): 4 runs a day are about 120 to 240 requests, 1.20 to 2.40 USD a
    /// month, and an inactive tag is retried within 6 hours.
    /// </remarks>
    internal const int ScheduleHours = 6;

    /// <summary>The tags the function keeps active.</summary>
    public IReadOnlyList<string> TagKeys { get; }

    /// <summary>The function.</summary>
    public Function Function { get; }

    /// <summary>The alarm raised when Cost Explorer refuses the account (an AWS Organizations member account).</summary>
    public Alarm AccessDeniedAlarm { get; }

    /// <summary>The alarm raised when a tag stays inactive for a day.</summary>
    public Alarm InactiveAlarm { get; }

    /// <summary>The alarm raised when the function itself fails for 12 hours (throttling, an outage): no other alarm would see it.</summary>
    public Alarm ErrorsAlarm { get; }

    /// <summary>Creates the function, its schedule and its alarms for the tags the platform writes.</summary>
    public CostAllocationTagActivation(Construct scope, string id, IModelPlatform platform) : base(scope, id)
    {
        // A tag no resource carries is never listed by billing: CostCenter only when the platform writes it.
        TagKeys = CostGuard.AllocationTags.Where(t => t != CostTags.CostCenter || platform.CostCenter is not null).ToArray();
        var name = PlatformNames.Function(platform, this, "cost-tags");

        var logGroup = LogGroupDefaults.Create(this, "Logs", platform.Key, platform.LogRetention, platform.RemovalPolicy);
        // Named before the function exists, so Lambda never creates it unencrypted and kept forever.
        ((CfnLogGroup)logGroup.Node.DefaultChild!).LogGroupName = $"/aws/lambda/{name}";

        var role = new Role(this, "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("lambda.amazonaws.com"),
            Description = $"Cost-allocation tag activation {name}",
            InlinePolicies = new Dictionary<string, PolicyDocument>
            {
                ["CostAllocationTags"] = new(new PolicyDocumentProps
                {
                    Statements = new[]
                    {
                        new PolicyStatement(new PolicyStatementProps
                        {
                            Sid = "OwnLogs",
                            Actions = new[] { "logs:CreateLogStream", "logs:PutLogEvents" },
                            Resources = new[] { logGroup.LogGroupArn },
                        }),
                        new PolicyStatement(new PolicyStatementProps
                        {
                            Sid = "ListAndActivateCostAllocationTags",
                            Actions = new[] { "ce:ListCostAllocationTags", "ce:UpdateCostAllocationTagsStatus" },
                            Resources = new[] { "*" },
                        }),
                    },
                }),
            },
        });
        Suppressions.Add(role, "AwsSolutions-IAM5",
            "ce:ListCostAllocationTags and ce:UpdateCostAllocationTagsStatus are account-level actions with no resource types (Service Authorization Reference, AWS Cost Explorer Service).",
            "Resource::*");

        Function = new Function(this, "Function", new FunctionProps
        {
            FunctionName = name,
            Description = "Activates the platform's cost-allocation tags and reports those still inactive",
            Runtime = new Runtime(PlatformAspects.NodeRuntime, RuntimeFamily.NODEJS, new LambdaRuntimeProps { SupportsInlineCode = true }),
            Handler = "index.handler",
            Code = Code.FromInline(Script),
            MemorySize = 128,
            Timeout = Duration.Seconds(60),
            Role = role,
            LogGroup = logGroup,
            EnvironmentEncryption = platform.Key.Key,
            Environment = new Dictionary<string, string>
            {
                ["TAG_KEYS"] = string.Join(",", TagKeys),
                ["METRIC_NAMESPACE"] = MetricNamespace,
                ["PLATFORM"] = platform.NamePrefix,
            },
        });
        // Outside the platform's VPC: its subnets reach AWS only through endpoints in their own region, and the Cost
        // Explorer API is served from us-east-1 (ce.us-east-1.amazonaws.com) whatever the caller's region.
        foreach (var rule in new[] { "NIST.800.53.R5-LambdaInsideVPC", "HIPAA.Security-LambdaInsideVPC" })
            Suppressions.Add(Function, rule,
                "The function calls only the Cost Explorer API, served from us-east-1 whatever the region: the platform's isolated subnets reach AWS only through endpoints of their own region. It reads no customer data.");
        foreach (var rule in new[] { "NIST.800.53.R5-LambdaConcurrency", "HIPAA.Security-LambdaConcurrency" })
            Suppressions.Add(Function, rule,
                "One run every few hours: reserving concurrency would take it from the account's unreserved pool, which must stay at 100 or more (a new account may have less in all), and could fail the foundation's deployment.");
        foreach (var rule in new[] { "NIST.800.53.R5-LambdaDLQ", "HIPAA.Security-LambdaDLQ" })
            Suppressions.Add(Function, rule,
                "A scheduled check with no payload: a failed run is retried by the next schedule, and repeated failures raise the function's errors alarm.");

        // EventBridge Scheduler, which the EventBridge guide recommends over scheduled rules
        // (https://docs.aws.amazon.com/eventbridge/latest/userguide/using-eventbridge-scheduler.html); its role may
        // invoke this function only.
        var invoker = new Role(this, "ScheduleRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("scheduler.amazonaws.com"),
            Description = $"EventBridge Scheduler: runs {name}",
            InlinePolicies = new Dictionary<string, PolicyDocument>
            {
                ["InvokeFunction"] = new(new PolicyDocumentProps
                {
                    Statements = new[]
                    {
                        new PolicyStatement(new PolicyStatementProps { Sid = "InvokeTheTagFunction", Actions = new[] { "lambda:InvokeFunction" }, Resources = new[] { Function.FunctionArn } }),
                    },
                }),
            },
        });
        _ = new CfnSchedule(this, "Schedule", new CfnScheduleProps
        {
            Description = $"Runs {name} every {ScheduleHours} hours",
            ScheduleExpression = $"rate({ScheduleHours} hours)",
            FlexibleTimeWindow = new CfnSchedule.FlexibleTimeWindowProperty { Mode = "OFF" },
            Target = new CfnSchedule.TargetProperty
            {
                Arn = Function.FunctionArn,
                RoleArn = invoker.RoleArn,
                RetryPolicy = new CfnSchedule.RetryPolicyProperty { MaximumRetryAttempts = 2, MaximumEventAgeInSeconds = 3600 },
            },
        });

        var tags = string.Join(", ", TagKeys);
        AccessDeniedAlarm = MetricAccessDenied(platform).CreateAlarm(this, "AccessDeniedAlarm", new CreateAlarmOptions
        {
            AlarmDescription = $"Cost Explorer refused this account access to its cost allocation tags (\"Linked account doesn't have access to cost allocation tags\": an AWS Organizations member account). " +
                $"The budgets and the anomaly monitor filter on {tags} and see nothing until they are active. Ask the management account to activate {tags} (Billing console, Cost allocation tags), " +
                $"then set CostGuardProps.ActivateCostAllocationTags = false. Otherwise the function {name} lacks ce:ListCostAllocationTags (see its log).",
            Threshold = 1,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        InactiveAlarm = MetricInactive(platform).CreateAlarm(this, "InactiveAlarm", new CreateAlarmOptions
        {
            AlarmDescription = $"Cost-allocation tags of the platform ({tags}) stayed inactive for 24 hours: the budgets and the anomaly monitor filter on them and miss that spend. " +
                $"Billing lists a tag up to 24 hours after a resource first carries it, and activation takes up to 24 hours more; the function {name} retries every {ScheduleHours} hours and logs each tag's status and error.",
            Threshold = 1,
            EvaluationPeriods = 24 / ScheduleHours,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        ErrorsAlarm = Function.MetricErrors(new MetricOptions { Statistic = "Sum", Period = Duration.Hours(ScheduleHours) }).CreateAlarm(this, "ErrorsAlarm", new CreateAlarmOptions
        {
            AlarmDescription = $"{name} failed in two consecutive {ScheduleHours}-hour windows (Cost Explorer throttling or outage, see its log): the cost allocation tags are not checked.",
            Threshold = 1,
            EvaluationPeriods = 2,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        foreach (var alarm in new[] { AccessDeniedAlarm, InactiveAlarm, ErrorsAlarm }) platform.AlarmTopic.Notify(alarm);

        Annotations.Of(this).AddInfo($"Cost-allocation tags {tags} are activated by {name} every {ScheduleHours} hours. In an AWS Organizations member account only the management account can activate them: " +
            "its alarm then says so; activate them there and set CostGuardProps.ActivateCostAllocationTags = false.");
    }

    /// <summary>How many of the platform's tags were still inactive after a run (maximum over 6 hours).</summary>
    public Metric MetricInactive(IModelPlatform platform) => Metric(InactiveMetric, platform);

    /// <summary>1 when Cost Explorer refused the account access to its cost allocation tags (maximum over 6 hours).</summary>
    public Metric MetricAccessDenied(IModelPlatform platform) => Metric(AccessDeniedMetric, platform);

    private static Metric Metric(string name, IModelPlatform platform) => new(new MetricProps
    {
        Namespace = MetricNamespace,
        MetricName = name,
        DimensionsMap = new Dictionary<string, string> { ["Platform"] = platform.NamePrefix },
        Statistic = "Maximum",
        Period = Duration.Hours(ScheduleHours),
    });

    /// <summary>The function's source (Node.js, AWS SDK for JavaScript v3 as the Lambda runtime provides it), embedded in the assembly.</summary>
    internal static string Script { get; } = ReadScript();

    private static string ReadScript()
    {
        using var stream = typeof(CostAllocationTagActivation).Assembly.GetManifestResourceStream("AwsModelPlatform.Constructs.Cost.cost-allocation-tags.js")
            ?? throw new InvalidOperationException("the embedded script Cost/cost-allocation-tags.js is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
