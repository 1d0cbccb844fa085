using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Tests.Fakes;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// The typed SageMaker control-plane client against the fake control plane (SigV4-verified, JSON 1.1), and botocore
/// making the same calls: the fake records both, so the client's requests are compared with botocore's, field by field.
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class SageMakerClientTests(HandlerFixture f)
{
    [Fact]
    public async Task An_async_endpoint_at_zero_instances_is_woken_by_its_variants_desired_instance_count()
    {
        var client = f.ControlPlaneClient();
        var before = await client.DescribeEndpointAsync("async-sleeper", CancellationToken.None);
        var variant = Assert.Single(before.ProductionVariants);
        Assert.Equal("AllTraffic", variant.VariantName);

        var arn = await client.UpdateEndpointWeightsAndCapacitiesAsync("async-sleeper", "AllTraffic", 1, CancellationToken.None);
        Assert.Equal(FakeCapacity.Arn("endpoint", "async-sleeper"), arn.EndpointArn);
        var updating = await client.DescribeEndpointAsync("async-sleeper", CancellationToken.None);
        Assert.Equal("Updating", updating.EndpointStatus);
        Assert.Equal(1, updating.ProductionVariants[0].DesiredInstanceCount);

        DescribeEndpointResponse after;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            await Task.Delay(100);
            after = await client.DescribeEndpointAsync("async-sleeper", CancellationToken.None);
        } while (after.EndpointStatus != "InService" && DateTime.UtcNow < deadline);
        Assert.Equal("InService", after.EndpointStatus);
        Assert.Equal(1, after.ProductionVariants[0].CurrentInstanceCount);
        // With instance pools, the instances are counted per type.
        Assert.Equal(["ml.g6e.2xlarge", "ml.g5.2xlarge"], after.ProductionVariants[0].InstancePools!.Select(p => p.InstanceType));
        Assert.Equal(1, after.ProductionVariants[0].InstancePools![0].CurrentInstanceCount);
        f.Capacity.Endpoints["async-sleeper"].SetDesired(0, DateTimeOffset.UtcNow.AddSeconds(-1));
    }

    [Fact]
    public async Task A_missing_component_or_endpoint_is_not_found_with_sagemakers_request_id()
    {
        var client = f.ControlPlaneClient();
        var component = await Assert.ThrowsAsync<SageMakerApiException>(() => client.DescribeInferenceComponentAsync("no-such-component", CancellationToken.None));
        Assert.True(component.IsNotFound, component.Message);
        Assert.False(component.IsRetryable);
        Assert.Equal(("ValidationException", 400), (component.ErrorType, component.StatusCode));
        Assert.False(string.IsNullOrEmpty(component.RequestId));
        var endpoint = await Assert.ThrowsAsync<SageMakerApiException>(() => client.UpdateEndpointWeightsAndCapacitiesAsync("no-such-endpoint", "AllTraffic", 1, CancellationToken.None));
        Assert.True(endpoint.IsNotFound, endpoint.Message);
    }

    [Fact]
    public async Task A_request_signed_with_the_wrong_secret_is_refused_by_the_control_plane()
    {
        var client = f.ControlPlaneClient(secret: "not-the-secret-key-0000000000000000000000");
        var e = await Assert.ThrowsAsync<SageMakerApiException>(() => client.DescribeInferenceComponentAsync("sleepy-echo", CancellationToken.None));
        Assert.Equal((403, "InvalidSignatureException"), (e.StatusCode, e.ErrorType));
    }

    [Fact]
    public void Control_plane_errors_are_read_from_the_json_1_1_type_and_message()
    {
        Assert.True(new SageMakerApiException(400, "ThrottlingException", "Rate exceeded").IsRetryable);
        Assert.True(new SageMakerApiException(500, "InternalFailure", "x").IsRetryable);
        Assert.True(new SageMakerApiException(400, "ResourceLimitExceeded", "x").IsLimitExceeded);
        Assert.False(new SageMakerApiException(400, "ValidationException", "Value at 'copyCount' failed").IsNotFound);
    }

    private const string Botocore = """
import json, sys, boto3, botocore
url, key, secret = sys.argv[1], sys.argv[2], sys.argv[3]
c = boto3.client('sagemaker', endpoint_url=url, region_name='us-east-1', aws_access_key_id=key, aws_secret_access_key=secret,
                 config=botocore.config.Config(retries={'max_attempts': 1}))
out = {}
out['update'] = c.update_inference_component_runtime_config(InferenceComponentName='sleepy-echo', DesiredRuntimeConfig={'CopyCount': 2})['InferenceComponentArn']
d = c.describe_inference_component(InferenceComponentName='sleepy-echo')
out['describe'] = {'status': d['InferenceComponentStatus'], 'runtime': d['RuntimeConfig'], 'created': d['CreationTime'].isoformat()}
out['weights'] = c.update_endpoint_weights_and_capacities(EndpointName='async-sleeper', DesiredWeightsAndCapacities=[{'VariantName': 'AllTraffic', 'DesiredInstanceCount': 2}])['EndpointArn']
e = c.describe_endpoint(EndpointName='async-sleeper')
out['endpoint'] = {'status': e['EndpointStatus'], 'pools': [p['InstanceType'] for p in e['ProductionVariants'][0]['InstancePools']]}
try:
    c.describe_inference_component(InferenceComponentName='no-such-component')
except botocore.exceptions.ClientError as x:
    out['missing'] = x.response['Error']['Code']
print(json.dumps(out))
""";

    [Fact]
    public async Task The_clients_requests_are_the_ones_botocore_sends_and_botocore_reads_the_fakes_answers()
    {
        f.Capacity.Components["sleepy-echo"].Sleep();
        var start = new ProcessStartInfo("python3", ["-c", Botocore, f.SageMakerApi.Url.ToString(), FakeSageMakerRuntime.AccessKey, FakeSageMakerRuntime.SecretKey])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        var before = f.SageMakerApi.Calls.Count;
        using (var p = Process.Start(start)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(60_000), "botocore timed out");
            Assert.True(p.ExitCode == 0, await stderr);
            var seen = JsonDocument.Parse(await stdout).RootElement;
            Assert.Equal(FakeCapacity.Arn("inference-component", "sleepy-echo"), seen.GetProperty("update").GetString());
            Assert.Equal("Updating", seen.GetProperty("describe").GetProperty("status").GetString());
            Assert.Equal(2, seen.GetProperty("describe").GetProperty("runtime").GetProperty("DesiredCopyCount").GetInt32());
            Assert.Equal(["ml.g6e.2xlarge", "ml.g5.2xlarge"], seen.GetProperty("endpoint").GetProperty("pools").EnumerateArray().Select(x => x.GetString()));
            Assert.Equal("ValidationException", seen.GetProperty("missing").GetString());
        }
        var fromBotocore = f.SageMakerApi.Calls.Skip(before).Take(5).ToList();

        var client = f.ControlPlaneClient();
        var mark = f.SageMakerApi.Calls.Count;
        await client.UpdateInferenceComponentRuntimeConfigAsync("sleepy-echo", 2, CancellationToken.None);
        await client.DescribeInferenceComponentAsync("sleepy-echo", CancellationToken.None);
        await client.UpdateEndpointWeightsAndCapacitiesAsync("async-sleeper", "AllTraffic", 2, CancellationToken.None);
        await client.DescribeEndpointAsync("async-sleeper", CancellationToken.None);
        await Assert.ThrowsAsync<SageMakerApiException>(() => client.DescribeInferenceComponentAsync("no-such-component", CancellationToken.None));
        var fromClient = f.SageMakerApi.Calls.Skip(mark).Take(5).ToList();

        Assert.Equal(5, fromBotocore.Count);
        Assert.Equal(5, fromClient.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(fromBotocore[i].Target, fromClient[i].Target);
            Assert.Equal(fromBotocore[i].ContentType, fromClient[i].ContentType);
            Assert.True(JsonNode.DeepEquals(fromBotocore[i].Body, fromClient[i].Body),
                $"{fromClient[i].Target}: botocore sent {fromBotocore[i].Body.ToJsonString()}, the client {fromClient[i].Body.ToJsonString()}");
        }
        f.Capacity.Components["sleepy-echo"].Sleep();
        f.Capacity.Endpoints["async-sleeper"].SetDesired(0, DateTimeOffset.UtcNow.AddSeconds(-1));
    }
}
