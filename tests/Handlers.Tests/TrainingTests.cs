using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using AwsModelPlatform.Handlers.Tests.Fakes;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// The training routes against moto's Batch, S3 and KMS. Where moto differs from AWS Batch (and the test says so):
/// jobs finish (SUCCEEDED) at submission; ListJobs ignores maxResults/nextToken and returns every status without a filter;
/// SubmitJob ignores nodeOverrides (a multi-node job shows the definition's node properties).
/// The fixture's handler has the default Caller visibility: requests come from <see cref="Caller"/> unless a test says otherwise.
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class TrainingTests(HandlerFixture f) : IDisposable
{
    public const string Caller = "arn:aws:iam::123456789012:user/trainer";
    public const string OtherCaller = "arn:aws:iam::123456789012:user/someone-else";

    private HttpClient Http { get; } = ClientAs(f.HandlerUrl, Caller);

    public void Dispose() => Http.Dispose();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 128)];

    private async Task<(HttpResponseMessage Response, string Text)> Submit(string json, string? key = null, string? caller = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/training-jobs") { Content = Body(json) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        if (caller is not null) request.Headers.Add("x-amzn-request-context", RequestContext(caller));
        var r = await Http.SendAsync(request);
        return (r, await r.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> Created(string json, string? key = null, string? caller = null)
    {
        var (r, text) = await Submit(json, key, caller);
        Assert.True(r.StatusCode == HttpStatusCode.Created, text);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal($"/v1/training-jobs/{body.GetProperty("id").GetString()}", r.Headers.Location?.ToString());
        return body;
    }

    [Fact]
    public async Task Single_node_job_is_submitted_with_its_overrides_and_described()
    {
        var name = Unique("finetune");
        var job = await Created($$"""
            {"name":"{{name}}","definition":"finetune","command":["python","train.py","--epochs","3"],"gpus":1,
             "hyperparameters":{"lr":"0.0001","epochs":"3"},"datasetUri":"s3://{{TrainingMoto.DatasetsBucket}}/corpus/v1/","maxRuntimeSeconds":3600}
            """);
        var id = job.GetProperty("id").GetString()!;
        Assert.Equal("finetune", job.GetProperty("definition").GetString());
        Assert.Equal("SUBMITTED", job.GetProperty("status").GetString());
        var output = job.GetProperty("outputUri").GetString()!;
        Assert.StartsWith($"s3://{TrainingMoto.OutputBucket}/jobs/{name}/", output);
        Assert.StartsWith($"s3://{TrainingMoto.CheckpointsBucket}/jobs/{name}/", job.GetProperty("checkpointUri").GetString());

        // What Batch received.
        var batch = (await TrainingMoto.DescribeAsync(f.Moto.Url, id))!.Value;
        Assert.EndsWith(":job-queue/" + TrainingMoto.Queue, batch.GetProperty("jobQueue").GetString());
        Assert.Contains(TrainingMoto.SingleDefinition, batch.GetProperty("jobDefinition").GetString());
        Assert.Equal(3600, batch.GetProperty("timeout").GetProperty("attemptDurationSeconds").GetInt32());
        Assert.Equal(["python", "train.py", "--epochs", "3"], batch.GetProperty("container").GetProperty("command").EnumerateArray().Select(e => e.GetString()));
        var env = Env(batch);
        Assert.Equal(output, env["OUTPUT_S3_URI"]);
        Assert.Equal(job.GetProperty("checkpointUri").GetString(), env["CHECKPOINT_S3_URI"]);
        Assert.Equal($"s3://{TrainingMoto.DatasetsBucket}/corpus/v1/", env["DATASET_S3_URI"]);
        Assert.Equal("{\"epochs\":\"3\",\"lr\":\"0.0001\"}", env["HYPERPARAMETERS"]);
        Assert.Equal(name, env["TRAINING_JOB_NAME"]);
        Assert.Equal("/opt/ml/checkpoints", env["CHECKPOINT_DIR"]); // the definition's own variables stay
        Assert.Equal("finetune", batch.GetProperty("tags").GetProperty("aws-model-platform:definition").GetString());
        Assert.Equal(TrainingMoto.JobTag, batch.GetProperty("tags").GetProperty("aws-model-platform:training-jobs").GetString()); // what the role may stop

        using var described = await Http.GetAsync($"/v1/training-jobs/{id}");
        var details = JsonDocument.Parse(await described.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, described.StatusCode);
        Assert.Equal(name, details.GetProperty("name").GetString());
        Assert.Equal("finetune", details.GetProperty("definition").GetString());
        Assert.Equal("SUCCEEDED", details.GetProperty("status").GetString()); // moto: finished at submission
        Assert.Equal(output, details.GetProperty("outputUri").GetString());
        Assert.Single(details.GetProperty("attempts").EnumerateArray());
        Assert.False(string.IsNullOrEmpty(details.GetProperty("logStreamName").GetString()));
        Assert.True(details.TryGetProperty("createdAt", out _));
    }

    [Fact]
    public async Task A_job_without_maxRuntimeSeconds_reaches_Batch_without_a_timeout_so_its_definitions_applies()
    {
        var id = (await Created($$"""{"name":"{{Unique("no-timeout")}}","definition":"finetune"}""")).GetProperty("id").GetString()!;
        var batch = (await TrainingMoto.DescribeAsync(f.Moto.Url, id))!.Value;
        Assert.False(batch.TryGetProperty("timeout", out var timeout) && timeout.ValueKind == JsonValueKind.Object && timeout.TryGetProperty("attemptDurationSeconds", out _),
            batch.GetRawText());
    }

    [Fact]
    public async Task Multi_node_job_is_submitted_with_node_overrides()
    {
        var name = Unique("ddp");
        var job = await Created($$"""{"name":"{{name}}","definition":"ddp","nodes":2,"gpus":4,"instanceType":"g5.12xlarge","command":["torchrun","train.py"]}""");
        var batch = (await TrainingMoto.DescribeAsync(f.Moto.Url, job.GetProperty("id").GetString()!))!.Value;
        Assert.Contains(TrainingMoto.MultiNodeDefinition, batch.GetProperty("jobDefinition").GetString());
        // Batch runs no multi-node job on Spot: it goes to the queue of the on-demand environment alone.
        Assert.EndsWith(":job-queue/" + TrainingMoto.MultiNodeQueue, batch.GetProperty("jobQueue").GetString());
        // moto drops nodeOverrides; it reports the definition's node properties.
        Assert.Equal(2, batch.GetProperty("nodeProperties").GetProperty("numNodes").GetInt32());
        using var described = await Http.GetAsync(job.GetProperty("links").GetProperty("self").GetString());
        var details = JsonDocument.Parse(await described.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ddp", details.GetProperty("definition").GetString());
        Assert.Equal(2, details.GetProperty("nodes").GetInt32());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Multi_node_job_may_ask_for_1_to_MaxNodes_nodes(int nodes)
    {
        var name = Unique("ddp-n");
        var job = await Created($$"""{"name":"{{name}}","definition":"ddp","nodes":{{nodes}},"gpus":4,"instanceType":"g5.12xlarge"}""");
        // moto drops nodeOverrides (SubmitJobRequestTests checks the numNodes Batch is sent); here: accepted and submitted once.
        Assert.Equal("ddp", job.GetProperty("definition").GetString());
        Assert.Equal(1, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));
    }

    [Fact]
    public async Task List_filters_by_status_and_refuses_bad_parameters()
    {
        var name = Unique("listed");
        var id = (await Created($$"""{"name":"{{name}}","definition":"finetune"}""")).GetProperty("id").GetString();

        async Task<JsonElement> List(string query)
        {
            using var r = await Http.GetAsync("/v1/training-jobs" + query);
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.OK, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        Assert.Contains((await List("")).GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
        Assert.Contains((await List("?status=succeeded&limit=100")).GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
        Assert.DoesNotContain((await List("?status=RUNNABLE")).GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);

        foreach (var bad in new[] { "?status=DONE", "?limit=0", "?limit=101", "?limit=x", "?nextToken=%00", "?status=RUNNING&status=FAILED" })
        {
            using var r = await Http.GetAsync("/v1/training-jobs" + bad);
            await AssertProblemAsync(r, 400, "bad-request");
        }
    }

    [Fact]
    public async Task Listing_pages_through_the_main_queue_then_the_multi_node_queue_and_refuses_a_tampered_token()
    {
        var single = (await Created($$"""{"name":"{{Unique("both-single")}}","definition":"finetune"}""")).GetProperty("id").GetString()!;
        var multi = (await Created($$"""{"name":"{{Unique("both-multi")}}","definition":"ddp","nodes":2}""")).GetProperty("id").GetString()!;

        // moto lists a whole queue in one page: the first page is the main queue's, the next the multi-node queue's.
        var pages = new List<(List<string> Ids, string? Next)>();
        string? token = null;
        do
        {
            using var r = await Http.GetAsync("/v1/training-jobs?status=SUCCEEDED&limit=100" + (token is null ? "" : "&nextToken=" + Uri.EscapeDataString(token)));
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.OK, text);
            var body = JsonDocument.Parse(text).RootElement;
            token = body.TryGetProperty("nextToken", out var next) ? next.GetString() : null;
            pages.Add((body.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()!).ToList(), token));
        }
        while (token is not null && pages.Count < 10);
        Assert.Equal(2, pages.Count);
        Assert.Contains(single, pages[0].Ids);
        Assert.DoesNotContain(multi, pages[0].Ids);
        Assert.Contains(multi, pages[1].Ids);
        Assert.DoesNotContain(single, pages[1].Ids);
        var second = pages[0].Next!;

        // The queue index is checked: another index, none, or a token without it is refused as Batch's own would be.
        foreach (var tampered in new[] { "2" + second[1..], "0" + second[1..], "9.abc", second.TrimEnd('.'), "abc", "1x" })
        {
            using var r = await Http.GetAsync("/v1/training-jobs?nextToken=" + Uri.EscapeDataString(tampered));
            var problem = await AssertProblemAsync(r, 400, "bad-request");
            Assert.Equal("nextToken is not a token this API returned.", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Idempotent_resubmission_creates_exactly_one_batch_job()
    {
        var name = Unique("idem");
        var key = Guid.NewGuid().ToString();
        var body = $$$"""{"name":"{{{name}}}","definition":"finetune","gpus":1,"secrets":{"HF_TOKEN":"hf_same_secret"}}""";
        var tasks = Enumerable.Range(0, 4).Select(_ => Submit(body, key)).ToList();
        var results = await Task.WhenAll(tasks);
        // Concurrent duplicates: one wins; the others see the record (same job) or are told to retry (409 in progress).
        var ids = new HashSet<string>();
        foreach (var (r, text) in results)
        {
            Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, text);
            if (r.StatusCode == HttpStatusCode.Created) ids.Add(JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!);
            else Assert.Contains("submission-in-progress", text);
        }
        var again = await Created(body, key);
        ids.Add(again.GetProperty("id").GetString()!);
        Assert.Single(ids);
        Assert.Equal(1, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));

        var (replay, _) = await Submit(body, key);
        Assert.Equal("true", Header(replay, "Idempotent-Replayed"));

        // The same key with another body, or another secret value, is a conflict; nothing more reaches Batch.
        var (changed, changedText) = await Submit(body.Replace("\"gpus\":1", "\"gpus\":2"), key);
        await AssertProblemAsync(changed, 409, "idempotency-key-reused");
        var (otherSecret, _) = await Submit(body.Replace("hf_same_secret", "hf_other_secret"), key);
        await AssertProblemAsync(otherSecret, 409, "idempotency-key-reused");
        Assert.Equal(1, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));
        Assert.DoesNotContain("hf_", changedText);

        // Keys are per caller: another caller's same key is another job.
        var other = await Created(body, key, caller: OtherCaller);
        Assert.NotEqual(ids.Single(), other.GetProperty("id").GetString());
        Assert.Equal(2, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));
    }

    [Fact]
    public async Task Secret_is_kms_ciphertext_bound_to_the_job_and_never_logged_nor_returned()
    {
        var secret = "hf_" + Guid.NewGuid().ToString("N");
        var name = Unique("secret");
        var (r, text) = await Submit($$$"""{"name":"{{{name}}}","definition":"finetune","secrets":{"HF_TOKEN":"{{{secret}}}","WANDB_API_KEY":"w-{{{secret}}}"}}""");
        Assert.True(r.StatusCode == HttpStatusCode.Created, text);
        Assert.DoesNotContain(secret, text);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;

        using var described = await Http.GetAsync($"/v1/training-jobs/{id}");
        Assert.DoesNotContain(secret, await described.Content.ReadAsStringAsync());
        using var listed = await Http.GetAsync("/v1/training-jobs");
        Assert.DoesNotContain(secret, await listed.Content.ReadAsStringAsync());

        var env = Env((await TrainingMoto.DescribeAsync(f.Moto.Url, id))!.Value);
        Assert.Equal("HF_TOKEN,WANDB_API_KEY", env["TRAINING_SECRET_NAMES"]);
        var blob = Convert.FromBase64String(env["SECRET_HF_TOKEN"]);
        Assert.DoesNotContain(secret, Encoding.UTF8.GetString(blob));
        var submission = env["TRAINING_SUBMISSION_ID"];

        using var kms = new AmazonKeyManagementServiceClient(new BasicAWSCredentials(FakeSageMakerRuntime.AccessKey, FakeSageMakerRuntime.SecretKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = f.Moto.Url.ToString(), AuthenticationRegion = FakeSageMakerRuntime.Region });
        async Task<string> Decrypt(byte[] b, string job, string sub, string secretName)
        {
            var d = await kms.DecryptAsync(new DecryptRequest
            {
                CiphertextBlob = new MemoryStream(b),
                EncryptionContext = new() { ["aws-model-platform:job-name"] = job, ["aws-model-platform:submission"] = sub, ["aws-model-platform:secret"] = secretName },
            });
            return Encoding.UTF8.GetString(d.Plaintext.ToArray());
        }
        Assert.Equal(secret, await Decrypt(blob, name, submission, "HF_TOKEN"));
        await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => Decrypt(blob, name + "-other", submission, "HF_TOKEN"));
        await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => Decrypt(blob, name, Guid.NewGuid().ToString("N"), "HF_TOKEN"));
        await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => Decrypt(blob, name, submission, "WANDB_API_KEY"));
        await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));

        // A refused submission with a secret does not echo it either.
        var (refused, refusedText) = await Submit($$$"""{"name":"-bad","definition":"finetune","secrets":{"HF_TOKEN":"{{{secret}}}"}}""");
        await AssertProblemAsync(refused, 400);
        Assert.DoesNotContain(secret, refusedText);

        await Task.Delay(300); // let the process's log lines arrive
        Assert.Contains(f.HandlerOutput, l => l.Contains(id) && l.Contains("submitted"));
        Assert.DoesNotContain(f.HandlerOutput, l => l.Contains(secret));
        Assert.DoesNotContain(f.HandlerOutput, l => l.Contains(env["SECRET_HF_TOKEN"]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Interrupted_idempotent_submission_is_finished_by_a_retry_without_a_second_job(bool reachedBatch)
    {
        // A record written by a handler that stopped after the conditional write (and, maybe, after SubmitJob) but before
        // completing it: older than PendingSubmissionSeconds, no job id.
        var name = Unique("interrupted");
        var body = $$"""{"name":"{{name}}","definition":"finetune","gpus":1}""";
        var key = Guid.NewGuid().ToString();
        var (store, recordKey, submission) = await StoreRecordAsync(name, body, key, DateTimeOffset.UtcNow.AddMinutes(-10));
        string? earlier = reachedBatch
            ? await TrainingMoto.SubmitDirectlyAsync(f.Moto.Url, name, new Dictionary<string, string> { ["aws-model-platform:submission"] = submission })
            : null;

        var job = await Created(body, key);
        var id = job.GetProperty("id").GetString();
        if (earlier is not null) Assert.Equal(earlier, id);
        Assert.Equal(1, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));
        var completed = (await store.GetAsync(recordKey, CancellationToken.None))!.Record;
        Assert.Equal(id, completed.JobId);
        Assert.Equal(id, (await Created(body, key)).GetProperty("id").GetString());
        Assert.Equal(1, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));
    }

    [Fact]
    public async Task A_key_whose_submission_batch_refused_is_taken_over_at_once_by_a_retry_of_the_same_body()
    {
        // The record a submission Batch refused leaves behind: marked failed, fresh (well within PendingSubmissionSeconds).
        // The refusal and the marking are covered against a scripted Batch in IdempotentSubmissionTests; here the takeover, with
        // moto's conditional PutObject.
        var name = Unique("refused");
        var body = $$"""{"name":"{{name}}","definition":"finetune","gpus":1}""";
        var key = Guid.NewGuid().ToString();
        var (store, recordKey, _) = await StoreRecordAsync(name, body, key, DateTimeOffset.UtcNow,
            new AwsModelPlatform.Handlers.Training.SubmissionFailure(400, "https://awsmodelplatform.dev/problems/upstream-validation",
                "Job definition platform-training-finetune:7 does not exist", DateTimeOffset.UtcNow));

        // Another body is still another job: a conflict, and nothing reaches Batch.
        var (changed, _) = await Submit(body.Replace("\"gpus\":1", "\"gpus\":2"), key);
        await AssertProblemAsync(changed, 409, "idempotency-key-reused");
        Assert.Equal(0, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));

        // The same body: no 409 submission-in-progress, a new submission at once.
        var (retried, text) = await Submit(body, key);
        Assert.True(retried.StatusCode == HttpStatusCode.Created, text);
        Assert.Null(Header(retried, "Idempotent-Replayed"));
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString();
        var completed = (await store.GetAsync(recordKey, CancellationToken.None))!.Record;
        Assert.Equal((id, null), (completed.JobId, completed.Failure));
        var (replay, replayText) = await Submit(body, key);
        Assert.Equal("true", Header(replay, "Idempotent-Replayed"));
        Assert.Equal(id, JsonDocument.Parse(replayText).RootElement.GetProperty("id").GetString());
        Assert.Equal(1, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));
    }

    [Fact]
    public async Task A_duplicate_while_the_first_is_still_submitting_is_told_to_retry()
    {
        var name = Unique("inflight");
        var body = $$"""{"name":"{{name}}","definition":"finetune"}""";
        var key = Guid.NewGuid().ToString();
        var catalog = TrainingMoto.Catalog(f.Moto.Url, f.KmsKeyId);
        var parsed = AwsModelPlatform.Handlers.Training.TrainingRequestParser.Parse(Encoding.UTF8.GetBytes(body), catalog);
        var store = new AwsModelPlatform.Handlers.Training.IdempotencyStore(f.S3, catalog, Microsoft.Extensions.Options.Options.Create(new TrainingSettings()));
        await store.TryCreateAsync(store.KeyFor(Caller, key), new AwsModelPlatform.Handlers.Training.SubmissionRecord(
            parsed.Fingerprint(), name, "finetune", "s", DateTimeOffset.UtcNow, new Dictionary<string, string>(), "s3://x/", null), CancellationToken.None);
        var (r, _) = await Submit(body, key);
        await AssertProblemAsync(r, 409, "submission-in-progress");
        Assert.NotNull(Header(r, "Retry-After"));
        Assert.Equal(0, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));
    }

    public static TheoryData<string, string> Refused => new()
    {
        // datasetUri: only inside the datasets bucket, parsed strictly.
        { """{"name":"j","definition":"finetune","datasetUri":"s3://other-bucket/data/"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"s3://training-datasets.evil/data/"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"s3://training-datasets@other-bucket/x"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"s3://training-datasets/../other-bucket/x"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"s3://training-datasets/a/%2e%2e/b"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"s3://training-datasets/a//b"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"s3://training-datasets/a\\..\\b"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"S3://training-datasets/a"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"https://training-datasets.s3.amazonaws.com/a"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"s3://training-datasets/a?versionId=1"}""", "dataset-outside-bucket" },
        { """{"name":"j","definition":"finetune","datasetUri":"s3://training-datasets/a\u0000b"}""", "dataset-outside-bucket" },
        // definition, resources, runtime, name.
        { """{"name":"j","definition":"pretrain"}""", "unknown-definition" },
        { """{"name":"j","definition":"finetune","gpus":5}""", "too-many-gpus" },
        { """{"name":"j","definition":"finetune","gpus":0}""", "too-many-gpus" },
        { """{"name":"j","definition":"ddp","instanceType":"g5.xlarge","gpus":4}""", "too-many-gpus" },
        { """{"name":"j","definition":"finetune","nodes":2}""", "too-many-nodes" },
        { """{"name":"j","definition":"ddp","nodes":5}""", "too-many-nodes" },
        { """{"name":"j","definition":"ddp","nodes":0}""", "too-many-nodes" },
        { """{"name":"j","definition":"ddp","instanceType":"p5.48xlarge"}""", "instance-type-not-allowed" },
        { """{"name":"j","definition":"finetune","instanceType":"g5.xlarge"}""", "bad-request" },
        { """{"name":"j","definition":"finetune","maxRuntimeSeconds":7201}""", "bad-request" },
        { """{"name":"j","definition":"finetune","maxRuntimeSeconds":59}""", "bad-request" },
        { """{"name":"j","definition":"ddp","maxRuntimeSeconds":3601}""", "bad-request" }, // above ddp's own attempt timeout
        { """{"name":"-starts-with-hyphen","definition":"finetune"}""", "bad-request" },
        { """{"name":"has space","definition":"finetune"}""", "bad-request" },
        { """{"name":"has.dot","definition":"finetune"}""", "bad-request" },
        { "{\"name\":\"" + new string('n', 129) + "\",\"definition\":\"finetune\"}", "bad-request" },
        { """{"definition":"finetune"}""", "bad-request" },
        // hostile or malformed bodies.
        { """{"name":"j","definition":"finetune","gpus":"1"}""", "bad-request" },
        { """{"name":"j","definition":"finetune","gpus":1.5}""", "bad-request" },
        { """{"name":"j","definition":"finetune","gpus":99999999999}""", "bad-request" },
        { """{"name":"j","definition":"finetune","name":"k"}""", "bad-request" },
        { """{"name":"j","definition":"finetune","jobQueue":"someone-elses-queue"}""", "bad-request" },
        { """{"name":"j","definition":"finetune","hyperparameters":{"lr":1}}""", "bad-request" },
        { """{"name":"j","definition":"finetune","hyperparameters":{"bad key":"1"}}""", "bad-request" },
        { """{"name":"j","definition":"finetune","hyperparameters":{"a":"1","a":"2"}}""", "bad-request" },
        { """{"name":"j","definition":"finetune","secrets":{"lowercase":"x"}}""", "bad-request" },
        { """{"name":"j","definition":"finetune","secrets":{"EMPTY":""}}""", "bad-request" },
        { """{"name":"j","definition":"finetune","command":"python train.py"}""", "bad-request" },
        { """{"name":"j","definition":"finetune","command":[]}""", "bad-request" },
        { """{"name":"j","definition":"finetune","command":[1]}""", "bad-request" },
        { """[{"name":"j","definition":"finetune"}]""", "bad-request" },
        { """{"name":"j","definition":"finetune"} {}""", "malformed-json" },
        { """{"name":"j","definition":"finetune",""", "malformed-json" },
        { new string('[', 64) + new string(']', 64), "malformed-json" },
        // lone surrogate escapes: valid JSON syntax, no text (was a 500).
        { """{"name":"\ud800","definition":"finetune"}""", "malformed-json" },
        { """{"name":"j","definition":"finetune","hyperparameters":{"\ud800":"1"}}""", "malformed-json" },
        { """{"name":"j","definition":"finetune","secrets":{"HF_TOKEN":"\ud800"}}""", "malformed-json" },
        // a trailing newline is not matched by the rules' end anchor.
        { """{"name":"j\n","definition":"finetune"}""", "bad-request" },
        { """{"name":"j","definition":"finetune","secrets":{"HF_TOKEN\n":"x"}}""", "bad-request" },
        { """{"name":"j","definition":"finetune","datasetUri":"s3://training-datasets/x\n"}""", "dataset-outside-bucket" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Refused_submissions_are_clear_problems_and_reach_no_batch(string body, string type)
    {
        var (r, _) = await Submit(body);
        var problem = await AssertProblemAsync(r, 400, type);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.Equal(0, await TrainingMoto.CountJobsAsync(f.Moto.Url, "j"));
    }

    [Fact]
    public async Task Too_many_hyperparameters_or_secrets_are_refused()
    {
        var many = string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"k{i}\":\"v\""));
        var (r1, _) = await Submit($$$"""{"name":"j","definition":"finetune","hyperparameters":{{{{many}}}}}""");
        await AssertProblemAsync(r1, 400, "bad-request");
        var big = new string('v', 1025);
        var (r2, _) = await Submit($$$"""{"name":"j","definition":"finetune","hyperparameters":{"k":"{{{big}}}"}}""");
        await AssertProblemAsync(r2, 400, "bad-request");
        var secrets = string.Join(",", Enumerable.Range(0, 9).Select(i => $"\"S{i}\":\"v\""));
        var (r3, _) = await Submit($$$"""{"name":"j","definition":"finetune","secrets":{{{{secrets}}}}}""");
        await AssertProblemAsync(r3, 400, "bad-request");
    }

    [Fact]
    public async Task Oversized_unsupported_and_badly_keyed_requests_are_refused_before_reading()
    {
        var (big, _) = await Submit("{\"name\":\"j\",\"definition\":\"finetune\",\"command\":[\"" + new string('x', 70_000) + "\"]}");
        await AssertProblemAsync(big, 413, "payload-too-large");

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/training-jobs") { Content = new StreamContent(new MemoryStream(new byte[200_000])) };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await Http.SendAsync(chunked);
        await AssertProblemAsync(chunkedResponse, 413, "payload-too-large");

        using var text = await Http.PostAsync("/v1/training-jobs", Body("name=j", "text/plain"));
        await AssertProblemAsync(text, 415);
        using var empty = await Http.PostAsync("/v1/training-jobs", Body("", "application/json"));
        await AssertProblemAsync(empty, 400);

        var (badKey, _) = await Submit("""{"name":"j","definition":"finetune"}""", key: new string('k', 256));
        await AssertProblemAsync(badKey, 400, "bad-request");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_the_handlers_415_logged_as_a_submission()
    {
        var requestId = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/training-jobs") { Content = Body("name=j", "text/plain") };
        request.Headers.Add("x-amzn-request-context", RequestContext(Caller, requestId));
        using var r = await Http.SendAsync(request);
        var problem = await AssertProblemAsync(r, 415, "unsupported-media-type");
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
        var line = await LogLineAsync(requestId);
        Assert.Equal("Submit", line.GetProperty("Operation").GetString());
        Assert.Equal(1, line.GetProperty("ClientErrors").GetInt32());
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/vnd.training+json; charset=utf-8")]
    public async Task Json_media_types_with_parameters_are_accepted(string contentType)
    {
        using var r = await Http.PostAsync("/v1/training-jobs", Body($$"""{"name":"{{Unique("media")}}","definition":"finetune"}""", contentType));
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_job_too_large_for_batch_leaves_no_idempotency_record_so_a_corrected_retry_succeeds()
    {
        var name = Unique("large");
        var key = Guid.NewGuid().ToString();
        // Within every field limit, but quotes are escaped twice (HYPERPARAMETERS is JSON inside SubmitJob's JSON): over 30 KiB.
        var quotes = new string('"', 1000).Replace("\"", "\\\"");
        var hyperparameters = string.Join(",", Enumerable.Range(0, 7).Select(i => $"\"k{i}\":\"{quotes}\""));
        var (large, _) = await Submit($$$"""{"name":"{{{name}}}","definition":"finetune","hyperparameters":{{{{hyperparameters}}}}}""", key);
        await AssertProblemAsync(large, 413, "job-too-large");
        var catalog = TrainingMoto.Catalog(f.Moto.Url, f.KmsKeyId);
        var store = new AwsModelPlatform.Handlers.Training.IdempotencyStore(f.S3, catalog, Microsoft.Extensions.Options.Options.Create(new TrainingSettings()));
        Assert.Null(await store.GetAsync(store.KeyFor(Caller, key), CancellationToken.None));

        var corrected = $$$"""{"name":"{{{name}}}","definition":"finetune","hyperparameters":{"k0":"small"}}""";
        var job = await Created(corrected, key);
        Assert.Equal(job.GetProperty("id").GetString(), (await Created(corrected, key)).GetProperty("id").GetString());
        Assert.Equal(1, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));
    }

    [Fact]
    public async Task Ids_and_tokens_with_a_trailing_newline_are_refused()
    {
        using var describe = await Http.GetAsync($"/v1/training-jobs/{Guid.NewGuid()}%0A");
        await AssertProblemAsync(describe, 400, "bad-request");
        using var stop = await Http.DeleteAsync($"/v1/training-jobs/{Guid.NewGuid()}%0A");
        await AssertProblemAsync(stop, 400, "bad-request");
        using var list = await Http.GetAsync("/v1/training-jobs?nextToken=abc%0A");
        await AssertProblemAsync(list, 400, "bad-request");
    }

    [Fact]
    public async Task Describe_and_cancel_refuse_unknown_or_finished_jobs()
    {
        using var unknown = await Http.GetAsync($"/v1/training-jobs/{Guid.NewGuid()}");
        await AssertProblemAsync(unknown, 404, "not-found");
        using var malformed = await Http.GetAsync("/v1/training-jobs/not-a-job-id");
        await AssertProblemAsync(malformed, 400, "bad-request");
        using var cancelUnknown = await Http.DeleteAsync($"/v1/training-jobs/{Guid.NewGuid()}");
        await AssertProblemAsync(cancelUnknown, 404, "not-found");

        // moto finishes jobs at submission, so the job is past cancelling (the cancel/terminate branches: TrainingJobStopTests).
        var id = (await Created($$"""{"name":"{{Unique("done")}}","definition":"finetune"}""")).GetProperty("id").GetString();
        using var finished = await Http.DeleteAsync($"/v1/training-jobs/{id}?reason=no+longer+needed");
        await AssertProblemAsync(finished, 409, "job-finished");
        using var badReason = await Http.DeleteAsync($"/v1/training-jobs/{id}?reason=" + new string('r', 257));
        await AssertProblemAsync(badReason, 400, "bad-request");
    }

    [Fact]
    public async Task Without_training_configuration_the_routes_are_501_and_a_partial_one_fails_startup()
    {
        var env = new Dictionary<string, string>(f.AwsEnvironment(f.Moto.Url))
        {
            ["Api__RouteGroups"] = "training",
        };
        var (process, url) = await HandlerFixture.StartHandlerAsync(env, new System.Collections.Concurrent.ConcurrentQueue<string>());
        try
        {
            using var http = new HttpClient { BaseAddress = url };
            using var submit = await http.PostAsync("/v1/training-jobs", Body("""{"name":"j","definition":"finetune"}"""));
            await AssertProblemAsync(submit, 501, "not-configured");
            using var list = await http.GetAsync("/v1/training-jobs");
            await AssertProblemAsync(list, 501, "not-configured");
            using var inference = await http.PostAsync("/v1/endpoints/echo/invocations", Body("{}"));
            Assert.Equal(HttpStatusCode.NotFound, inference.StatusCode); // only the training group is mapped
        }
        finally
        {
            HandlerFixture.Stop(process);
        }

        TrainingMoto.Configure(env, f.Moto.Url, f.KmsKeyId);
        env.Remove("Training__StateBucket");
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            var (p, _) = await HandlerFixture.StartHandlerAsync(env, new System.Collections.Concurrent.ConcurrentQueue<string>());
            HandlerFixture.Stop(p);
        });
        Assert.Contains("Training:StateBucket is required", failed.Message);
    }

    [Fact]
    public async Task Openapi_documents_the_training_routes()
    {
        var doc = await Http.GetStringAsync("/openapi/v1.json");
        foreach (var operation in new[] { "SubmitTrainingJob", "ListTrainingJobs", "GetTrainingJob", "StopTrainingJob" }) Assert.Contains(operation, doc);
        // The submission body: TrainingJobRequest's schema as application/json.
        var root = JsonDocument.Parse(doc).RootElement;
        var body = root.GetProperty("paths").GetProperty("/v1/training-jobs").GetProperty("post").GetProperty("requestBody");
        Assert.True(body.GetProperty("required").GetBoolean());
        var schema = Assert.Single(body.GetProperty("content").EnumerateObject(), c => c.Name == "application/json").Value.GetProperty("schema");
        if (schema.TryGetProperty("$ref", out var reference))
            schema = root.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        var properties = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var field in new[] { "name", "definition", "maxRuntimeSeconds", "secrets" }) Assert.Contains(field, properties);
    }

    [Fact]
    public async Task Each_request_writes_an_emf_record_of_its_operation_and_a_submitted_job_one_of_its_definition()
    {
        var name = Unique("emf");
        var secret = "hf_" + Guid.NewGuid().ToString("N");
        var submitId = Guid.NewGuid().ToString("N");
        var body = $$$"""{"name":"{{{name}}}","definition":"ddp","nodes":2,"gpus":4,"command":["torchrun","emf-command.py"],"hyperparameters":{"emf_lr":"0.5"},"secrets":{"HF_TOKEN":"{{{secret}}}"}}""";
        using var submit = new HttpRequestMessage(HttpMethod.Post, "/v1/training-jobs") { Content = Body(body) };
        submit.Headers.Add("x-amzn-request-context", RequestContext(Caller, submitId));
        submit.Headers.Add("Idempotency-Key", name);
        using (var r = await Http.SendAsync(submit)) Assert.Equal(HttpStatusCode.Created, r.StatusCode);

        var line = await LogLineAsync(submitId);
        var directives = line.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().ToList();
        Assert.Equal(3, directives.Count);
        Assert.All(directives, d => Assert.Equal("AwsModelPlatform/Training", d.GetProperty("Namespace").GetString()));
        Assert.Equal(["Api", "Operation"], Dimensions(directives[0]));
        Assert.Equal(["Requests", "Errors", "ClientErrors", "Throttles", "Latency"], MetricNames(directives[0]));
        Assert.Equal("Milliseconds", directives[0].GetProperty("Metrics")[4].GetProperty("Unit").GetString());
        Assert.Equal(["Api", "Definition"], Dimensions(directives[1]));
        Assert.Equal(HandlerFixture.ApiName, line.GetProperty("Api").GetString());
        Assert.Equal(["JobsSubmitted", "GpusRequested"], MetricNames(directives[1]));
        Assert.Equal(["Api", "Definition"], Dimensions(directives[2]));
        Assert.Equal(["EstimatedHourlyCostUsd"], MetricNames(directives[2]));
        Assert.Equal("None", directives[2].GetProperty("Metrics")[0].GetProperty("Unit").GetString());
        Assert.Equal("Submit", line.GetProperty("Operation").GetString());
        Assert.Equal(1, line.GetProperty("Requests").GetInt32());
        Assert.Equal(0, line.GetProperty("Errors").GetInt32());
        Assert.Equal(0, line.GetProperty("ClientErrors").GetInt32());
        Assert.Equal(0, line.GetProperty("Throttles").GetInt32());
        Assert.Equal(line.GetProperty("LatencyMs").GetDouble(), line.GetProperty("Latency").GetDouble());
        Assert.Equal("ddp", line.GetProperty("Definition").GetString());
        Assert.Equal(1, line.GetProperty("JobsSubmitted").GetInt32());
        Assert.Equal(8, line.GetProperty("GpusRequested").GetInt32()); // 4 GPUs × 2 nodes
        Assert.Equal(Caller, line.GetProperty("Caller").GetString());
        Assert.False(line.TryGetProperty("Model", out _));
        var text = line.GetRawText();
        foreach (var never in new[] { secret, "emf-command.py", "emf_lr" }) Assert.DoesNotContain(never, text);

        // The replay of an idempotent submission is a request, not another submitted job.
        var replayId = Guid.NewGuid().ToString("N");
        using var replay = new HttpRequestMessage(HttpMethod.Post, "/v1/training-jobs") { Content = Body(body) };
        replay.Headers.Add("x-amzn-request-context", RequestContext(Caller, replayId));
        replay.Headers.Add("Idempotency-Key", name);
        using (var r = await Http.SendAsync(replay)) Assert.Equal("true", Header(r, "Idempotent-Replayed"));
        var replayed = await LogLineAsync(replayId);
        Assert.Single(replayed.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray());
        Assert.False(replayed.TryGetProperty("JobsSubmitted", out _));

        // Without gpus, the definition's configured GPUs per node (ddp: 1) × nodes.
        var defaultsId = Guid.NewGuid().ToString("N");
        using var defaults = new HttpRequestMessage(HttpMethod.Post, "/v1/training-jobs") { Content = Body($$"""{"name":"{{Unique("emf")}}","definition":"ddp","nodes":3}""") };
        defaults.Headers.Add("x-amzn-request-context", RequestContext(Caller, defaultsId));
        using (var r = await Http.SendAsync(defaults)) Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.Equal(3, (await LogLineAsync(defaultsId)).GetProperty("GpusRequested").GetInt32());

        // A refused submission and the other operations.
        var refusedId = Guid.NewGuid().ToString("N");
        using var refused = new HttpRequestMessage(HttpMethod.Post, "/v1/training-jobs") { Content = Body("""{"name":"j","definition":"pretrain"}""") };
        refused.Headers.Add("x-amzn-request-context", RequestContext(Caller, refusedId));
        using (var r = await Http.SendAsync(refused)) Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var refusedLine = await LogLineAsync(refusedId);
        Assert.Equal(1, refusedLine.GetProperty("ClientErrors").GetInt32());
        Assert.Equal(0, refusedLine.GetProperty("Errors").GetInt32());
        Assert.False(refusedLine.TryGetProperty("Definition", out _));

        foreach (var (method, path, operation) in new[] { (HttpMethod.Get, "/v1/training-jobs", "List"), (HttpMethod.Get, $"/v1/training-jobs/{Guid.NewGuid()}", "Describe"), (HttpMethod.Delete, $"/v1/training-jobs/{Guid.NewGuid()}", "Stop") })
        {
            var id = Guid.NewGuid().ToString("N");
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add("x-amzn-request-context", RequestContext(Caller, id));
            using var r = await Http.SendAsync(request);
            var logged = await LogLineAsync(id);
            Assert.Equal(operation, logged.GetProperty("Operation").GetString());
            Assert.Equal((int)r.StatusCode is >= 400 and < 500 ? 1 : 0, logged.GetProperty("ClientErrors").GetInt32());
        }
    }

    [Fact]
    public async Task A_caller_lists_describes_and_stops_only_its_own_jobs_and_another_callers_job_is_an_unknown_id()
    {
        var mine = (await Created($$"""{"name":"{{Unique("mine")}}","definition":"finetune"}""")).GetProperty("id").GetString()!;
        var theirs = (await Created($$"""{"name":"{{Unique("theirs")}}","definition":"finetune"}""", caller: OtherCaller)).GetProperty("id").GetString()!;
        using var other = ClientAs(f.HandlerUrl, OtherCaller);
        // Visibility compares the hash of the exact caller; the readable tag is for people.
        var tags = (await TrainingMoto.DescribeAsync(f.Moto.Url, mine))!.Value.GetProperty("tags");
        Assert.Equal(Caller, tags.GetProperty("aws-model-platform:caller").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Caller))), tags.GetProperty("aws-model-platform:caller-hash").GetString());

        var listed = await ListIdsAsync(Http, "");
        Assert.Contains(mine, listed);
        Assert.DoesNotContain(theirs, listed);
        Assert.DoesNotContain(theirs, await ListIdsAsync(Http, "?status=SUCCEEDED&limit=100"));
        var theirList = await ListIdsAsync(other, "");
        Assert.Contains(theirs, theirList);
        Assert.DoesNotContain(mine, theirList);

        using (var own = await Http.GetAsync($"/v1/training-jobs/{mine}")) Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        // Another caller's job answers exactly as an id nobody has: same problem, nothing about the job.
        var unknown = Guid.NewGuid().ToString();
        foreach (var (method, verb) in new[] { (HttpMethod.Get, "describe"), (HttpMethod.Delete, "stop") })
        {
            using var foreign = await Http.SendAsync(new HttpRequestMessage(method, $"/v1/training-jobs/{theirs}"));
            using var nobodys = await Http.SendAsync(new HttpRequestMessage(method, $"/v1/training-jobs/{unknown}"));
            var a = await AssertProblemAsync(foreign, 404, "not-found");
            var b = await AssertProblemAsync(nobodys, 404, "not-found");
            Assert.Equal(b.GetProperty("title").GetString(), a.GetProperty("title").GetString());
            Assert.Equal(b.GetProperty("detail").GetString()!.Replace(unknown, theirs), a.GetProperty("detail").GetString());
            Assert.Equal(["detail", "instance", "requestId", "status", "title", "type"], a.EnumerateObject().Select(p => p.Name).Order());
            Assert.True(a.GetProperty("instance").GetString()!.EndsWith(theirs), verb);
        }
        // Its owner still reaches it: the job is finished (moto), so stopping it is a 409, not a 404.
        using var byOwner = await other.DeleteAsync($"/v1/training-jobs/{theirs}");
        await AssertProblemAsync(byOwner, 409, "job-finished");
        Assert.Equal("SUCCEEDED", (await TrainingMoto.DescribeAsync(f.Moto.Url, theirs))!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Without_a_caller_identity_every_route_is_403_under_caller_visibility()
    {
        using var anonymous = new HttpClient { BaseAddress = f.HandlerUrl };
        var name = Unique("anon");
        var requests = new[]
        {
            new HttpRequestMessage(HttpMethod.Post, "/v1/training-jobs") { Content = Body($$"""{"name":"{{name}}","definition":"finetune"}""") },
            new HttpRequestMessage(HttpMethod.Get, "/v1/training-jobs"),
            new HttpRequestMessage(HttpMethod.Get, $"/v1/training-jobs/{Guid.NewGuid()}"),
            new HttpRequestMessage(HttpMethod.Delete, $"/v1/training-jobs/{Guid.NewGuid()}"),
            // A malformed context carries no caller either.
            new HttpRequestMessage(HttpMethod.Get, "/v1/training-jobs") { Headers = { { "x-amzn-request-context", "{\"identity\":" } } },
        };
        foreach (var request in requests)
        {
            using (request)
            using (var r = await anonymous.SendAsync(request))
                await AssertProblemAsync(r, 403, "caller-unknown");
        }
        Assert.Equal(0, await TrainingMoto.CountJobsAsync(f.Moto.Url, name));
    }

    [Fact]
    public async Task Shared_visibility_shows_and_stops_every_job_for_every_caller()
    {
        var theirs = (await Created($$"""{"name":"{{Unique("shared")}}","definition":"finetune"}""", caller: OtherCaller)).GetProperty("id").GetString()!;
        var env = new Dictionary<string, string>(f.AwsEnvironment(f.Moto.Url))
        {
            ["Api__RouteGroups"] = "training",
            ["Training__JobVisibility"] = "Shared",
        };
        TrainingMoto.Configure(env, f.Moto.Url, f.KmsKeyId);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var (process, url) = await HandlerFixture.StartHandlerAsync(env, output);
        try
        {
            using var mine = ClientAs(url, Caller);
            using var anonymous = new HttpClient { BaseAddress = url };
            using var anonymousJob = await anonymous.PostAsync("/v1/training-jobs", Body($$"""{"name":"{{Unique("shared-anon")}}","definition":"finetune"}"""));
            Assert.Equal(HttpStatusCode.Created, anonymousJob.StatusCode);
            var anonymousId = JsonDocument.Parse(await anonymousJob.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            foreach (var client in new[] { mine, anonymous })
            {
                var listed = await ListIdsAsync(client, "?status=SUCCEEDED");
                Assert.Contains(theirs, listed);
                Assert.Contains(anonymousId, listed);
                using var described = await client.GetAsync($"/v1/training-jobs/{theirs}");
                Assert.Equal(HttpStatusCode.OK, described.StatusCode);
                using var stopped = await client.DeleteAsync($"/v1/training-jobs/{theirs}");
                await AssertProblemAsync(stopped, 409, "job-finished"); // reached the job: moto finished it at submission
            }

            // No Api__Name (a local run): the metrics still carry the Api dimension, with the default value.
            var requests = output.Where(l => l.Contains("\"Message\":\"request\"") && l.Contains("\"_aws\"")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
            Assert.NotEmpty(requests);
            Assert.All(requests, r => Assert.Equal("local", r.GetProperty("Api").GetString()));
            Assert.All(requests.SelectMany(r => r.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray()), d => Assert.Equal("Api", Dimensions(d).First()));
        }
        finally
        {
            HandlerFixture.Stop(process);
        }
    }

    [Fact]
    public async Task An_unknown_visibility_fails_startup_naming_the_key()
    {
        var env = new Dictionary<string, string>(f.AwsEnvironment(f.Moto.Url))
        {
            ["Api__RouteGroups"] = "training",
        };
        TrainingMoto.Configure(env, f.Moto.Url, f.KmsKeyId);
        env["Training__JobVisibility"] = "Everyone";
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            var (p, _) = await HandlerFixture.StartHandlerAsync(env, new System.Collections.Concurrent.ConcurrentQueue<string>());
            HandlerFixture.Stop(p);
        });
        Assert.Contains("Training:JobVisibility: 'Everyone' is not Caller or Shared", failed.Message);
    }

    private static async Task<List<string>> ListIdsAsync(HttpClient client, string query)
    {
        using var r = await client.GetAsync("/v1/training-jobs" + query);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()!).ToList();
    }

    /// <summary>
    /// Writes the idempotency record a handler would have left for <paramref name="body"/> under <paramref name="key"/>,
    /// without a job id (an interrupted or refused submission); returns the store, the record's key and its submission id.
    /// </summary>
    private async Task<(AwsModelPlatform.Handlers.Training.IdempotencyStore Store, string RecordKey, string Submission)> StoreRecordAsync(
        string name, string body, string key, DateTimeOffset createdAt, AwsModelPlatform.Handlers.Training.SubmissionFailure? failure = null)
    {
        var submission = Guid.NewGuid().ToString("N");
        var catalog = TrainingMoto.Catalog(f.Moto.Url, f.KmsKeyId);
        var parsed = AwsModelPlatform.Handlers.Training.TrainingRequestParser.Parse(Encoding.UTF8.GetBytes(body), catalog);
        var record = new AwsModelPlatform.Handlers.Training.SubmissionRecord(parsed.Fingerprint(), name, "finetune", submission,
            createdAt, new Dictionary<string, string>(), $"s3://{TrainingMoto.OutputBucket}/jobs/{name}/{submission}/", null) { Failure = failure };
        var store = new AwsModelPlatform.Handlers.Training.IdempotencyStore(f.S3, catalog, Microsoft.Extensions.Options.Options.Create(new TrainingSettings()));
        var recordKey = store.KeyFor(Caller, key);
        Assert.NotNull(await store.TryCreateAsync(recordKey, record, CancellationToken.None));
        return (store, recordKey, submission);
    }

    /// <summary>The handler's log line of one request (its API Gateway request id), parsed.</summary>
    private Task<JsonElement> LogLineAsync(string requestId) => AccessLogAsync(f.HandlerOutput, requestId);

    private static IEnumerable<string?> Dimensions(JsonElement directive) => directive.GetProperty("Dimensions")[0].EnumerateArray().Select(d => d.GetString());

    private static IEnumerable<string?> MetricNames(JsonElement directive) => directive.GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString());

    /// <summary>The job's environment. moto appends the definition's variables and AWS_BATCH_JOB_ID to the stored overrides on
    /// every DescribeJobs, so names repeat after the first describe; real Batch reports each once.</summary>
    private static Dictionary<string, string> Env(JsonElement job)
    {
        var env = new Dictionary<string, string>();
        foreach (var e in job.GetProperty("container").GetProperty("environment").EnumerateArray())
            env.TryAdd(e.GetProperty("name").GetString()!, e.GetProperty("value").GetString()!);
        return env;
    }
}
