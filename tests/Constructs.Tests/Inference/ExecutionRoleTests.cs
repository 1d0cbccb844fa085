using System.Text.Json.Nodes;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>The model's execution role holds exactly what the model needs, and <c>GrantInvoke</c> exactly the three invoke actions.</summary>
[Collection(EndpointTemplates.Collection)]
public class ExecutionRoleTests
{
    private readonly EndpointTemplates _t;
    public ExecutionRoleTests(EndpointTemplates t) => _t = t;

    private static List<JsonNode> Statements(Amazon.CDK.Assertions.Template template, string policyPrefix) =>
        template.Resources("AWS::IAM::Policy").Single(p => p.Key.StartsWith(policyPrefix)).Value["Properties"]!["PolicyDocument"]!["Statement"]!
            .AsArray().Select(s => s!).ToList();

    private static JsonNode Sid(List<JsonNode> statements, string sid) => statements.Single(s => s["Sid"]?.GetValue<string>() == sid);

    [Fact]
    public void Role_is_assumed_by_SageMaker_and_has_no_managed_policy()
    {
        var role = _t.RealTime.Resources("AWS::IAM::Role").Single(r => r.Key.StartsWith("LlmExecutionRole")).Value["Properties"]!;
        Assert.Contains("sagemaker.amazonaws.com", role["AssumeRolePolicyDocument"].Text());
        Assert.Null(role["ManagedPolicyArns"]);
    }

    [Fact]
    public void Image_pull_is_limited_to_the_images_repository()
    {
        var pull = Sid(Statements(_t.RealTime, "LlmExecutionRoleDefaultPolicy"), "PullModelImage");
        Assert.Contains("arn:", pull["Resource"].Text());
        Assert.Contains(":ecr:us-east-1:763104351884:repository/huggingface-pytorch-tgi-inference", pull["Resource"].Text());
        Assert.Equal("""["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]""", pull["Action"].Text());
        var ecrRepo = Sid(Statements(_t.Components, "LlmExecutionRoleDefaultPolicy"), "PullModelImage");
        Assert.Contains(":repository/llm-server", ecrRepo["Resource"].Text());
    }

    [Fact]
    public void Model_data_read_is_limited_to_the_prefix_or_the_archive()
    {
        var prefix = Statements(_t.RealTime, "LlmExecutionRoleDefaultPolicy");
        Assert.Contains(":s3:::my-models/llama-3-8b/*", Sid(prefix, "ReadModelData")["Resource"].Text());
        Assert.Contains("llama-3-8b/*", Sid(prefix, "ListModelData")["Condition"].Text());
        var archive = Statements(_t.Components, "LlmExecutionRoleDefaultPolicy");
        Assert.Contains(":s3:::my-models/llm/model.tar.gz", Sid(archive, "ReadModelData")["Resource"].Text());
        Assert.DoesNotContain(archive, s => s["Sid"]?.GetValue<string>() == "ListModelData");
    }

    [Fact]
    public void No_S3_or_KMS_action_is_granted_on_every_resource_and_no_FullAccess_policy_exists()
    {
        var all = Statements(_t.RealTime, "LlmExecutionRoleDefaultPolicy");
        foreach (var statement in all.Where(s => s["Resource"].Text() == "\"*\""))
            Assert.DoesNotMatch("\"(s3|kms|sagemaker):", statement["Action"].Text());
        Assert.DoesNotContain("FullAccess", _t.RealTime.Json().ToJsonString());
        Assert.Contains("PlatformKey", Sid(all, "UsePlatformKey")["Resource"].Text());
    }

    [Fact]
    public void Logs_are_limited_to_writing_streams_of_the_endpoints_pre_created_log_group()
    {
        foreach (var (name, template) in _t.All)
        {
            var statements = Statements(template, name == "Async" ? "BatchyExecutionRoleDefaultPolicy" : name == "Serverless" ? "SmallExecutionRoleDefaultPolicy" : "LlmExecutionRoleDefaultPolicy");
            var logs = Sid(statements, "EndpointLogs");
            Assert.Equal("""["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"]""", logs["Action"].Text());
            Assert.Contains(":log-group:/aws/sagemaker/Endpoints/", logs["Resource"].Text());
            // The template creates the group (encrypted, expiring): the role cannot create one of its own.
            Assert.DoesNotContain("logs:CreateLogGroup", template.Json().ToJsonString());
        }
        Assert.Contains("log-group:/aws/sagemaker/Endpoints/test-llm-d84518bd:*", Sid(Statements(_t.RealTime, "LlmExecutionRoleDefaultPolicy"), "EndpointLogs")["Resource"].Text());
    }

    [Fact]
    public void Model_waits_for_its_role_policy()
    {
        var model = _t.RealTime.Single("AWS::SageMaker::Model");
        Assert.Contains("LlmExecutionRoleDefaultPolicy", model["DependsOn"].Text());
    }

    [Fact]
    public void GrantInvoke_gives_exactly_the_three_invoke_actions_on_the_endpoint()
    {
        var statement = Assert.Single(Statements(_t.RealTime, "CallerDefaultPolicy"));
        Assert.Equal("""["sagemaker:InvokeEndpoint","sagemaker:InvokeEndpointAsync","sagemaker:InvokeEndpointWithResponseStream"]""", statement["Action"].Text());
        Assert.Contains(":endpoint/test-llm-d84518bd", statement["Resource"].Text());
        Assert.DoesNotContain("inference-component", statement["Resource"].Text());
    }

    [Fact]
    public void GrantInvoke_covers_the_inference_components_too()
    {
        var statement = Assert.Single(Statements(_t.Components, "CallerDefaultPolicy"));
        var resources = statement["Resource"]!.AsArray();
        Assert.Equal(2, resources.Count);
        Assert.Contains(":endpoint/test-llm-d84518bd", resources[0].Text());
        Assert.Contains(":inference-component/test-llm-d84518bd-model", resources[1].Text());
    }

    [Fact]
    public void Imported_endpoint_grants_invoke_on_its_lower_case_ARN()
    {
        var template = Synth.Template(s =>
        {
            var endpoint = Constructs.Inference.GpuModelEndpoint.FromEndpointName(s, "Shared", "Team-LLM", new[] { "chat" });
            endpoint.GrantInvoke(new Amazon.CDK.AWS.IAM.Role(s, "Caller", new Amazon.CDK.AWS.IAM.RoleProps { AssumedBy = new Amazon.CDK.AWS.IAM.ServicePrincipal("lambda.amazonaws.com") }));
            Assert.Equal("Team-LLM", endpoint.EndpointName);
            Assert.False(endpoint.IsAsync);
        });
        var statement = Assert.Single(Statements(template, "CallerDefaultPolicy"));
        Assert.Contains(":endpoint/team-llm", statement["Resource"].Text());
        Assert.Contains(":inference-component/chat", statement["Resource"].Text());
        Assert.Contains("sagemaker:InvokeEndpointWithResponseStream", statement["Action"].Text());
    }

    [Fact]
    public void Importing_an_invalid_endpoint_name_fails_synthesis()
    {
        var message = Synth.ErrorOf(() => Constructs.Inference.GpuModelEndpoint.FromEndpointName(Synth.NewStack(), "Shared", "team_llm"));
        Assert.Equal("Test/Shared: GpuModelEndpoint.FromEndpointName: endpointName = 'team_llm' is not a SageMaker endpoint name: 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.", message);
    }
}
