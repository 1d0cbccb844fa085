using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.Logs;
using AwsModelPlatform.Constructs.Foundation;
using Constructs;

namespace AwsModelPlatform.Constructs.Tests.Foundation;

public class ModelPlatformTests
{
    [Fact]
    public void Platform_creates_one_key_network_trail_topic_and_dashboard_sharing_the_key()
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform"));
        template.ResourceCountIs("AWS::KMS::Key", 1);
        template.ResourceCountIs("AWS::EC2::VPC", 1);
        template.ResourceCountIs("AWS::CloudTrail::Trail", 1);
        template.ResourceCountIs("AWS::SNS::Topic", 1);
        template.ResourceCountIs("AWS::CloudWatch::Dashboard", 1);
        template.ResourceCountIs("AWS::EC2::NatGateway", 0);
        var keyId = Assert.Single(template.Resources("AWS::KMS::Key")).Key;
        Assert.All(template.Resources("AWS::Logs::LogGroup"), g => Assert.Contains(keyId, g.Value["Properties"]!["KmsKeyId"].Text()));
        Assert.Contains(keyId, template.Single("AWS::SNS::Topic")["Properties"]!["KmsMasterKeyId"].Text());
    }

    [Fact]
    public void Every_resource_is_tagged_with_project_component_and_cost_center()
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps { ProjectName = "llm-serving", CostCenter = "ml-42" }));
        foreach (var type in new[] { "AWS::KMS::Key", "AWS::EC2::VPC", "AWS::EC2::VPCEndpoint", "AWS::CloudTrail::Trail", "AWS::SNS::Topic", "AWS::S3::Bucket", "AWS::Logs::LogGroup" })
            template.AllResourcesProperties(type, new Dictionary<string, object>
            {
                ["Tags"] = Match.ArrayWith(new object[]
                {
                    new Dictionary<string, object> { ["Key"] = "Component", ["Value"] = "foundation" },
                    new Dictionary<string, object> { ["Key"] = "CostCenter", ["Value"] = "ml-42" },
                    new Dictionary<string, object> { ["Key"] = "Project", ["Value"] = "llm-serving" },
                }),
            });
    }

    [Fact]
    public void Log_retention_and_removal_policy_reach_every_log_group()
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps { LogRetention = RetentionDays.ONE_MONTH, RemovalPolicy = RemovalPolicy.DESTROY }));
        var groups = template.Resources("AWS::Logs::LogGroup");
        Assert.Equal(3, groups.Count); // flow logs, trail, cost-allocation tag function
        Assert.All(groups, g => Assert.Equal(30, g.Value["Properties"]!["RetentionInDays"]!.GetValue<int>()));
        Assert.All(groups, g => Assert.Equal("Delete", g.Value["DeletionPolicy"]!.GetValue<string>()));
    }

    [Fact]
    public void Alarm_email_subscribes_to_the_alarm_topic()
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps { AlarmEmail = "ops@example.com" }));
        template.HasResourceProperties("AWS::SNS::Subscription", new Dictionary<string, object> { ["Endpoint"] = "ops@example.com" });
    }

    [Fact]
    public void An_organization_trail_stated_explicitly_replaces_the_platforms_own()
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps { ExistingOrganizationTrailArn = "arn:aws:cloudtrail:us-east-1:222222222222:trail/org" }));
        template.ResourceCountIs("AWS::CloudTrail::Trail", 0);
    }

    [Theory]
    [InlineData(true, false)]  // the trail bucket logs into the access-log bucket: cdk-nag counts that bucket as logged
    [InlineData(false, true)]  // nothing in its stack logs into it (the workload buckets are elsewhere): exempted, with the reason
    public void The_access_log_bucket_is_exempted_from_logging_itself_only_when_no_bucket_of_its_stack_logs_into_it(bool ownTrail, bool exempted)
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps
        {
            ExistingOrganizationTrailArn = ownTrail ? null : "arn:aws:cloudtrail:us-east-1:222222222222:trail/org",
        }));
        var metadata = template.Resources("AWS::S3::Bucket").Single(b => b.Key.StartsWith("PlatformAccessLogs")).Value["Metadata"].Text();
        Assert.Equal(exempted, metadata.Contains("\"AwsSolutions-S1\""));
        Assert.Equal(exempted, metadata.Contains("\"NIST.800.53.R5-S3BucketLoggingEnabled\""));
        Assert.Contains("S3DefaultEncryptionKMS", metadata); // SSE-S3 either way
    }

    [Fact]
    public void Organization_trail_and_trail_options_together_fail_synthesis()
    {
        var message = Synth.ErrorOf(() => new ModelPlatform(Synth.NewStack(), "Platform", new ModelPlatformProps
        {
            ExistingOrganizationTrailArn = "arn:aws:cloudtrail:us-east-1:222222222222:trail/org",
            TrailOptions = new AuditTrailProps(),
        }));
        Assert.StartsWith("Test/Platform: ModelPlatformProps: TrailOptions configure a trail the platform creates", message);
    }

    [Fact]
    public void A_malformed_organization_trail_ARN_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => new ModelPlatform(Synth.NewStack(), "Platform", new ModelPlatformProps { ExistingOrganizationTrailArn = "org-trail" }));
        Assert.StartsWith("Test/Platform: ModelPlatformProps.ExistingOrganizationTrailArn = 'org-trail' is not a trail ARN", message);
    }

    [Fact]
    public void A_project_name_that_cannot_be_a_tag_value_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => new ModelPlatform(Synth.NewStack(), "Platform", new ModelPlatformProps { ProjectName = "llm<serving>" }));
        Assert.StartsWith("Test/Platform: ModelPlatformProps.ProjectName = 'llm<serving>' cannot be an AWS tag value", message);
    }

    [Fact]
    public void An_existing_network_and_key_are_used_instead_of_new_ones()
    {
        var template = Synth.Template(s =>
        {
            var vpc = Vpc.FromVpcAttributes(s, "Existing", new VpcAttributes
            {
                VpcId = "vpc-123",
                AvailabilityZones = new[] { "eu-west-1a", "eu-west-1b" },
                IsolatedSubnetIds = new[] { "subnet-a", "subnet-b" },
            });
            new ModelPlatform(s, "Platform", new ModelPlatformProps
            {
                Network = PlatformNetwork.FromVpc(vpc),
                Key = PlatformKey.FromKeyArn(s, "Key", "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            });
        });
        template.ResourceCountIs("AWS::EC2::VPC", 0);
        template.ResourceCountIs("AWS::KMS::Key", 0);
        template.ResourceCountIs("AWS::CloudTrail::Trail", 1);
    }

    [Fact]
    public void Network_options_are_applied_with_the_platform_key()
    {
        var template = Synth.Template(s => new ModelPlatform(s, "Platform", new ModelPlatformProps { NetworkOptions = new PlatformNetworkProps { AllowInternetEgress = true } }));
        template.ResourceCountIs("AWS::EC2::NatGateway", 2);
        template.ResourceCountIs("AWS::KMS::Key", 1);
    }

    private sealed class Workload(Construct scope, string id, PlatformConstructProps props) : PlatformConstruct(scope, id, props, "inference");

    [Fact]
    public void A_workload_given_no_platform_creates_its_own_secure_one_tagged_as_foundation()
    {
        var template = Synth.Template(s => new Workload(s, "Llm", new PlatformConstructProps()));
        template.ResourceCountIs("AWS::KMS::Key", 1);
        template.ResourceCountIs("AWS::CloudTrail::Trail", 1);
        template.ResourceCountIs("AWS::EC2::VPC", 1);
        template.ResourceCountIs("AWS::SNS::Topic", 1);
        template.AllResourcesProperties("AWS::EC2::VPC", new Dictionary<string, object>
        {
            // The private platform's resources are foundation costs, as they would be in a shared platform.
            ["Tags"] = Match.ArrayWith(new object[]
            {
                new Dictionary<string, object> { ["Key"] = "Component", ["Value"] = "foundation" },
                new Dictionary<string, object> { ["Key"] = "Project", ["Value"] = "AwsModelPlatform" },
            }),
        });
    }

    [Fact]
    public void Workloads_given_a_platform_share_it_and_create_none()
    {
        var template = Synth.Template(s =>
        {
            var platform = new ModelPlatform(s, "Platform");
            new Workload(s, "A", new PlatformConstructProps { Platform = platform });
            new Workload(s, "B", new PlatformConstructProps { Platform = platform });
        });
        template.ResourceCountIs("AWS::KMS::Key", 1);
        template.ResourceCountIs("AWS::CloudTrail::Trail", 1);
    }

    [Fact]
    public void A_workload_given_both_a_platform_and_standalone_options_fails_synthesis()
    {
        var stack = Synth.NewStack();
        var platform = new ModelPlatform(stack, "Platform");
        var message = Synth.ErrorOf(() => new Workload(stack, "A", new PlatformConstructProps { Platform = platform, StandaloneOptions = new ModelPlatformProps() }));
        Assert.Equal("Test/A: WorkloadProps: StandaloneOptions configure the platform the construct creates when Platform is not given; set only one of them.", message);
    }
}
