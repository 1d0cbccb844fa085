using AwsModelPlatform.Contracts;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>Warm windows: two Application Auto Scaling scheduled actions on the scaling target, checked at synth and priced.</summary>
public class WarmScheduleTests
{
    private static readonly WarmSchedule OfficeHours = new()
    {
        Start = "cron(0 8 ? * MON-FRI *)",
        End = "cron(0 18 ? * MON-FRI *)",
        TimeZone = "Europe/Berlin",
    };

    private static InferenceComponentHosting Ic => new() { InstanceType = "ml.g5.12xlarge", MemoryPerCopy = Size.Gibibytes(16), MaxInstances = 2 };

    private static RealTimeHosting Async => new() { InstanceType = "ml.g5.2xlarge", MinInstances = 0, MaxInstances = 3, Async = new AsyncInference() };

    private static (Template Template, GpuModelEndpoint Endpoint) Synthesize(EndpointHosting hosting)
    {
        var stack = Synth.NewStack();
        var endpoint = new GpuModelEndpoint(stack, "Llm", new GpuModelEndpointProps { Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage), Hosting = hosting });
        return (Template.FromStack(stack), endpoint);
    }

    private static string Error(EndpointHosting hosting)
    {
        var message = Synth.ErrorOf(() => Synthesize(hosting));
        Assert.StartsWith("Test/Llm: ", message);
        return message["Test/Llm: ".Length..];
    }

    private static JsonNode CostRecord(Template template) =>
        template.Single("AWS::SageMaker::Endpoint")["Metadata"]![GpuModelEndpoint.CostMetadataKey]!;

    [Fact]
    public void A_warm_window_raises_the_copy_floor_at_its_start_and_restores_it_at_its_end_in_its_time_zone()
    {
        var (template, _) = Synthesize(Ic with { WarmSchedule = OfficeHours with { MinCapacity = 2 } });
        var target = template.Single("AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]!;
        Assert.Equal("sagemaker:inference-component:DesiredCopyCount", target["ScalableDimension"]!.GetValue<string>());
        var actions = target["ScheduledActions"]!.AsArray();
        Assert.Equal(2, actions.Count);
        var (start, end) = (actions[0]!, actions[1]!);
        Assert.Equal("cron(0 8 ? * MON-FRI *)", start["Schedule"]!.GetValue<string>());
        Assert.Equal("cron(0 18 ? * MON-FRI *)", end["Schedule"]!.GetValue<string>());
        Assert.All(actions, a => Assert.Equal("Europe/Berlin", a!["Timezone"]!.GetValue<string>()));
        Assert.Equal("""{"MinCapacity":2}""", start["ScalableTargetAction"].Text());
        Assert.Equal($$"""{"MinCapacity":{{target["MinCapacity"]!.GetValue<int>()}}}""", end["ScalableTargetAction"].Text());
        Assert.NotEqual(start["ScheduledActionName"]!.GetValue<string>(), end["ScheduledActionName"]!.GetValue<string>());
        Assert.All(actions, a => Assert.DoesNotMatch("[:/|]", a!["ScheduledActionName"]!.GetValue<string>()));
    }

    [Fact]
    public void An_async_endpoint_keeps_instances_in_its_warm_window()
    {
        var (template, _) = Synthesize(Async with { WarmSchedule = OfficeHours with { MinCapacity = 1 } });
        var target = template.Single("AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]!;
        Assert.Equal("sagemaker:variant:DesiredInstanceCount", target["ScalableDimension"]!.GetValue<string>());
        var actions = target["ScheduledActions"]!.AsArray();
        Assert.Equal("""{"MinCapacity":1}""", actions[0]!["ScalableTargetAction"].Text());
        Assert.Equal("""{"MinCapacity":0}""", actions[1]!["ScalableTargetAction"].Text());
    }

    [Fact]
    public void Without_a_warm_window_the_target_has_no_scheduled_action()
    {
        var (template, _) = Synthesize(Ic);
        Assert.Null(template.Single("AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]!["ScheduledActions"]);
        Assert.Equal(0, CostRecord(template)["warmInstances"]!.GetValue<int>());
    }

    [Fact]
    public void Weekday_office_hours_are_counted_in_local_time_across_daylight_saving_changes()
    {
        // 10 local hours on every weekday of the reference year, whatever the zone's offset that day.
        var from = new DateTime(WarmSchedule.ReferenceYear, 1, 1);
        var weekdays = Enumerable.Range(0, (from.AddYears(1) - from).Days).Select(d => from.AddDays(d))
            .Count(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
        var hoursInYear = (from.AddYears(1) - from).TotalHours;
        var expected = Math.Round(weekdays * 10 / hoursInYear * PriceTable.HoursPerMonth, 2);
        Assert.Equal(expected, OfficeHours.HoursPerMonth, 1);
        Assert.Equal(expected, (OfficeHours with { TimeZone = "America/New_York" }).HoursPerMonth, 1);
        Assert.Equal(expected, (OfficeHours with { TimeZone = "Etc/UTC" }).HoursPerMonth, 1);
    }

    [Fact]
    public void A_window_that_wraps_midnight_is_counted_until_it_closes()
    {
        var nights = new WarmSchedule { Start = "cron(0 22 * * ? *)", End = "cron(0 6 * * ? *)" };
        Assert.Equal(Math.Round(8.0 / 24 * PriceTable.HoursPerMonth, 2), nights.HoursPerMonth, 1);
    }

    [Fact]
    public void The_cost_record_carries_the_instances_the_window_keeps_and_its_hours_and_the_worst_case_is_unchanged()
    {
        // ml.g5.12xlarge has 4 GPUs: 5 one-GPU copies need 2 instances.
        var (template, endpoint) = Synthesize(Ic with { WarmSchedule = OfficeHours with { MinCapacity = 5 } });
        var record = CostRecord(template);
        Assert.Equal(2, record["warmInstances"]!.GetValue<int>());
        Assert.Equal(OfficeHours.HoursPerMonth, record["warmHoursPerMonth"]!.GetValue<double>());
        Assert.Equal(Synthesize(Ic).Endpoint.WorstCaseHourlyCostUsd, endpoint.WorstCaseHourlyCostUsd);
        var (one, _) = Synthesize(Ic with { WarmSchedule = OfficeHours });
        Assert.Equal(1, CostRecord(one)["warmInstances"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("cron(0 8 * * MON-FRI *)", "exactly one of Day-of-month and Day-of-week must be '?'")]
    [InlineData("0 8 ? * MON-FRI", "a cron expression has six fields")]
    [InlineData("cron(0 25 ? * MON-FRI *)", "Hours '25': values are 0-23")]
    [InlineData("cron(0 8 ? * MON-FRY *)", "Day-of-week 'MON-FRY'")]
    [InlineData("rate(1 day)", "a warm window recurs: give a cron expression, not rate(...)")]
    public void A_start_AAS_would_refuse_fails_synthesis(string start, string reason) =>
        Assert.Contains($"InferenceComponentHosting.WarmSchedule.Start = '{start}' is not a cron expression Application Auto Scaling accepts: {reason}",
            Error(Ic with { WarmSchedule = OfficeHours with { Start = start } }));

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("W. Europe Standard Time")]
    [InlineData("")]
    public void A_time_zone_that_is_not_an_IANA_name_fails_synthesis(string zone) =>
        Assert.Contains($"InferenceComponentHosting.WarmSchedule.TimeZone = '{zone}' is not an IANA time zone name",
            Error(Ic with { WarmSchedule = OfficeHours with { TimeZone = zone } }));

    [Fact]
    public void A_floor_above_the_most_copies_fails_synthesis() =>
        Assert.Contains("InferenceComponentHosting.WarmSchedule.MinCapacity = 9 is out of range: a warm window keeps from 1 to 8 copies",
            Error(Ic with { WarmSchedule = OfficeHours with { MinCapacity = 9 } }));

    [Fact]
    public void A_floor_not_above_MinCopies_fails_synthesis() =>
        Assert.Contains("InferenceComponentHosting.WarmSchedule.MinCapacity = 1 is out of range: a warm window keeps from 2 to 8 copies",
            Error(Ic with { MinCopies = 1, WarmSchedule = OfficeHours }));

    [Fact]
    public void A_window_on_a_synchronous_real_time_endpoint_fails_synthesis() =>
        Assert.Contains("RealTimeHosting.WarmSchedule is set on a synchronous endpoint",
            Error(new RealTimeHosting { InstanceType = "ml.g5.2xlarge", MaxInstances = 2, WarmSchedule = OfficeHours with { MinCapacity = 2 } }));

    [Fact]
    public void A_window_on_copies_that_do_not_scale_fails_synthesis() =>
        Assert.Contains("InferenceComponentHosting.WarmSchedule is set but copies do not scale",
            Error(Ic with { MinCopies = 2, MaxCopies = 2, InitialCopies = 2, WarmSchedule = OfficeHours }));

    [Fact]
    public void The_same_start_and_end_fails_synthesis() =>
        Assert.Contains("Start and End are the same schedule",
            Error(Ic with { WarmSchedule = OfficeHours with { End = OfficeHours.Start } }));
}
