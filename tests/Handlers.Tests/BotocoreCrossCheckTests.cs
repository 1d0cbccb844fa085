using System.Diagnostics;
using System.Text.Json;
using AwsModelPlatform.Handlers.Tests.Fakes;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// botocore (an independent SigV4 signer and event-stream decoder) against the fake SageMaker Runtime: if botocore's
/// signatures verify and botocore decodes the fake's frames, then the handler — verified by the same fake and
/// decoding the same frames — agrees with botocore on both wire formats.
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class BotocoreCrossCheckTests(HandlerFixture f)
{
    private const string Script = """
import json, sys, boto3, botocore
url, key, secret = sys.argv[1], sys.argv[2], sys.argv[3]
c = boto3.client('sagemaker-runtime', endpoint_url=url, region_name='us-east-1', aws_access_key_id=key, aws_secret_access_key=secret,
                 config=botocore.config.Config(retries={'max_attempts': 1}))
out = {}
try:
    r = c.invoke_endpoint(EndpointName='echo', Body=b'{"from":"botocore"}', ContentType='application/json', CustomAttributes='botocore=1')
    out['sync'] = r['Body'].read().decode()
    out['variant'] = r.get('InvokedProductionVariant')
    s = c.invoke_endpoint_with_response_stream(EndpointName='sse', Body=b'{}', ContentType='application/json')
    out['stream'] = [e['PayloadPart']['Bytes'].decode() for e in s['Body'] if 'PayloadPart' in e]
    out['contentType'] = s.get('ContentType')
    try:
        s = c.invoke_endpoint_with_response_stream(EndpointName='stream-model-error', Body=b'{}', ContentType='application/json')
        for e in s['Body']: pass
        out['streamError'] = None
    except botocore.exceptions.EventStreamError as e:
        out['streamError'] = e.response['Error']['Code']
    try:
        c.invoke_endpoint(EndpointName='model-error', Body=b'{}', ContentType='application/json')
    except c.exceptions.ModelError as e:
        out['modelError'] = e.response.get('OriginalStatusCode')
except botocore.exceptions.ClientError as e:
    out['error'] = e.response['Error']['Code']
print(json.dumps(out))
""";

    private static async Task<JsonElement> RunBotocore(Uri url, string secret)
    {
        var start = new ProcessStartInfo("python3", ["-c", Script, url.ToString(), FakeSageMakerRuntime.AccessKey, secret])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "botocore script timed out");
        Assert.True(p.ExitCode == 0, await stderr);
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }

    [Fact]
    public async Task Botocore_signatures_verify_and_botocore_decodes_the_event_stream()
    {
        var seen = await RunBotocore(f.SageMaker.Url, FakeSageMakerRuntime.SecretKey);
        Assert.False(seen.TryGetProperty("error", out var error), $"botocore was refused: {error}");
        Assert.Equal("{\"from\":\"botocore\"}", seen.GetProperty("sync").GetString());
        Assert.Equal("AllTraffic", seen.GetProperty("variant").GetString());
        Assert.Equal("data: alpha\n\ndata: beta\n\ndata: gamma\n\ndata: delta\n\n", string.Concat(seen.GetProperty("stream").EnumerateArray().Select(e => e.GetString())));
        Assert.Equal("text/event-stream", seen.GetProperty("contentType").GetString());
        Assert.Equal("ModelStreamError", seen.GetProperty("streamError").GetString());
        Assert.Equal(400, seen.GetProperty("modelError").GetInt32());
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_verifier()
    {
        var seen = await RunBotocore(f.SageMaker.Url, "not-the-secret-key-0000000000000000000000");
        Assert.Equal("InvalidSignatureException", seen.GetProperty("error").GetString());
    }
}
