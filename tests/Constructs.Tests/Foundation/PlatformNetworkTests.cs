using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.Logs;
using AwsModelPlatform.Constructs.Foundation;

namespace AwsModelPlatform.Constructs.Tests.Foundation;

public class PlatformNetworkTests
{
    private static Template Default() => Synth.Template(s => new PlatformNetwork(s, "Net"));

    [Fact]
    public void Workloads_get_private_isolated_subnets_in_two_AZs_and_no_NAT_or_internet_gateway()
    {
        var template = Default();
        var subnets = template.Resources("AWS::EC2::Subnet");
        Assert.Equal(2, subnets.Count);
        Assert.All(subnets, s => Assert.False(s.Value["Properties"]!["MapPublicIpOnLaunch"]!.GetValue<bool>()));
        Assert.Equal(2, subnets.Select(s => s.Value["Properties"]!["AvailabilityZone"].Text()).Distinct().Count());
        template.ResourceCountIs("AWS::EC2::NatGateway", 0);
        template.ResourceCountIs("AWS::EC2::InternetGateway", 0);
        Assert.DoesNotContain(template.Resources("AWS::EC2::Route"), r => r.Value.Text().Contains("0.0.0.0/0"));
    }

    [Fact]
    public void S3_is_reached_through_a_gateway_endpoint_and_every_platform_API_through_an_interface_endpoint()
    {
        var endpoints = Default().Resources("AWS::EC2::VPCEndpoint").Select(e => e.Value["Properties"]!).ToList();
        Assert.Single(endpoints, e => e["VpcEndpointType"]?.GetValue<string>() == "Gateway" && e["ServiceName"].Text().Contains(".s3"));
        var interfaces = endpoints.Where(e => e["VpcEndpointType"]?.GetValue<string>() == "Interface").ToList();
        foreach (var service in new[] { "sagemaker.runtime", "sagemaker.api", "batch", "ecs", "ecs-agent", "ecs-telemetry", "ecr.api", "ecr.dkr", "logs", "monitoring", "kms", "sts" })
            Assert.Single(interfaces, e => e["ServiceName"].Text().Contains("." + service + "\""));
        Assert.All(interfaces, e => Assert.True(e["PrivateDnsEnabled"]!.GetValue<bool>()));
    }

    [Fact]
    public void Endpoint_security_group_admits_HTTPS_from_the_VPC_only_and_sends_nothing()
    {
        var group = Default().Resources("AWS::EC2::SecurityGroup").Single(g => g.Value.Text().Contains("VPC interface endpoints")).Value["Properties"]!;
        var ingress = Assert.Single(group["SecurityGroupIngress"]!.AsArray())!;
        Assert.Equal(443, ingress["FromPort"]!.GetValue<int>());
        Assert.Equal(443, ingress["ToPort"]!.GetValue<int>());
        Assert.Equal("10.64.0.0/16", ingress["CidrIp"]!.GetValue<string>()); // the CIDR as given: a template check can read it
        var egress = Assert.Single(group["SecurityGroupEgress"]!.AsArray())!;
        Assert.Equal("255.255.255.255/32", egress["CidrIp"]!.GetValue<string>()); // CDK's "no egress" placeholder
    }

    [Fact]
    public void Default_security_group_is_stripped_of_its_rules()
    {
        Default().ResourceCountIs("Custom::VpcRestrictDefaultSG", 1);
    }

    [Fact]
    public void Flow_logs_record_all_traffic_into_a_KMS_encrypted_log_group_kept_one_year()
    {
        var template = Default();
        template.HasResourceProperties("AWS::EC2::FlowLog", new Dictionary<string, object> { ["TrafficType"] = "ALL", ["LogDestinationType"] = "cloud-watch-logs" });
        var logGroup = template.Single("AWS::Logs::LogGroup");
        Assert.Equal(365, logGroup["Properties"]!["RetentionInDays"]!.GetValue<int>());
        Assert.Contains("Fn::GetAtt", logGroup["Properties"]!["KmsKeyId"].Text());
        Assert.Equal("Retain", logGroup["DeletionPolicy"]!.GetValue<string>());
        Assert.Contains(template.KeyPolicyStatements(), s => s["Sid"]?.GetValue<string>() == "CloudWatchLogsEncryptLogGroups");
    }

    [Fact]
    public void Egress_when_asked_for_adds_NAT_gateways_and_private_subnets_with_egress()
    {
        var template = Synth.Template(s => new PlatformNetwork(s, "Net", new PlatformNetworkProps { AllowInternetEgress = true }));
        template.ResourceCountIs("AWS::EC2::NatGateway", 2);
        template.ResourceCountIs("AWS::EC2::InternetGateway", 1);
    }

    [Fact]
    public void Interface_endpoints_and_AZ_count_can_be_chosen()
    {
        // An environment-agnostic stack only knows 2 AZs; one with an account and region knows 3 (CDK's dummy lookup).
        var stack = new Amazon.CDK.Stack(new Amazon.CDK.App(), "Test", new Amazon.CDK.StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        _ = new PlatformNetwork(stack, "Net", new PlatformNetworkProps
        {
            MaxAzs = 3,
            InterfaceEndpoints = new[] { InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME },
        });
        var template = Template.FromStack(stack);
        Assert.Single(template.Resources("AWS::EC2::VPCEndpoint"), e => e.Value["Properties"]!["VpcEndpointType"]?.GetValue<string>() == "Interface");
        Assert.Equal(3, template.Resources("AWS::EC2::Subnet").Count);
    }

    [Fact]
    public void Fewer_than_two_AZs_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => new PlatformNetwork(Synth.NewStack(), "Net", new PlatformNetworkProps { MaxAzs = 1 }));
        Assert.StartsWith("Test/Net: PlatformNetworkProps.MaxAzs = 1: the platform needs at least 2 Availability Zones", message);
    }

    [Fact]
    public void A_flow_log_retention_that_never_expires_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => new PlatformNetwork(Synth.NewStack(), "Net", new PlatformNetworkProps { FlowLogRetention = RetentionDays.INFINITE }));
        Assert.StartsWith("Test/Net: PlatformNetworkProps.FlowLogRetention = INFINITE is not a bounded retention: logs on this platform always expire; use a RetentionDays", message);
    }

    [Fact]
    public void An_existing_VPC_with_private_subnets_in_two_AZs_can_be_imported()
    {
        var stack = Synth.NewStack();
        var vpc = Vpc.FromVpcAttributes(stack, "Existing", new VpcAttributes
        {
            VpcId = "vpc-123",
            AvailabilityZones = new[] { "eu-west-1a", "eu-west-1b" },
            IsolatedSubnetIds = new[] { "subnet-a", "subnet-b" },
        });
        var network = PlatformNetwork.FromVpc(vpc);
        Assert.Equal(new[] { "subnet-a", "subnet-b" }, network.Vpc.SelectSubnets(network.WorkloadSubnets).SubnetIds);
    }

    [Fact]
    public void Importing_a_VPC_whose_workload_subnets_span_one_AZ_fails_synthesis()
    {
        var stack = Synth.NewStack();
        var vpc = Vpc.FromVpcAttributes(stack, "Existing", new VpcAttributes
        {
            VpcId = "vpc-123",
            AvailabilityZones = new[] { "eu-west-1a" },
            IsolatedSubnetIds = new[] { "subnet-a" },
        });
        var message = Synth.ErrorOf(() => PlatformNetwork.FromVpc(vpc));
        Assert.Contains("span 1 Availability Zone(s); the platform needs at least 2", message);
    }
}
