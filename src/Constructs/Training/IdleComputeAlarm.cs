using Amazon.CDK.AWS.Batch;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.CustomResources;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// Alarms when a compute environment keeps GPU instances while no job runs on them: money spent on nothing.
/// Batch runs its jobs on an ECS cluster it names itself; a lookup at deploy time reads that name from
/// <c>DescribeComputeEnvironments</c>, and the alarm watches the cluster's <c>CPUReservation</c>, which ECS
/// publishes while instances are registered: 0 % reserved means instances up and no job on them. With no
/// instance there is no data, which is not a breach.
/// </summary>
internal static class IdleComputeAlarm
{
    public static Alarm Create(Construct scope, string id, ManagedEc2EcsComputeEnvironment environment, int minutes)
    {
        var call = new AwsSdkCall
        {
            Service = "Batch",
            Action = "describeComputeEnvironments",
            Parameters = new Dictionary<string, object> { ["computeEnvironments"] = new[] { environment.ComputeEnvironmentArn } },
            PhysicalResourceId = PhysicalResourceId.FromResponse("computeEnvironments.0.ecsClusterArn"),
            OutputPaths = new[] { "computeEnvironments.0.ecsClusterArn" },
        };
        var lookup = new AwsCustomResource(scope, id + "ClusterLookup", new AwsCustomResourceProps
        {
            OnCreate = call,
            OnUpdate = call,
            Policy = AwsCustomResourcePolicy.FromStatements(new[]
            {
                new PolicyStatement(new PolicyStatementProps { Actions = new[] { "batch:DescribeComputeEnvironments" }, Resources = new[] { "*" } }),
            }),
            InstallLatestAwsSdk = false,
        });
        Suppressions.Add(lookup.Node.FindChild("CustomResourcePolicy"), "AwsSolutions-IAM5",
            "batch:DescribeComputeEnvironments has no resource-level permissions; the call is read-only and runs at deployment.", "Resource::*");
        var clusterName = Fn.Select(1, Fn.Split("/", lookup.GetResponseField("computeEnvironments.0.ecsClusterArn")));

        var periods = Math.Max(1, minutes / 5);
        return new Metric(new MetricProps
        {
            Namespace = "AWS/ECS",
            MetricName = "CPUReservation",
            DimensionsMap = new Dictionary<string, string> { ["ClusterName"] = clusterName },
            Statistic = "Maximum",
            Period = Duration.Minutes(5),
        }).CreateAlarm(scope, id, new CreateAlarmOptions
        {
            AlarmDescription = $"Training compute environment {environment.Node.Path} has kept instances with no job reserving CPU for {periods * 5} minutes: GPUs billed for nothing. Batch normally scales idle instances in within minutes; check the compute environment's desired vCPUs and stuck jobs.",
            Threshold = 0,
            EvaluationPeriods = periods,
            ComparisonOperator = ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
    }
}
