using System.Diagnostics;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.ECS;
using AwsModelPlatform.Constructs.Training;
using Environment = Amazon.CDK.Environment;

namespace AwsModelPlatform.Constructs.Tests.Training;

/// <summary>
/// A cluster placement group lives in one Availability Zone, and EC2 Auto Scaling refuses one with several zones: with
/// <c>ClusterPlacement</c>, the compute environments launch in the workload subnets of one zone only.
/// </summary>
public class ClusterPlacementTests
{
    private const string Account = "111122223333";
    private const string Region = "eu-west-1";

    /// <summary>Multi-node DDP on 2 × p4d.24xlarge with EFA and a cluster placement group, on demand.</summary>
    internal static TrainingJobsProps EfaProps() => TrainingJobsTests.Props() with
    {
        InstanceTypes = new[] { "p4d.24xlarge" },
        MaxVCpus = 192,
        UseSpot = false,
        OnDemandFallback = false,
        ClusterPlacement = true,
        JobDefinitions = new[] { new TrainingJobDefinitionOptions { Name = "ddp", Image = ContainerImage.FromRegistry("example.com/train:1"), Gpus = 8, Nodes = 2, Efa = true } },
    };

    /// <summary>A stack in eu-west-1 whose account has the zones a, b and c (as a context lookup would find them).</summary>
    private static Stack RegionalStack() =>
        new(new App(new AppProps
        {
            Context = new Dictionary<string, object> { [$"availability-zones:account={Account}:region={Region}"] = new[] { "eu-west-1a", "eu-west-1b", "eu-west-1c" } },
        }), "Test", new StackProps { Env = new Environment { Account = Account, Region = Region } });

    private static List<JsonNode> SubnetsOfEachEnvironment(Template template) =>
        template.Resources("AWS::Batch::ComputeEnvironment").Select(e => e.Value["Properties"]!["ComputeResources"]!["Subnets"]!).ToList();

    private static string ZoneOf(Template template, JsonNode subnetRef) =>
        template.Json()["Resources"]![subnetRef["Ref"]!.GetValue<string>()]!["Properties"]!["AvailabilityZone"].Text();

    [Fact]
    public void Cluster_placement_launches_every_compute_environment_in_the_workload_subnet_of_one_zone()
    {
        var stack = Synth.NewStack();
        var training = new TrainingJobs(stack, "Training", EfaProps() with { UseSpot = true, OnDemandFallback = true });
        var template = Template.FromStack(stack);
        var subnets = SubnetsOfEachEnvironment(template);
        Assert.Equal(2, subnets.Count); // Spot and on-demand
        Assert.All(subnets, s => Assert.Equal(subnets[0].Text(), s.Text()));
        Assert.Single(subnets[0].AsArray());
        // The platform's first zone (environment-agnostic: a token CloudFormation resolves to the region's first zone).
        Assert.Contains("WorkloadSubnet1", subnets[0].Text());
        Assert.NotNull(training.PlacementAvailabilityZone);
        Assert.True(Token.IsUnresolved(training.PlacementAvailabilityZone!));
        template.HasResourceProperties("AWS::EC2::PlacementGroup", new Dictionary<string, object> { ["Strategy"] = "cluster" });
    }

    [Fact]
    public void Without_cluster_placement_the_compute_environments_span_every_zone_of_the_workload_subnets()
    {
        var template = Synth.Template(s => new TrainingJobs(s, "Training", EfaProps() with { ClusterPlacement = false, JobDefinitions = new[] { EfaProps().JobDefinitions[0] with { Efa = false } } }));
        Assert.Equal(2, Assert.Single(SubnetsOfEachEnvironment(template)).AsArray().Count);
        template.ResourceCountIs("AWS::EC2::PlacementGroup", 0);
    }

    [Fact]
    public void PlacementAvailabilityZone_picks_the_zone_in_a_stack_with_an_account_and_region()
    {
        var stack = RegionalStack();
        var training = new TrainingJobs(stack, "Training", EfaProps() with { PlacementAvailabilityZone = "eu-west-1b" });
        var template = Template.FromStack(stack);
        var subnet = Assert.Single(Assert.Single(SubnetsOfEachEnvironment(template)).AsArray())!;
        Assert.Equal("\"eu-west-1b\"", ZoneOf(template, subnet));
        Assert.Equal("eu-west-1b", training.PlacementAvailabilityZone);
    }

    [Fact]
    public void By_default_the_first_zone_of_the_workload_subnets_is_used()
    {
        var stack = RegionalStack();
        var training = new TrainingJobs(stack, "Training", EfaProps());
        var template = Template.FromStack(stack);
        Assert.Equal("\"eu-west-1a\"", ZoneOf(template, Assert.Single(Assert.Single(SubnetsOfEachEnvironment(template)).AsArray())!));
        Assert.Equal("eu-west-1a", training.PlacementAvailabilityZone);
    }

    [Fact]
    public void A_zone_without_workload_subnets_fails_synthesis_naming_the_zones_there_are()
    {
        // The platform spans two zones (MaxAzs = 2): a and b.
        var message = Synth.ErrorOf(() => new TrainingJobs(RegionalStack(), "Training", EfaProps() with { PlacementAvailabilityZone = "eu-west-1c" }));
        Assert.Equal("Test/Training: TrainingJobsProps.PlacementAvailabilityZone = 'eu-west-1c' is not a zone of the platform's workload subnets (eu-west-1a, eu-west-1b); use one of them.", message);
    }

    [Fact]
    public void A_zone_name_in_an_environment_agnostic_stack_fails_synthesis_saying_to_give_the_stack_an_environment()
    {
        var message = Synth.ErrorOf(() => new TrainingJobs(Synth.NewStack(), "Training", EfaProps() with { PlacementAvailabilityZone = "us-east-1a" }));
        Assert.StartsWith("Test/Training: TrainingJobsProps.PlacementAvailabilityZone = 'us-east-1a': this stack is environment-agnostic", message);
        Assert.Contains("Give the stack an account and region (Env), or leave PlacementAvailabilityZone unset", message);
    }

    [Fact]
    public void A_zone_without_cluster_placement_fails_synthesis_instead_of_being_ignored()
    {
        var message = Synth.ErrorOf(() => new TrainingJobs(RegionalStack(), "Training", TrainingJobsTests.Props() with { PlacementAvailabilityZone = "eu-west-1a" }));
        Assert.StartsWith("Test/Training: TrainingJobsProps.PlacementAvailabilityZone = 'eu-west-1a' needs ClusterPlacement = true", message);
    }

    [Fact]
    public async Task A_multi_node_EFA_definition_with_cluster_placement_synthesizes_a_template_cfn_lint_accepts()
    {
        var stack = RegionalStack();
        _ = new TrainingJobs(stack, "Training", EfaProps());
        var path = Path.Combine(Path.GetTempPath(), $"efa-training-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Template.FromStack(stack).Json().ToJsonString());
        try
        {
            var start = new ProcessStartInfo("cfn-lint") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { path, "--format", "json", "--regions", Region }) start.ArgumentList.Add(arg);
            using var lint = Process.Start(start)!;
            var output = lint.StandardOutput.ReadToEndAsync();
            var stderr = lint.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await lint.WaitForExitAsync(timeout.Token);
            var text = await output;
            Assert.True(text.TrimStart().StartsWith('['), $"cfn-lint did not report ({lint.ExitCode}): {text} {await stderr}");
            var errors = JsonNode.Parse(text)!.AsArray().Where(m => m!["Level"]!.GetValue<string>() == "Error")
                .Select(m => $"{m!["Rule"]!["Id"]} {m["Message"]} at {m["Location"]!["Path"]!.ToJsonString()}").ToList();
            Assert.True(errors.Count == 0, "cfn-lint errors:\n" + string.Join('\n', errors) + await stderr);
        }
        finally { File.Delete(path); }
    }
}
