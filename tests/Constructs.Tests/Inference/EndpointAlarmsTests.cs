using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>The endpoint's alarms by purpose (<c>EndpointAlarms</c>): each mode has those its metrics allow, and <c>All</c> is what notifies the topic.</summary>
[Collection(EndpointTemplates.Collection)]
public class EndpointAlarmsTests
{
    private readonly EndpointTemplates _t;
    public EndpointAlarmsTests(EndpointTemplates t) => _t = t;

    private IEnumerable<(string Mode, GpuModelEndpoint Endpoint, Template Template)> Modes => new[]
    {
        ("RealTime", _t.RealTimeEndpoint, _t.RealTime), ("Components", _t.ComponentsEndpoint, _t.Components),
        ("Async", _t.AsyncEndpoint, _t.Async), ("Serverless", _t.ServerlessEndpoint, _t.Serverless),
    };

    private static string[] Present(EndpointAlarms alarms) => new (string Purpose, Alarm? Alarm)[]
    {
        (nameof(alarms.ServerErrors), alarms.ServerErrors), (nameof(alarms.ModelLatency), alarms.ModelLatency), (nameof(alarms.GpuMemory), alarms.GpuMemory),
        (nameof(alarms.BacklogAge), alarms.BacklogAge), (nameof(alarms.AsyncInvocationFailures), alarms.AsyncInvocationFailures), (nameof(alarms.IdleGpu), alarms.IdleGpu),
    }.Where(a => a.Alarm is not null).Select(a => a.Purpose).ToArray();

    private static string Description(Alarm alarm) => ((CfnAlarm)alarm.Node.DefaultChild!).AlarmDescription!;

    private static string LogicalId(Alarm alarm) => Stack.Of(alarm).GetLogicalId((CfnElement)alarm.Node.DefaultChild!);

    [Fact]
    public void Each_hosting_mode_has_the_alarms_its_metrics_allow()
    {
        Assert.Equal(new[] { "ServerErrors", "ModelLatency", "GpuMemory", "IdleGpu" }, Present(_t.RealTimeEndpoint.Alarms));
        Assert.Equal(new[] { "ServerErrors", "ModelLatency", "GpuMemory", "IdleGpu" }, Present(_t.ComponentsEndpoint.Alarms));
        Assert.Equal(new[] { "GpuMemory", "BacklogAge", "AsyncInvocationFailures", "IdleGpu" }, Present(_t.AsyncEndpoint.Alarms));
        // Serverless: no instances of the account's, so no GPU or idle-instance alarm.
        Assert.Equal(new[] { "ServerErrors", "ModelLatency" }, Present(_t.ServerlessEndpoint.Alarms));
    }

    [Fact]
    public void Each_alarm_is_the_one_of_its_purpose_in_the_template()
    {
        foreach (var (_, endpoint, _) in Modes)
            foreach (var purpose in Present(endpoint.Alarms))
            {
                var alarm = (Alarm)typeof(EndpointAlarms).GetProperty(purpose)!.GetValue(endpoint.Alarms)!;
                Assert.StartsWith($"{endpoint.Node.Id}{purpose}Alarm", LogicalId(alarm));
            }
    }

    [Fact]
    public void All_is_every_alarm_of_the_endpoint_that_notifies_the_platform_topic()
    {
        foreach (var (mode, endpoint, template) in Modes)
        {
            // The endpoint's own alarms, not those of the standalone platform it made (its child "Platform").
            var notifying = template.Resources("AWS::CloudWatch::Alarm")
                .Where(a => a.Value["Properties"]!["AlarmActions"].Text().Contains("PlatformAlarmsTopic"))
                .Where(a => a.Key.StartsWith(endpoint.Node.Id) && !a.Key.StartsWith(endpoint.Node.Id + "Platform"))
                .Select(a => a.Key).OrderBy(k => k).ToArray();
            Assert.True(notifying.Length > 0, mode);
            Assert.Equal(notifying, endpoint.Alarms.All.Select(LogicalId).OrderBy(k => k).ToArray());
        }
    }

    [Fact]
    public void Alarm_descriptions_read_the_same_in_every_culture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var endpoint = new GpuModelEndpoint(Synth.NewStack(), "Llm", new GpuModelEndpointProps
            {
                Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
                Hosting = new RealTimeHosting { InstanceType = "ml.g5.2xlarge" },
                ServerErrorRateAlarmPercent = 2.5,
                ModelLatencyP99AlarmThreshold = Duration.Millis(1500),
            });
            Assert.StartsWith("More than 2.5 % of requests", Description(endpoint.Alarms.ServerErrors!));
            Assert.Contains("above 1.5 s for 15 minutes", Description(endpoint.Alarms.ModelLatency!));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }
}
