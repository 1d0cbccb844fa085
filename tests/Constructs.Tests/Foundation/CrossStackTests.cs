using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Foundation;

/// <summary>A platform in one stack serving constructs in others, without the stacks depending on each other both ways.</summary>
public class CrossStackTests
{
    [Fact]
    public void Platform_names_start_with_a_project_slug_and_a_hash_and_stay_within_S3_and_Lambda_limits()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform", new ModelPlatformProps { ProjectName = "LLM Serving Platform" });
        Assert.Matches("^llm-servi-[0-9a-f]{6}$", platform.NamePrefix);
        var bucket = PlatformNames.Bucket(platform, stack, "checkpoints");
        Assert.StartsWith(platform.NamePrefix + "-checkpoints-", bucket);
        // Longest account (12) and region (14) names still fit S3's 63 characters.
        var longest = bucket.Replace(Aws.ACCOUNT_ID, "123456789012").Replace(Aws.REGION, "ap-southeast-5");
        Assert.True(longest.Length <= 63, longest);
        Assert.True(PlatformNames.Function(platform, stack, "inference-stream").Length <= 64);
    }

    [Fact]
    public void A_purpose_that_cannot_be_part_of_a_bucket_name_is_refused()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        Assert.Contains("purpose 'Check_points' must be 1 to 11 lowercase letters", Synth.ErrorOf(() => PlatformNames.Bucket(platform, stack, "Check_points")));
    }

    [Fact]
    public void The_trail_logs_data_events_of_everything_named_with_the_platform_prefix()
    {
        ModelPlatform? platform = null;
        var template = Synth.Template(s => platform = new ModelPlatform(s, "Platform"));
        var selectors = template.Single("AWS::CloudTrail::Trail")["Properties"]!["AdvancedEventSelectors"]!.AsArray().Select(s => s!.Text()).ToList();
        Assert.Contains(selectors, s => s.Contains("AWS::S3::Object") && s.Contains($":s3:::{platform!.NamePrefix}-"));
        Assert.Contains(selectors, s => s.Contains("AWS::Lambda::Function") && s.Contains($":function:{platform!.NamePrefix}-"));
    }

    [Fact]
    public void The_access_log_bucket_admits_logs_of_buckets_named_with_the_platform_prefix()
    {
        ModelPlatform? platform = null;
        var template = Synth.Template(s => platform = new ModelPlatform(s, "Platform"));
        var policy = template.Resources("AWS::S3::BucketPolicy").Single(p => p.Value["Properties"]!["Bucket"].Text().Contains("AccessLogs")).Value.Text();
        Assert.Contains($":s3:::{platform!.NamePrefix}-*", policy);
    }

    [Fact]
    public void Registering_a_bucket_of_another_stack_by_reference_fails_with_what_to_do_instead()
    {
        var app = new App();
        var platform = new ModelPlatform(new Stack(app, "Foundation"), "Platform");
        var other = new Stack(app, "Workload");
        var message = Synth.ErrorOf(() => platform.Trail.AddS3DataEvents(new Bucket(other, "Data")));
        Assert.Contains("is in stack 'Workload' and the trail in 'Foundation'", message);
        Assert.Contains("Name it with PlatformNames.Bucket(platform, ...) instead", message);
    }

    [Fact]
    public void A_section_from_another_stack_goes_to_that_stacks_dashboard()
    {
        var app = new App();
        var foundation = new Stack(app, "Foundation");
        var platform = new ModelPlatform(foundation, "Platform");
        var workload = new Stack(app, "Workload");
        var metric = new Metric(new MetricProps { Namespace = "Test", MetricName = "Jobs" });
        platform.Dashboard.AddSection(workload, "Training", new GraphWidget(new GraphWidgetProps { Left = new IMetric[] { metric } }));
        platform.Dashboard.AddSection(workload, "More training", new GraphWidget(new GraphWidgetProps { Left = new IMetric[] { metric } }));
        Template.FromStack(workload).ResourceCountIs("AWS::CloudWatch::Dashboard", 1);
        Template.FromStack(foundation).ResourceCountIs("AWS::CloudWatch::Dashboard", 1);
        Assert.Contains("More training", Template.FromStack(workload).Single("AWS::CloudWatch::Dashboard").Text());
        Assert.DoesNotContain("Training", Template.FromStack(foundation).Single("AWS::CloudWatch::Dashboard").Text());
    }
}
