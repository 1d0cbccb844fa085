using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using AwsModelPlatform.Handlers.Tests.Fakes;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// One AWS account in moto with authentication on: the given buckets, a KMS key (the platform key), a user "handler"
/// whose only policy is the function role's synthesized policy, and a user "admin" allowed everything (the tests' own
/// infrastructure: stand-ins forwarding what the policy allowed, setup, reading back). moto is started with
/// <c>INITIAL_NO_AUTH_ACTION_COUNT</c> equal to exactly the setup's calls, so every later call is authenticated and
/// authorized: an unknown key or a bad signature is refused, and S3 calls are judged against the user's policy.
/// </summary>
public sealed class MotoAccount : IDisposable
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";

    /// <summary>The policy is resolved with this key ARN; moto_account.py setup replaces it with the ARN of the key it creates.</summary>
    public const string PlaceholderKeyArn = "arn:aws:kms:us-east-1:123456789012:key/platform-key-placeholder";

    public MotoServer Moto { get; }
    public string KeyArn { get; }
    public (string Id, string Secret) HandlerKey { get; }
    public (string Id, string Secret) AdminKey { get; }
    public int SetupCalls { get; }

    private MotoAccount(MotoServer moto, JsonNode setup)
    {
        Moto = moto;
        SetupCalls = setup["calls"]!.GetValue<int>();
        KeyArn = setup["keyArn"]!.GetValue<string>();
        HandlerKey = (setup["handler"]!["id"]!.GetValue<string>(), setup["handler"]!["secret"]!.GetValue<string>());
        AdminKey = (setup["admin"]!["id"]!.GetValue<string>(), setup["admin"]!["secret"]!.GetValue<string>());
    }

    /// <summary>Starts moto and sets the account up; <paramref name="policy"/> may name <see cref="PlaceholderKeyArn"/>.</summary>
    public static async Task<MotoAccount> StartAsync(IEnumerable<string> buckets, JsonObject policy)
    {
        var spec = new JsonObject
        {
            ["buckets"] = new JsonArray(buckets.Select(b => (JsonNode)b).ToArray()),
            ["policy"] = policy.DeepClone(),
            ["keyArnPlaceholder"] = PlaceholderKeyArn,
        };
        // First count the calls the setup makes (a dry run against a throw-away moto), then start the real one with
        // exactly that many unauthenticated calls.
        int calls;
        using (var dry = await MotoServer.StartAsync(new Dictionary<string, string> { ["INITIAL_NO_AUTH_ACTION_COUNT"] = "1000" }))
            calls = JsonNode.Parse(Setup(dry.Url, spec))!["calls"]!.GetValue<int>();
        var moto = await MotoServer.StartAsync(new Dictionary<string, string> { ["INITIAL_NO_AUTH_ACTION_COUNT"] = calls.ToString() });
        try
        {
            return new MotoAccount(moto, JsonNode.Parse(Setup(moto.Url, spec))!);
        }
        catch
        {
            moto.Dispose();
            throw;
        }
    }

    public IAmazonS3 S3((string Id, string Secret) key) =>
        new AmazonS3Client(new BasicAWSCredentials(key.Id, key.Secret), new AmazonS3Config { ServiceURL = Moto.Url.ToString(), ForcePathStyle = true, AuthenticationRegion = Region });

    /// <summary>A PutObject under the platform key with the handler user's keys, as moto's S3 answers it: 200, or the refusal's status.</summary>
    public async Task<HttpStatusCode> PutAsHandlerAsync(string bucket, string key)
    {
        using var s3 = S3(HandlerKey);
        try
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "x", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = KeyArn });
            return HttpStatusCode.OK;
        }
        catch (AmazonS3Exception e)
        {
            return e.StatusCode;
        }
    }

    /// <summary>Enforcement is on: an unknown access key is refused, and the handler user may not even list buckets.</summary>
    public async Task AssertEnforcedAsync()
    {
        using (var stranger = S3(("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")))
            Assert.Equal("InvalidAccessKeyId", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => stranger.ListBucketsAsync())).ErrorCode);
        using var handler = S3(HandlerKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => handler.ListBucketsAsync())).StatusCode);
    }

    /// <summary>The environment every handler of a loop runs with: the handler user's keys, AWS endpoints at moto.</summary>
    public Dictionary<string, string> HandlerEnvironment() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = HandlerKey.Id,
        ["AWS_SECRET_ACCESS_KEY"] = HandlerKey.Secret,
        ["AWS_REGION"] = Region,
        ["Aws__ServiceUrls__S3"] = Moto.Url.ToString(),
        ["Aws__ServiceUrls__Kms"] = Moto.Url.ToString(),
    };

    /// <summary>Runs tests/SampleApp.Tests/moto_account.py setup.</summary>
    private static string Setup(Uri moto, JsonObject spec)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(BuiltSampleApp.RepoRoot, "tests", "SampleApp.Tests", "moto_account.py"));
        start.ArgumentList.Add("setup");
        start.ArgumentList.Add(moto.ToString());
        using var process = Process.Start(start)!;
        process.StandardInput.Write(spec.ToJsonString());
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000)) { process.Kill(true); throw new TimeoutException("moto_account.py setup"); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"moto_account.py setup failed:\n{stderr.Result}");
        return stdout.Result;
    }

    public void Dispose() => Moto.Dispose();
}
