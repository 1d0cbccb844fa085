using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>
/// An endpoint of another stack or app, imported with <c>FromEndpointAttributes</c>: an async one carries its payload
/// bucket, and is granted exactly what the endpoint grants itself.
/// </summary>
public class ImportedEndpointTests
{
    private const string Account = "111122223333";
    private const string Region = "eu-west-1";
    private const string KeyArn = $"arn:aws:kms:{Region}:{Account}:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static Stack NewStack(string id) =>
        new(new App(), id, new StackProps { Env = new Amazon.CDK.Environment { Account = Account, Region = Region } });

    private static Role NewRole(Stack stack) => new(stack, "Api", new RoleProps { AssumedBy = new ServicePrincipal("lambda.amazonaws.com") });

    private static AsyncPayloadBucket PayloadsIn(Stack stack, string bucketName = "team-async-payloads") =>
        new() { Bucket = Bucket.FromBucketName(stack, "Data", bucketName), Key = Key.FromKeyArn(stack, "Key", KeyArn) };

    private static JsonNode TemplateOf(Stack stack) => Amazon.CDK.Assertions.Template.FromStack(stack).Json();

    private static JsonArray GrantStatements(JsonNode template) =>
        template["Resources"]!.AsObject().Single(r => r.Key.StartsWith("ApiDefaultPolicy")).Value!["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();

    private static string LogicalIdOf(JsonNode template, string type, string prefix) =>
        template["Resources"]!.AsObject().Single(r => r.Value!["Type"]!.GetValue<string>() == type && r.Key.StartsWith(prefix)).Key;

    [Fact]
    public void An_imported_async_endpoint_grants_the_API_the_same_statements_as_the_endpoint_itself()
    {
        // The endpoint, in its own app.
        var models = NewStack("Models");
        var endpoint = new GpuModelEndpoint(models, "Batch", new GpuModelEndpointProps
        {
            Image = ModelImage.FromImageUri($"763104351884.dkr.ecr.{Region}.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04"),
            Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge", MinInstances = 0, MaxInstances = 1, Async = new AsyncInference() },
        });
        endpoint.GrantAsyncPayloads(NewRole(models));
        var own = TemplateOf(models);
        var bucket = LogicalIdOf(own, "AWS::S3::Bucket", "BatchData");
        var bucketName = Resolve(own["Resources"]![bucket]!["Properties"]!["BucketName"]!, new()).GetValue<string>();

        // The same endpoint imported by another app, from what its owners publish: name, bucket name, key ARN.
        var api = NewStack("Api");
        var imported = GpuModelEndpoint.FromEndpointAttributes(api, "Batch", new GpuModelEndpointAttributes { EndpointName = endpoint.EndpointName, Async = PayloadsIn(api, bucketName) });
        imported.GrantAsyncPayloads(NewRole(api));

        // The endpoint's own grant names its bucket and key by reference; resolved, they are the literals the import names.
        var resolved = Resolve(GrantStatements(own), new() { [bucket] = $"arn:aws:s3:::{bucketName}", [LogicalIdOf(own, "AWS::KMS::Key", "")] = KeyArn });
        Assert.Equal(4, resolved.AsArray().Count);
        Assert.Contains($"arn:aws:s3:::{bucketName}/async-input/*", resolved.ToJsonString());
        Assert.Equal(resolved.ToJsonString(), Resolve(GrantStatements(TemplateOf(api)), new()).ToJsonString());
    }

    [Fact]
    public void An_imported_async_endpoint_is_async_and_serves_InvokeEndpointAsync_only()
    {
        var stack = NewStack("Api");
        var payloads = PayloadsIn(stack);
        var imported = GpuModelEndpoint.FromEndpointAttributes(stack, "Batch", new GpuModelEndpointAttributes { EndpointName = "team-batch", Async = payloads });
        Assert.True(imported.IsAsync);
        Assert.Equal(EndpointInvocations.Async, imported.Invocations);
        Assert.Same(payloads, imported.AsyncPayloads);
        Assert.Equal(new[] { "async-input/requests/", "async-output/", "async-failures/" }, imported.AsyncPayloads!.PrefixesReadBeforeTheyExist);
    }

    [Fact]
    public void An_imported_endpoints_own_prefixes_scope_the_grant()
    {
        var stack = NewStack("Api");
        var imported = GpuModelEndpoint.FromEndpointAttributes(stack, "Batch", new GpuModelEndpointAttributes
        {
            EndpointName = "team-batch",
            Async = PayloadsIn(stack) with { InputPrefix = "queue/in/", OutputPrefix = "queue/out/", FailurePrefix = "queue/errors/" },
        });
        imported.GrantAsyncPayloads(NewRole(stack));
        var statements = GrantStatements(TemplateOf(stack));
        Assert.Contains("team-async-payloads/queue/in/*", statements[0]!["Resource"].Text());
        Assert.Contains("team-async-payloads/queue/out/*", statements[1]!["Resource"].Text());
        Assert.Contains("team-async-payloads/queue/errors/*", statements[1]!["Resource"].Text());
        Assert.Equal("""{"StringLike":{"s3:prefix":["queue/in/requests/*","queue/out/*","queue/errors/*"]}}""", statements[2]!["Condition"].Text());
    }

    [Fact]
    public void Without_a_payload_bucket_an_import_is_synchronous_and_refuses_GrantAsyncPayloads()
    {
        var stack = NewStack("Api");
        var imported = GpuModelEndpoint.FromEndpointAttributes(stack, "Llm", new GpuModelEndpointAttributes { EndpointName = "team-llm" });
        Assert.False(imported.IsAsync);
        Assert.Null(imported.AsyncPayloads);
        Assert.Equal(EndpointInvocations.Sync | EndpointInvocations.Stream, imported.Invocations);
        var error = Assert.Throws<InvalidOperationException>(() => imported.GrantAsyncPayloads(new AnyPrincipal()));
        Assert.Equal("Api/Llm: imported endpoint team-llm is not async: import it with GpuModelEndpoint.FromEndpointAttributes and its Async payload bucket.", error.Message);
    }

    [Theory]
    [InlineData("async-input", "async-output/", "GpuModelEndpointAttributes.Async.InputPrefix = 'async-input' is not an S3 prefix a grant can be scoped by")]
    [InlineData("async-input/", "async-*/", "GpuModelEndpointAttributes.Async.OutputPrefix = 'async-*/' is not an S3 prefix a grant can be scoped by")]
    [InlineData("async-input/", "async-input/results/", "GpuModelEndpointAttributes.Async.OutputPrefix = 'async-input/results/' lies under InputPrefix = 'async-input/'")]
    [InlineData("queue/", "queue/", "GpuModelEndpointAttributes.Async.InputPrefix = 'queue/' lies under OutputPrefix = 'queue/'")]
    public void Async_prefixes_that_a_grant_cannot_keep_apart_are_refused(string input, string output, string expected)
    {
        var stack = NewStack("Api");
        var message = Synth.ErrorOf(() => GpuModelEndpoint.FromEndpointAttributes(stack, "Batch", new GpuModelEndpointAttributes
        {
            EndpointName = "team-batch",
            Async = PayloadsIn(stack) with { InputPrefix = input, OutputPrefix = output },
        }));
        Assert.StartsWith("Api/Batch: " + expected, message);
    }

    [Fact]
    public void A_name_known_only_at_deploy_time_stays_a_token_in_the_endpoint_ARN_made_here_or_imported()
    {
        var stack = NewStack("Models");
        var name = new CfnParameter(stack, "Name").ValueAsString;
        var endpoint = new GpuModelEndpoint(stack, "Llm", new GpuModelEndpointProps
        {
            EndpointName = name,
            Image = ModelImage.FromImageUri($"763104351884.dkr.ecr.{Region}.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04"),
            Hosting = new RealTimeHosting { InstanceType = "ml.g5.xlarge" },
        });
        var imported = GpuModelEndpoint.FromEndpointName(stack, "Imported", name);
        foreach (var arn in new[] { endpoint.EndpointArn, imported.EndpointArn })
            Assert.Contains("""{"Ref":"Name"}""", System.Text.Json.JsonSerializer.Serialize(stack.Resolve(arn)));
    }

    // Fn::Join, Ref and Fn::GetAtt …Arn resolved to literals: pseudo parameters by the stack's environment, resources by arns.
    private static JsonNode Resolve(JsonNode node, Dictionary<string, string> arns) => node switch
    {
        JsonObject o when o.ContainsKey("Fn::Join") =>
            JsonValue.Create(string.Join(o["Fn::Join"]![0]!.GetValue<string>(), o["Fn::Join"]![1]!.AsArray().Select(p => Resolve(p!, arns).GetValue<string>())))!,
        JsonObject o when o.ContainsKey("Ref") => JsonValue.Create(o["Ref"]!.GetValue<string>() switch
        {
            "AWS::Partition" => "aws",
            "AWS::URLSuffix" => "amazonaws.com",
            "AWS::Region" => Region,
            "AWS::AccountId" => Account,
            var other => throw new InvalidOperationException($"unresolved Ref {other}"),
        })!,
        JsonObject o when o.ContainsKey("Fn::GetAtt") => JsonValue.Create(arns[o["Fn::GetAtt"]![0]!.GetValue<string>()])!,
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Resolve(kv.Value!, arns)))),
        JsonArray a => new JsonArray(a.Select(i => (JsonNode?)Resolve(i!, arns)).ToArray()),
        _ => node.DeepClone(),
    };
}
