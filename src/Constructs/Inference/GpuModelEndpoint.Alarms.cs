using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Inference;

// The endpoint's default alarms and its dashboard section.
public sealed partial class GpuModelEndpoint
{
    private EndpointAlarms CreateAlarms(GpuModelEndpointProps props)
    {
        var period = Duration.Minutes(5);
        var alarms = new EndpointAlarms();
        if (!IsAsync)
        {
            alarms = alarms with
            {
                ServerErrors = AddAlarm("ServerErrors", new MathExpression(new MathExpressionProps
                {
                    Expression = "IF(invocations > 0, 100 * errors / invocations, 0)",
                    UsingMetrics = new Dictionary<string, IMetric> { ["errors"] = MetricInvocation5xxErrors(), ["invocations"] = MetricInvocations() },
                    Label = "5xx rate (%)",
                    Period = period,
                }), props.ServerErrorRateAlarmPercent, 3,
                    $"More than {props.ServerErrorRateAlarmPercent} % of requests to {EndpointName} failed with a 5xx for 15 minutes: the model container is failing."),
                ModelLatency = AddAlarm("ModelLatency", MetricModelLatency(new MetricOptions { Statistic = "p99" }), props.ModelLatencyP99AlarmThreshold.ToMilliseconds() * 1000.0, 3,
                    $"p99 model latency of {EndpointName} has been above {props.ModelLatencyP99AlarmThreshold.ToMilliseconds() / 1000.0} s for 15 minutes: the endpoint is saturated or the model is stuck."),
            };
        }
        else
        {
            var async = ((RealTimeHosting)props.Hosting).Async!;
            alarms = alarms with
            {
                BacklogAge = AddAlarm("BacklogAge", MetricBacklogAge(), async.BacklogAgeAlarmThreshold.ToSeconds(), 3,
                    $"The oldest queued request of {EndpointName} has waited more than {async.BacklogAgeAlarmThreshold.ToSeconds()} s for 15 minutes: the endpoint cannot keep up, or cannot scale out from zero."),
                AsyncInvocationFailures = AddAlarm("AsyncInvocationFailures", MetricInvocationFailures(), async.InvocationFailuresAlarmThreshold, 1,
                    $"{async.InvocationFailuresAlarmThreshold} or more async requests to {EndpointName} failed in 5 minutes: their errors are under {AsyncFailurePrefix} in the endpoint's bucket and on its error topic, if any.",
                    ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD),
            };
        }

        if (_instanceType is { IsGpu: true } gpu)
        {
            alarms = alarms with
            {
                GpuMemory = AddAlarm("GpuMemory", new MathExpression(new MathExpressionProps
                {
                    Expression = $"memory / {gpu.Accelerators}",
                    UsingMetrics = new Dictionary<string, IMetric> { ["memory"] = MetricGpuMemoryUtilization() },
                    Label = "GPU memory used (% of the instance's GPU memory)",
                    Period = period,
                }), props.GpuMemoryAlarmPercent, 3,
                    $"GPU memory of {EndpointName} has been above {props.GpuMemoryAlarmPercent} % for 15 minutes: requests risk out-of-memory failures."),
            };
        }

        if (_instanceType is not null)
        {
            var hours = (int)props.IdleAlarmAfter.ToHours();
            var idle = new Alarm(this, "IdleGpuAlarm", new AlarmProps
            {
                AlarmDescription = $"{EndpointName} has had instances running and no invocation for {hours} hours: you are paying for an idle {_instanceType.Name}. Scale it down, switch to inference components (scale to zero), or delete it.",
                Metric = new MathExpression(new MathExpressionProps
                {
                    Expression = "IF(FILL(instances, 0) > 0 AND FILL(invocations, 0) == 0, 1, 0)",
                    UsingMetrics = new Dictionary<string, IMetric>
                    {
                        ["instances"] = MetricCpuUtilization(new MetricOptions { Statistic = "SampleCount", Period = Duration.Hours(1) }),
                        ["invocations"] = IsAsync ? MetricInvocationsProcessed(new MetricOptions { Period = Duration.Hours(1) }) : MetricInvocations(new MetricOptions { Period = Duration.Hours(1) }),
                    },
                    Label = "Idle instance hours",
                    Period = Duration.Hours(1),
                }),
                Threshold = 1,
                EvaluationPeriods = hours,
                DatapointsToAlarm = hours,
                ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                TreatMissingData = TreatMissingData.NOT_BREACHING,
            });
            Platform.AlarmTopic.Notify(idle);
            alarms = alarms with { IdleGpu = idle };
        }
        return alarms;
    }

    // Descriptions are formatted with the invariant culture: a threshold of 2.5 reads 2.5 whatever the machine that synthesizes.
    private Alarm AddAlarm(string purpose, IMetric metric, double threshold, int periods, FormattableString description, ComparisonOperator comparison = ComparisonOperator.GREATER_THAN_THRESHOLD)
    {
        var alarm = new Alarm(this, purpose + "Alarm", new AlarmProps
        {
            AlarmDescription = FormattableString.Invariant(description),
            Metric = metric,
            Threshold = threshold,
            EvaluationPeriods = periods,
            DatapointsToAlarm = periods,
            ComparisonOperator = comparison,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        Platform.AlarmTopic.Notify(alarm);
        return alarm;
    }

    private void AddDashboardSection()
    {
        var widgets = new List<IWidget>
        {
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Invocations and errors",
                Left = IsAsync
                    ? new IMetric[] { MetricInvocationsProcessed(), MetricBacklogSize(), MetricInvocationFailures() }
                    : new IMetric[] { MetricInvocations(), MetricInvocation4xxErrors(), MetricInvocation5xxErrors() },
                Width = 8,
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Latency (µs)",
                // Async endpoints publish no OverheadLatency.
                Left = new IMetric[] { MetricModelLatency(new MetricOptions { Statistic = "p50" }), MetricModelLatency(new MetricOptions { Statistic = "p99" }) }
                    .Concat(IsAsync ? Array.Empty<IMetric>() : new IMetric[] { MetricOverheadLatency() }).ToArray(),
                Width = 8,
            }),
        };
        if (_instanceType is not null)
            widgets.Add(new GraphWidget(new GraphWidgetProps
            {
                Title = "Instances: GPU, GPU memory, disk (%)",
                Left = _instanceType.IsGpu
                    ? new IMetric[] { MetricGpuUtilization(), MetricGpuMemoryUtilization(), MetricDiskUtilization() }
                    : new IMetric[] { MetricCpuUtilization(), MetricDiskUtilization() },
                Width = 8,
            }));
        Platform.Dashboard.AddSection(this, $"SageMaker endpoint {EndpointName} ({_hosting.PropName}, worst case ${WorstCaseHourlyCostUsd.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}/h)", widgets.ToArray());
    }
}
