using AwsModelPlatform.Contracts;
using System.Text.Json.Nodes;
using Amazon.CDK;
using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Training;
using TrainingProps = AwsModelPlatform.Constructs.Tests.Training.TrainingJobsTests;

namespace AwsModelPlatform.Constructs.Tests.Cost;

/// <summary>A stack is priced in its own region; a region the table does not price is said so, and a ceiling there refuses to pass unless allowed.</summary>
public class UnpricedRegionTests
{
    private const string Unpriced = "eu-south-1";

    private static Stack StackIn(App app, string region) =>
        new(app, "Test", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = region } });

    private static string SynthError(App app) => Assert.ThrowsAny<Exception>(() => app.Synth()).Message;

    // CDK prefixes each validation message with the construct path: the message's own first line follows it.
    private static string FirstLineOf(string error, string path)
    {
        var start = error.IndexOf($"[{path}] ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no validation message of {path} in: {error}");
        var message = error[(start + path.Length + 3)..];
        return message.Split('\n')[0];
    }

    [Fact]
    public void The_table_prices_the_five_regions_and_not_the_rest()
    {
        foreach (var region in new[] { "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1" })
        {
            Assert.True(PriceTable.Default.IsPriced(region), region);
            Assert.Null(PriceTable.Default.UnpricedRegionNotice(region));
        }
        Assert.False(PriceTable.Default.IsPriced(Unpriced));
        Assert.StartsWith($"UNPRICED REGION {Unpriced}", PriceTable.Default.UnpricedRegionNotice(Unpriced));
    }

    [Fact]
    public void A_ceiling_in_a_region_without_prices_fails_synthesis_saying_so_in_its_first_line()
    {
        var app = new App();
        var stack = StackIn(app, Unpriced);
        // A ceiling the us-east-1 worst case (about $8,300) is far under: it must still refuse, the prices are a guess.
        _ = new TrainingJobs(stack, "Training", TrainingProps.SpotOnlyProps(new ModelPlatform(stack, "Platform")) with { MaxMonthlyCostUsd = 1_000_000 });
        var error = SynthError(app);
        Assert.StartsWith($"UNPRICED REGION {Unpriced}", FirstLineOf(error, "Test/Training"));
        Assert.Contains("TrainingJobsProps.AllowUnpricedRegion = true", error);
    }

    [Fact]
    public void AllowUnpricedRegion_checks_the_ceiling_against_the_default_regions_prices_and_still_says_so_first()
    {
        var allowed = new App();
        var stack = StackIn(allowed, Unpriced);
        _ = new TrainingJobs(stack, "Training", TrainingProps.SpotOnlyProps(new ModelPlatform(stack, "Platform")) with { MaxMonthlyCostUsd = 1_000_000, AllowUnpricedRegion = true });
        allowed.Synth();

        var over = new App();
        var overStack = StackIn(over, Unpriced);
        _ = new TrainingJobs(overStack, "Training", TrainingProps.SpotOnlyProps(new ModelPlatform(overStack, "Platform")) with { MaxMonthlyCostUsd = 100, AllowUnpricedRegion = true });
        var error = SynthError(over);
        Assert.StartsWith($"UNPRICED REGION {Unpriced}", FirstLineOf(error, "Test/Training"));
        Assert.Contains("(us-east-1 prices", error);
        Assert.Contains("TrainingJobsProps.MaxMonthlyCostUsd = 100", error);
    }

    [Fact]
    public void The_platform_ceiling_refuses_an_unpriced_region_unless_its_props_allow_it()
    {
        var app = new App();
        _ = new ModelPlatform(StackIn(app, Unpriced), "Platform", new ModelPlatformProps { MaxMonthlyCostUsd = 1_000_000 });
        var error = SynthError(app);
        Assert.StartsWith($"UNPRICED REGION {Unpriced}", FirstLineOf(error, "Test/Platform"));
        Assert.Contains("ModelPlatformProps.AllowUnpricedRegion = true", error);

        var allowed = new App();
        _ = new ModelPlatform(StackIn(allowed, Unpriced), "Platform", new ModelPlatformProps { MaxMonthlyCostUsd = 1_000_000, AllowUnpricedRegion = true });
        allowed.Synth();
    }

    [Fact]
    public void A_stack_without_a_ceiling_synthesizes_in_an_unpriced_region_and_its_record_says_so()
    {
        var app = new App();
        var stack = StackIn(app, Unpriced);
        _ = new ModelPlatform(stack, "Platform");
        var record = Amazon.CDK.Assertions.Template.FromStack(stack).Json()["Metadata"]![CostCeiling.MetadataKey]!;
        Assert.Equal(Unpriced, record["region"]!.GetValue<string>());
        Assert.Equal("us-east-1", record["pricedRegion"]!.GetValue<string>());
        Assert.StartsWith($"UNPRICED REGION {Unpriced}", record["regionNotice"]!.GetValue<string>());
    }

    [Fact]
    public void A_stack_in_a_priced_region_is_costed_at_that_regions_prices()
    {
        var app = new App();
        var stack = StackIn(app, "eu-central-1");
        var training = new TrainingJobs(stack, "Training", TrainingProps.SpotOnlyProps(new ModelPlatform(stack, "Platform")));
        var compute = training.WorstCaseMonthlyCost.First(l => l.Type == "AWS::Batch::ComputeEnvironment");
        var frankfurt = PriceTable.Default.Get("eu-central-1", PriceTable.Ec2OnDemand, "g5.12xlarge").Usd;
        Assert.Equal(frankfurt, compute.UnitPriceUsd);
        Assert.NotEqual(PriceTable.Default.Get("us-east-1", PriceTable.Ec2OnDemand, "g5.12xlarge").Usd, frankfurt);
        var record = Amazon.CDK.Assertions.Template.FromStack(stack).Json()["Metadata"]![CostCeiling.MetadataKey]!;
        Assert.Equal("eu-central-1", record["pricedRegion"]!.GetValue<string>());
        Assert.Equal("", record["regionNotice"]!.GetValue<string>());
    }

    [Fact]
    public void An_environment_agnostic_stack_is_priced_at_the_default_region_and_its_record_says_the_region_is_unknown()
    {
        var app = new App();
        var stack = new Stack(app, "Test");
        _ = new TrainingJobs(stack, "Training", TrainingProps.SpotOnlyProps(new ModelPlatform(stack, "Platform")) with { MaxMonthlyCostUsd = 1_000_000 });
        app.Synth();
        JsonNode record = Amazon.CDK.Assertions.Template.FromStack(stack).Json()["Metadata"]![CostCeiling.MetadataKey]!;
        Assert.Equal("unknown", record["region"]!.GetValue<string>());
        Assert.Contains("not known at synth time", record["regionNotice"]!.GetValue<string>());
    }
}
