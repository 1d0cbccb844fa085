using System.Text.Json.Nodes;
using Amazon.CDK;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Tests.Inference;
using AwsModelPlatform.Constructs.Training;
using AwsModelPlatform.Contracts;
using TrainingProps = AwsModelPlatform.Constructs.Tests.Training.TrainingJobsTests;

namespace AwsModelPlatform.Constructs.Tests.Cost;

/// <summary>MaxMonthlyCostUsd fails synthesis, naming each resource and its cost, when the worst case exceeds it.</summary>
public class CostCeilingTests
{
    private static string SynthError(App app) => Assert.ThrowsAny<Exception>(() => app.Synth()).Message;

    [Fact]
    public void A_construct_over_its_ceiling_fails_synthesis_naming_each_resource_and_its_cost()
    {
        var app = new App();
        var stack = new Stack(app, "Test");
        var platform = new ModelPlatform(stack, "Platform");
        _ = new TrainingJobs(stack, "Training", TrainingProps.SpotOnlyProps(platform) with { MaxMonthlyCostUsd = 8000 });
        var error = SynthError(app);
        // 8281.12 (2 × g5.12xlarge × 730 h) + 32 (root volumes) + 0.30 (3 alarms: failed, stuck, idle compute) = 8313.42
        Assert.Contains("TrainingJobsProps.MaxMonthlyCostUsd = 8000", error);
        Assert.Contains("is $8313.42", error);
        Assert.Contains("over the ceiling by $313.42", error);
        Assert.Contains("Training/Spot (AWS::Batch::ComputeEnvironment): 1460 instance-hour × $5.672 = $8281.12/month", error);
        Assert.Contains("Training/FailedJobsAlarm (AWS::CloudWatch::Alarm): 1 alarm-metric-month × $0.1 = $0.10/month", error);
        Assert.Contains("Test/Training", error); // the construct the validation belongs to
    }

    [Fact]
    public void A_construct_under_its_ceiling_synthesizes()
    {
        var app = new App();
        var stack = new Stack(app, "Test");
        _ = new TrainingJobs(stack, "Training", TrainingProps.SpotOnlyProps(new ModelPlatform(stack, "Platform")) with { MaxMonthlyCostUsd = 8313.43 });
        app.Synth();
    }

    [Fact]
    public void A_standalone_construct_counts_the_platform_it_creates()
    {
        var app = new App();
        var stack = new Stack(app, "Test");
        var endpoint = new GpuModelEndpoint(stack, "Llm", new GpuModelEndpointProps
        {
            Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
            Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 1, MaxInstances = 2 },
            MaxMonthlyCostUsd = 2100,
        });
        // 2055.68 for the instances, + alarms, + 182.20 for the platform it creates: over 2100 only with the platform.
        Assert.True(CostLine.Total(endpoint.WorstCaseMonthlyCost) < 2100);
        var error = SynthError(app);
        Assert.Contains("GpuModelEndpointProps.MaxMonthlyCostUsd = 2100", error);
        Assert.Contains("Llm/Platform/Network/Vpc/Kms (AWS::EC2::VPCEndpoint): 1460 endpoint-AZ-hour × $0.01 = $14.60/month", error);
    }

    [Fact]
    public void The_platform_ceiling_sums_every_construct_on_the_platform_across_stacks()
    {
        var app = new App();
        var platform = new ModelPlatform(new Stack(app, "Foundation"), "Platform", new ModelPlatformProps { MaxMonthlyCostUsd = 8400 });
        _ = new TrainingJobs(new Stack(app, "Training"), "Training", TrainingProps.SpotOnlyProps(platform));
        var error = SynthError(app);
        // 182.20 (foundation) + 3.00 (the platform's dashboard in the Training stack) + 8313.42 (training) = 8498.62
        Assert.Contains("ModelPlatformProps.MaxMonthlyCostUsd = 8400", error);
        Assert.Contains("is $8498.62", error);
        Assert.Contains("Training/Spot (AWS::Batch::ComputeEnvironment)", error);
        Assert.Contains("Platform/Network/Vpc/Sts (AWS::EC2::VPCEndpoint)", error);
    }

    [Fact]
    public void The_platform_ceiling_ignores_constructs_on_another_platform()
    {
        var app = new App();
        var stack = new Stack(app, "Test");
        _ = new ModelPlatform(stack, "Platform", new ModelPlatformProps { MaxMonthlyCostUsd = 200 });
        _ = new TrainingJobs(stack, "Training", TrainingProps.SpotOnlyProps(new ModelPlatform(stack, "Other")));
        app.Synth();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_ceiling_that_is_not_positive_is_refused(double max)
    {
        var stack = Synth.NewStack();
        var error = Synth.ErrorOf(() => new ModelPlatform(stack, "Platform", new ModelPlatformProps { MaxMonthlyCostUsd = max }));
        Assert.Contains("ModelPlatformProps.MaxMonthlyCostUsd", error);
        Assert.Contains("positive", error);
    }

    [Fact]
    public void Each_template_records_its_stacks_worst_case_for_the_cost_reports()
    {
        var app = new App();
        var foundation = new Stack(app, "Foundation");
        var platform = new ModelPlatform(foundation, "Platform");
        var trainingStack = new Stack(app, "Training");
        _ = new TrainingJobs(trainingStack, "Training", TrainingProps.SpotOnlyProps(platform) with { MaxMonthlyCostUsd = 9000 });
        JsonNode Record(Stack s) => Amazon.CDK.Assertions.Template.FromStack(s).Json()["Metadata"]![CostCeiling.MetadataKey]!;

        var f = Record(foundation);
        Assert.Equal("182.20", f["totalMonthlyUsd"]!.GetValue<string>());
        Assert.Equal(PriceTable.Default.Version, f["priceTableVersion"]!.GetValue<string>());
        Assert.Contains(f["usageBased"]!.AsArray(), n => n!.GetValue<string>().Contains("AWS::CloudTrail::Trail: data events $0.000001/event"));

        // The training stack also holds the platform's dashboard for its sections: 8313.42 + 3.00.
        var t = Record(trainingStack);
        Assert.Equal("8316.42", t["totalMonthlyUsd"]!.GetValue<string>());
        Assert.Equal(8316.42, t["lines"]!.AsArray().Sum(l => double.Parse(l!["monthlyUsd"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)), 6);
        Assert.Contains(t["lines"]!.AsArray(), l => l!["resource"]!.GetValue<string>() == "Training/Spot" && l["quantity"]!.GetValue<string>() == "1460"
            && l["unitPriceUsd"]!.GetValue<string>() == "5.672" && l["monthlyUsd"]!.GetValue<string>() == "8281.1200");
        Assert.Contains(t["lines"]!.AsArray(), l => l!["type"]!.GetValue<string>() == "AWS::CloudWatch::Dashboard");
        Assert.Equal("9000", t["ceilings"]![0]!["maxMonthlyUsd"]!.GetValue<string>());
    }
}
