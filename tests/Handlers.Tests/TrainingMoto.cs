using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Amazon.S3;
using Microsoft.Extensions.Configuration;
using AwsModelPlatform.Handlers.Tests.Fakes;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// The training counterpart in moto: the buckets, two compute environments, the queue, the multi-node queue (as the
/// TrainingJobs construct makes with Spot and the on-demand fallback: multi-node jobs run on the on-demand environment
/// only) and a single-node and a multi-node job definition shaped like the construct's; and a SigV4 Batch client for
/// tests to look at what Batch received.
/// moto runs Batch jobs without Docker here (<c>/moto-api/config</c> <c>batch.use_docker=false</c>): a job is SUCCEEDED
/// the moment it is submitted, so the cancel and terminate branches are covered against a scripted Batch in TrainingJobStopTests.
/// </summary>
public static class TrainingMoto
{
    public const string Queue = "training-queue";
    public const string MultiNodeQueue = "training-multi-node-queue";
    public const string SingleDefinition = "platform-training-finetune";
    public const string MultiNodeDefinition = "platform-training-ddp";
    public const string DatasetsBucket = "training-datasets";
    public const string CheckpointsBucket = "training-checkpoints";
    public const string OutputBucket = "training-output";
    public const string StateBucket = "training-state";
    public const string JobTag = "Training-TrainingJobs-ABCD1234";
    public const int MultiNodeAttemptTimeoutSeconds = 3600;

    public static async Task SetUpAsync(Uri moto, IAmazonS3 s3)
    {
        foreach (var bucket in new[] { DatasetsBucket, CheckpointsBucket, OutputBucket, StateBucket, "other-bucket" }) await s3.PutBucketAsync(bucket);
        using var plain = new HttpClient { BaseAddress = moto };
        (await plain.PostAsync("moto-api/config", new StringContent("{\"batch\":{\"use_docker\":false}}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        using var iam = Signed(moto, "iam");
        using var role = await iam.PostAsync("", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Action"] = "CreateRole", ["Version"] = "2010-05-08", ["RoleName"] = "batch-service-role", ["AssumeRolePolicyDocument"] = "{}",
        }));
        role.EnsureSuccessStatusCode();
        const string roleArn = "arn:aws:iam::123456789012:role/batch-service-role";

        using var batch = Signed(moto, "batch");
        var spot = (await Post(batch, "v1/createcomputeenvironment", new { computeEnvironmentName = "training-spot", type = "UNMANAGED", state = "ENABLED", serviceRole = roleArn })).GetProperty("computeEnvironmentArn").GetString();
        var onDemand = (await Post(batch, "v1/createcomputeenvironment", new { computeEnvironmentName = "training-on-demand", type = "UNMANAGED", state = "ENABLED", serviceRole = roleArn })).GetProperty("computeEnvironmentArn").GetString();
        await Post(batch, "v1/createjobqueue", new { jobQueueName = Queue, state = "ENABLED", priority = 1, computeEnvironmentOrder = new[] { new { order = 1, computeEnvironment = spot }, new { order = 2, computeEnvironment = onDemand } } });
        await Post(batch, "v1/createjobqueue", new { jobQueueName = MultiNodeQueue, state = "ENABLED", priority = 1, computeEnvironmentOrder = new[] { new { order = 1, computeEnvironment = onDemand } } });
        var resources = new[] { new { type = "VCPU", value = "4" }, new { type = "MEMORY", value = "15360" }, new { type = "GPU", value = "1" } };
        var environment = new[] { new { name = "CHECKPOINT_DIR", value = "/opt/ml/checkpoints" }, new { name = "NCCL_DEBUG", value = "WARN" } };
        await Post(batch, "v1/registerjobdefinition", new
        {
            jobDefinitionName = SingleDefinition, type = "container",
            containerProperties = new { image = "training:v1", resourceRequirements = resources, environment },
        });
        await Post(batch, "v1/registerjobdefinition", new
        {
            jobDefinitionName = MultiNodeDefinition, type = "multinode",
            nodeProperties = new { numNodes = 2, mainNode = 0, nodeRangeProperties = new[] { new { targetNodes = "0:", container = new { image = "training:v1", instanceType = "g5.12xlarge", resourceRequirements = resources, environment } } } },
        });
    }

    /// <summary>The handler's Training settings for this moto.</summary>
    internal static TrainingSettings Settings(string keyId) => new()
    {
        JobQueue = Queue,
        MultiNodeJobQueue = MultiNodeQueue,
        JobDefinitions =
        [
            new() { Name = "finetune", BatchName = SingleDefinition }, // its GPUs unconfigured
            // GPUs as the moto definition's; finetune's attempt timeout is unknown, capped by MaxRuntimeSeconds only.
            new() { Name = "ddp", BatchName = MultiNodeDefinition, Nodes = 2, MaxNodes = 4, Gpus = 1, AttemptTimeoutSeconds = MultiNodeAttemptTimeoutSeconds },
        ],
        DatasetsBucket = DatasetsBucket,
        CheckpointsBucket = CheckpointsBucket,
        OutputBucket = OutputBucket,
        StateBucket = StateBucket,
        KeyId = keyId,
        AllowedInstanceTypes = "g5.xlarge,g5.12xlarge",
        // As the construct writes it for Spot with the on-demand fallback: the queue above (Spot environment first).
        JobQueueCapacity = nameof(JobCapacity.SpotThenOnDemand),
        MaxRuntimeSeconds = 7200,
        JobTag = JobTag,
    };

    /// <summary>The handler's Training:* configuration for this moto, as the constructs write it.</summary>
    public static void Configure(IDictionary<string, string> env, Uri moto, string keyId)
    {
        env["Aws__ServiceUrls__Batch"] = moto.ToString();
        env["Aws__ServiceUrls__Kms"] = moto.ToString();
        env["Aws__ServiceUrls__S3"] = moto.ToString();
        foreach (var (key, value) in SettingsEnvironment.Of(TrainingSettings.Section, Settings(keyId))) env[key] = value;
    }

    /// <summary>What Batch holds for a job (moto's DescribeJobs, straight from its JSON).</summary>
    public static async Task<JsonElement?> DescribeAsync(Uri moto, string jobId)
    {
        using var batch = Signed(moto, "batch");
        var jobs = (await Post(batch, "v1/describejobs", new { jobs = new[] { jobId } })).GetProperty("jobs");
        return jobs.GetArrayLength() == 0 ? null : jobs[0].Clone();
    }

    /// <summary>Every job of both queues with that name, any status.</summary>
    public static async Task<int> CountJobsAsync(Uri moto, string name)
    {
        using var batch = Signed(moto, "batch");
        var count = 0;
        foreach (var queue in new[] { Queue, MultiNodeQueue })
        {
            var listed = await Post(batch, "v1/listjobs", new { jobQueue = queue, filters = new[] { new { name = "JOB_NAME", values = new[] { name } } } });
            count += listed.GetProperty("jobSummaryList").GetArrayLength();
        }
        return count;
    }

    /// <summary>Submits a job straight to moto's Batch, as a handler instance that stopped before answering would have.</summary>
    public static async Task<string> SubmitDirectlyAsync(Uri moto, string name, IDictionary<string, string> tags)
    {
        using var batch = Signed(moto, "batch");
        var submitted = await Post(batch, "v1/submitjob", new { jobName = name, jobQueue = Queue, jobDefinition = SingleDefinition, tags });
        return submitted.GetProperty("jobId").GetString()!;
    }

    /// <summary>
    /// Registers a multi-node definition on <paramref name="instanceType"/> and submits a job of it straight to moto's
    /// multi-node queue with <paramref name="tags"/>, as a job submitted to the API's queue by other means would be.
    /// </summary>
    public static async Task<string> SubmitMultiNodeDirectlyAsync(Uri moto, string name, string instanceType, IDictionary<string, string> tags)
    {
        using var batch = Signed(moto, "batch");
        var resources = new[] { new { type = "VCPU", value = "4" }, new { type = "MEMORY", value = "15360" }, new { type = "GPU", value = "1" } };
        var definition = "platform-training-" + name;
        await Post(batch, "v1/registerjobdefinition", new
        {
            jobDefinitionName = definition, type = "multinode",
            nodeProperties = new
            {
                numNodes = 2, mainNode = 0,
                nodeRangeProperties = new[]
                {
                    new { targetNodes = "0:", container = new { image = "training:v1", instanceType, resourceRequirements = resources } },
                },
            },
        });
        var submitted = await Post(batch, "v1/submitjob", new { jobName = name, jobQueue = MultiNodeQueue, jobDefinition = definition, tags });
        return submitted.GetProperty("jobId").GetString()!;
    }

    /// <summary>The handler's view of this configuration, for tests that build what it would store.</summary>
    internal static AwsModelPlatform.Handlers.Training.TrainingCatalog Catalog(Uri moto, string keyId)
    {
        var env = new Dictionary<string, string>();
        Configure(env, moto, keyId);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(env.ToDictionary(kv => kv.Key.Replace("__", ":"), kv => (string?)kv.Value)).Build();
        return new AwsModelPlatform.Handlers.Training.TrainingCatalog(Microsoft.Extensions.Options.Options.Create(Settings(keyId)), configuration);
    }

    public static HttpClient Signed(Uri moto, string service) =>
        new(new SigV4SigningHandler(new AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(FakeSageMakerRuntime.AccessKey, FakeSageMakerRuntime.SecretKey),
            Region = RegionEndpoint.GetBySystemName(FakeSageMakerRuntime.Region),
            Service = service,
            SignPayload = true,
        }, new HttpClientHandler())) { BaseAddress = moto };

    private static async Task<JsonElement> Post(HttpClient batch, string path, object body)
    {
        var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var r = await batch.PostAsync(path, content);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{path}: {(int)r.StatusCode} {text}");
        return JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone();
    }
}
