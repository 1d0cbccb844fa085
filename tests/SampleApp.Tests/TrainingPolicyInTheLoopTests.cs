using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;

namespace AwsModelPlatform.SampleApp.Tests;

[Collection(BuiltSampleApp.Collection)]
public class TrainingPolicyInTheLoopTests(BuiltSampleApp app) : IAsyncLifetime
{
    private TrainingPolicyLoop L { get; set; } = null!;

    public async Task InitializeAsync() => L = await app.TrainingLoopAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly string[] SecretContextKeys = ["aws-model-platform:job-name", "aws-model-platform:submission", "aws-model-platform:secret"];

    [Fact]
    public async Task The_policy_under_test_is_the_training_roles_and_unsigned_or_foreign_calls_are_refused()
    {
        var text = L.Policy.ToJsonString();
        foreach (var action in new[] { "batch:SubmitJob", "batch:ListJobs", "batch:DescribeJobs", "batch:TerminateJob", "kms:Encrypt", "kms:Decrypt", "s3:PutObject" })
            Assert.Contains(action, text);
        Assert.Contains(L.KeyArn, text);
        Assert.Contains(L.QueueArn, text);
        Assert.Contains(L.MultiNodeQueueArn, text);
        await L.Aws.AssertEnforcedAsync();
        // The Batch stand-in: a call signed with the admin's keys is not the handler's (only the handler user's secret verifies).
        using var admin = AuthorizingAwsProxy.SignedClient(L.Batch.Url, "batch", L.Aws.AdminKey);
        using var response = await admin.PostAsync("v1/listjobs", Json($$"""{"jobQueue":"{{L.QueueArn}}"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Where_S3_judges_a_missing_record_without_its_prefix_a_first_idempotent_submission_is_still_accepted()
    {
        // If S3's implicit listing check of a missing key carries no s3:prefix, the prefix-scoped grant yields 403: the
        // handler confirms the record is missing by listing exactly its key, which the grant allows.
        L.StrictS3.ImplicitListCheckSeesTheKey = false;
        try
        {
            var body = $$"""{"name":"loop-{{Guid.NewGuid().ToString("N")[..8]}}","definition":"finetune","command":["python","train.py"],"datasetUri":"s3://{{L.DatasetsBucket}}/corpus/"}""";
            var (first, firstBody) = await SubmitAsync(body, Guid.NewGuid().ToString());
            Assert.True(first.StatusCode == HttpStatusCode.Created, Describe(first, firstBody));
            var refused = L.StrictS3.MissingKeyReads.Last(r => r.Bucket == L.StateBucket && r.Key.StartsWith("training/idempotency/", StringComparison.Ordinal));
            Assert.True(refused.Status == 403, refused.ToString());
            var listing = L.StrictS3.Listings.Last(l => l.Bucket == L.StateBucket);
            Assert.True(listing.Key == refused.Key && listing.ListDecision is { Allowed: true }, listing.ToString());
        }
        finally
        {
            L.StrictS3.ImplicitListCheckSeesTheKey = true;
        }
    }

    [Fact]
    public async Task Submitting_with_a_secret_and_an_idempotency_key_is_allowed_end_to_end_and_the_replay_too()
    {
        var name = "loop-" + Guid.NewGuid().ToString("N")[..8];
        var body = $$"""{"name":"{{name}}","definition":"finetune","command":["python","train.py"],"datasetUri":"s3://{{L.DatasetsBucket}}/corpus/","secrets":{"WANDB_API_KEY":"wandb-secret-value"} }""";
        var key = Guid.NewGuid().ToString();
        var (first, firstBody) = await SubmitAsync(body, key);
        Assert.True(first.StatusCode == HttpStatusCode.Created, Describe(first, firstBody));
        var jobId = JsonNode.Parse(firstBody)!["id"]!.GetValue<string>();
        // The first submission of the key read a record that did not exist yet: S3 said "missing" (404), not "denied"
        // (403), because the role may list the records' prefix.
        var lookup = L.StrictS3.MissingKeyReads.Last(r => r.Bucket == L.StateBucket && r.Key.StartsWith("training/idempotency/", StringComparison.Ordinal));
        Assert.True(lookup.Status == 404 && lookup.ListDecision is { Allowed: true }, lookup.ToString());

        // Batch: SubmitJob on the queue and the definition's revision, TagResource with the job's tags; all allowed.
        var submit = L.Batch.Calls.Last(c => c.Operation == "SubmitJob" && c.Status == 200);
        Assert.True(submit.Allowed, submit.ToString());
        Assert.Contains(submit.Decisions, d => d.Action == "batch:SubmitJob" && d.Resource == L.QueueArn);
        Assert.Contains(submit.Decisions, d => d.Action == "batch:SubmitJob" && d.Resource.EndsWith(":job-definition/" + L.BatchNameOf("finetune") + ":1", StringComparison.Ordinal));
        Assert.Contains(submit.Decisions, d => d.Action == "batch:TagResource");
        // KMS: the secret was encrypted with the platform key under the job's context, and allowed.
        var encrypt = L.Kms.Calls.Last(c => c.Operation == "Encrypt");
        Assert.True(encrypt.Allowed && encrypt.Status == 200, encrypt.ToString());
        // The job is in Batch, with the ciphertext and not the secret.
        var job = (await L.BatchAsync("describejobs", new { jobs = new[] { jobId } }))["jobs"]![0]!;
        Assert.Equal(name, job["jobName"]!.GetValue<string>());
        Assert.DoesNotContain("wandb-secret-value", job.ToJsonString());
        Assert.Contains("SECRET_WANDB_API_KEY", job.ToJsonString());

        // The idempotency record is in the state bucket under the platform key (read back as admin).
        using (var admin = L.S3(L.Aws.AdminKey))
        {
            // (No Prefix parameter: moto verifies the signature of an encoded "/" in a query string differently from the SDK.)
            var records = (await admin.ListObjectsV2Async(new ListObjectsV2Request { BucketName = L.StateBucket })).S3Objects
                .Where(o => o.Key.StartsWith("training/idempotency/", StringComparison.Ordinal) && !o.Key.EndsWith("direct-check.json", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(records);
            foreach (var record in records)
            {
                var head = await admin.GetObjectMetadataAsync(L.StateBucket, record.Key);
                Assert.Equal(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
                Assert.Equal(L.KeyArn, head.ServerSideEncryptionKeyManagementServiceKeyId);
            }
        }

        // The replay reads the record (S3, moto) and decrypts the stored secret to compare it (KMS, allowed): same job.
        var (replay, replayBody) = await SubmitAsync(body, key);
        Assert.True(replay.StatusCode == HttpStatusCode.Created, Describe(replay, replayBody));
        Assert.Equal(jobId, JsonNode.Parse(replayBody)!["id"]!.GetValue<string>());
        var decrypt = L.Kms.Calls.Last(c => c.Operation == "Decrypt");
        Assert.True(decrypt.Allowed && decrypt.Status == 200, decrypt.ToString());
    }

    [Fact]
    public async Task A_multi_node_submission_resized_to_3_nodes_is_allowed_on_its_definition_and_the_multi_node_queue()
    {
        var body = $$"""{"name":"ddp-{{Guid.NewGuid().ToString("N")[..8]}}","definition":"ddp","nodes":3,"command":["torchrun","train.py"]}""";
        var (response, text) = await SubmitAsync(body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, Describe(response, text));
        var submit = L.Batch.Calls.Last(c => c.Operation == "SubmitJob" && c.Status == 200);
        Assert.Contains(submit.Decisions, d => d.Allowed && d.Resource.EndsWith(":job-definition/" + L.BatchNameOf("ddp") + ":1", StringComparison.Ordinal));
        // Batch runs no multi-node job on Spot: the sample's ddp goes to the queue of the on-demand environment, granted too.
        Assert.NotEqual(L.QueueArn, L.MultiNodeQueueArn);
        Assert.Contains(submit.Decisions, d => d.Allowed && d.Action == "batch:SubmitJob" && d.Resource == L.MultiNodeQueueArn);
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        Assert.Equal(L.MultiNodeQueueArn, (await L.BatchAsync("describejobs", new { jobs = new[] { id } }))["jobs"]![0]!["jobQueue"]!.GetValue<string>());

        // Listed (both queues: ListJobs on *, allowed) and described through the API.
        var listed = new List<string>();
        string? token = null;
        do
        {
            using var list = await L.Http.GetAsync("v1/training-jobs?status=SUCCEEDED" + (token is null ? "" : "&nextToken=" + Uri.EscapeDataString(token)));
            var page = await list.Content.ReadAsStringAsync();
            Assert.True(list.StatusCode == HttpStatusCode.OK, Describe(list, page));
            var node = JsonNode.Parse(page)!;
            listed.AddRange(node["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()));
            token = node["nextToken"]?.GetValue<string>();
        }
        while (token is not null && listed.Count < 1000);
        Assert.Contains(id, listed);
        using var describe = await L.Http.GetAsync($"v1/training-jobs/{id}");
        Assert.True(describe.StatusCode == HttpStatusCode.OK, Describe(describe, await describe.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Listing_describing_and_stopping_are_allowed()
    {
        var (submitted, body) = await SubmitAsync($$"""{"name":"read-{{Guid.NewGuid().ToString("N")[..8]}}","definition":"finetune","command":["python","train.py"]}""");
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, Describe(submitted, body));
        var id = JsonNode.Parse(body)!["id"]!.GetValue<string>();

        using var list = await L.Http.GetAsync("v1/training-jobs?status=SUCCEEDED");
        Assert.True(list.StatusCode == HttpStatusCode.OK, Describe(list, await list.Content.ReadAsStringAsync()));
        using var describe = await L.Http.GetAsync($"v1/training-jobs/{id}");
        Assert.True(describe.StatusCode == HttpStatusCode.OK, Describe(describe, await describe.Content.ReadAsStringAsync()));
        // moto runs the job to SUCCEEDED at once, so the handler answers 409 after an allowed DescribeJobs.
        using var stop = await L.Http.DeleteAsync($"v1/training-jobs/{id}");
        Assert.Equal(HttpStatusCode.Conflict, stop.StatusCode);
        foreach (var operation in new[] { "ListJobs", "DescribeJobs" })
            Assert.True(L.Batch.Calls.Last(c => c.Operation == operation).Allowed, operation);

        // Stopping a queued or running job: what IAM decides for the calls the handler would make, on the job as tagged.
        var job = $"arn:aws:batch:{TrainingPolicyLoop.Region}:{TrainingPolicyLoop.Account}:job/{id}";
        var tagged = new JsonObject { ["aws:ResourceTag/aws-model-platform:training-jobs"] = L.JobTag };
        Assert.True(L.Iam.Decide("batch:TerminateJob", job, tagged).Allowed);
        Assert.False(L.Iam.Decide("batch:CancelJob", job, tagged).Allowed); // not needed: TerminateJob cancels a job not yet started
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("batch:TerminateJob", $"arn:aws:batch:{TrainingPolicyLoop.Region}:210987654321:job/{id}", tagged).Result);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("batch:TerminateJob", job).Result); // the same job without the tag
    }

    [Fact]
    public async Task TerminateJob_is_allowed_only_on_jobs_tagged_for_these_training_jobs()
    {
        var (submitted, body) = await SubmitAsync($$"""{"name":"stop-{{Guid.NewGuid().ToString("N")[..8]}}","definition":"finetune","command":["python","train.py"]}""");
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, Describe(submitted, body));
        var ours = JsonNode.Parse(body)!["id"]!.GetValue<string>();
        var tags = (await L.BatchAsync("describejobs", new { jobs = new[] { ours } }))["jobs"]![0]!["tags"]!.AsObject();
        Assert.Equal(L.JobTag, tags["aws-model-platform:training-jobs"]!.GetValue<string>());

        // Jobs of the same queue submitted straight to Batch (another team's, or from before the tag): no job tag, or another value.
        async Task<string> Direct(Dictionary<string, string> jobTags) => (await L.BatchAsync("submitjob", new
        {
            jobName = "direct-" + Guid.NewGuid().ToString("N")[..8],
            jobQueue = L.QueueArn,
            jobDefinition = L.BatchNameOf("finetune"),
            tags = jobTags,
        }))["jobId"]!.GetValue<string>();
        var untagged = await Direct(new() { ["team"] = "other" });
        var otherValue = await Direct(new() { ["aws-model-platform:training-jobs"] = "Other-TrainingJobs-0000FFFF" });

        // TerminateJob as the handler user, through the Batch stand-in: IAM decides on the tags each job holds in Batch.
        using var handler = AuthorizingAwsProxy.SignedClient(L.Batch.Url, "batch", L.Aws.HandlerKey);
        async Task<ProxiedCall> Terminate(string id)
        {
            using var response = await handler.PostAsync("v1/terminatejob", Json($$"""{"jobId":"{{id}}","reason":"policy loop"}"""));
            return L.Batch.Calls.Last(c => c.Operation == "TerminateJob");
        }
        var allowed = await Terminate(ours);
        Assert.True(allowed.Allowed && allowed.Status == 200, allowed.ToString());
        foreach (var id in new[] { untagged, otherValue })
        {
            var denied = await Terminate(id);
            Assert.True(denied.Status == 403, denied.ToString());
            Assert.Equal("ImplicitlyDenied", Assert.Single(denied.Decisions).Result);
        }
    }

    [Fact]
    public async Task Tagging_at_submission_is_allowed_only_with_this_APIs_job_tag_and_the_handlers_keys()
    {
        var submission = Guid.NewGuid().ToString("N");
        Dictionary<string, string> HandlerTags() => new()
        {
            ["aws-model-platform:training-jobs"] = L.JobTag,
            ["aws-model-platform:submission"] = submission,
            ["aws-model-platform:definition"] = "finetune",
            ["aws-model-platform:output"] = $"s3://{L.Configuration["Training__OutputBucket"]}/jobs/j/{submission}/",
            ["aws-model-platform:checkpoints"] = $"s3://{L.Configuration["Training__CheckpointsBucket"]}/jobs/j/{submission}/",
            ["aws-model-platform:caller"] = TrainingPolicyLoop.CallerArn,
            ["aws-model-platform:caller-hash"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(TrainingPolicyLoop.CallerArn))),
        };
        // SubmitJob as the handler user, through the Batch stand-in: its tags are authorized as TagResource on the new job.
        using var handler = AuthorizingAwsProxy.SignedClient(L.Batch.Url, "batch", L.Aws.HandlerKey);
        async Task<ProxiedCall> Submit(Dictionary<string, string> tags)
        {
            var request = System.Text.Json.JsonSerializer.Serialize(new
            {
                jobName = "tagged-" + Guid.NewGuid().ToString("N")[..8],
                jobQueue = L.QueueArn,
                jobDefinition = L.BatchNameOf("finetune"),
                tags,
            });
            using var response = await handler.PostAsync("v1/submitjob", Json(request));
            return L.Batch.Calls.Last(c => c.Operation == "SubmitJob");
        }

        var exact = await Submit(HandlerTags());
        Assert.True(exact.Allowed && exact.Status == 200, exact.ToString());

        var extraKey = HandlerTags();
        extraKey["cost-center"] = "someone-elses";
        var withoutJobTag = HandlerTags();
        withoutJobTag.Remove("aws-model-platform:training-jobs");
        var otherJobTag = HandlerTags();
        otherJobTag["aws-model-platform:training-jobs"] = "Other-TrainingJobs-0000FFFF";
        foreach (var tags in new[] { extraKey, withoutJobTag, otherJobTag })
        {
            var denied = await Submit(tags);
            Assert.True(denied.Status == 403, denied.ToString());
            Assert.Equal("ImplicitlyDenied", Assert.Single(denied.Decisions, d => d.Action == "batch:TagResource").Result);
            Assert.All(denied.Decisions.Where(d => d.Action == "batch:SubmitJob"), d => Assert.True(d.Allowed, d.ToString()));
        }
    }

    [Fact]
    public async Task A_definition_or_queue_outside_the_grant_is_refused_by_IAM()
    {
        var (response, text) = await SubmitAsync($$"""{"name":"rogue-{{Guid.NewGuid().ToString("N")[..8]}}","definition":"rogue","command":["python","train.py"]}""");
        Assert.True(response.StatusCode == HttpStatusCode.BadGateway, Describe(response, text));
        Assert.Contains("upstream-auth", text);
        var denied = L.Batch.Calls.Last(c => c.Operation == "SubmitJob" && c.Status == 403);
        Assert.Contains(denied.Decisions, d => !d.Allowed && d.Resource.Contains(":job-definition/" + TrainingPolicyLoop.RogueDefinition, StringComparison.Ordinal));

        // The same handler pointed at another queue of the account cannot submit there either.
        using var misconfigured = await L.StartHandlerAsync(new Dictionary<string, string>(L.Configuration) { ["Training__JobQueue"] = TrainingPolicyLoop.RogueQueue });
        using var refused = await misconfigured.Http.PostAsync("v1/training-jobs", Json($$"""{"name":"elsewhere","definition":"finetune","command":["python","train.py"]}"""));
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        var queueDenied = L.Batch.Calls.Last(c => c.Operation == "SubmitJob" && c.Status == 403);
        Assert.Contains(queueDenied.Decisions, d => !d.Allowed && d.Resource.EndsWith(":job-queue/" + TrainingPolicyLoop.RogueQueue, StringComparison.Ordinal));
    }

    [Fact]
    public void The_platform_key_encrypts_only_job_secrets_under_their_context_and_otherwise_only_through_S3()
    {
        JsonObject Keys(params string[] keys) => new() { ["kms:EncryptionContextKeys"] = new JsonArray(keys.Select(k => (JsonNode)k).ToArray()) };
        Assert.True(L.Iam.Decide("kms:Encrypt", L.KeyArn, Keys(SecretContextKeys)).Allowed);
        Assert.True(L.Iam.Decide("kms:Decrypt", L.KeyArn, Keys(SecretContextKeys)).Allowed);
        // Without a context, with the job-name key missing, or with a key the handler never sets: refused.
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("kms:Encrypt", L.KeyArn).Result);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("kms:Encrypt", L.KeyArn, Keys("aws-model-platform:submission", "aws-model-platform:secret")).Result);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("kms:Decrypt", L.KeyArn, Keys([.. SecretContextKeys, "aws:s3:arn"])).Result);
        // Data keys only on S3's behalf (the SSE-KMS idempotency records), never directly.
        Assert.True(L.Iam.Decide("kms:GenerateDataKey", L.KeyArn, new JsonObject { ["kms:ViaService"] = "s3.us-east-1.amazonaws.com" }).Allowed);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("kms:GenerateDataKey", L.KeyArn).Result);
        // Another key: never.
        var otherKey = $"arn:aws:kms:{TrainingPolicyLoop.Region}:{TrainingPolicyLoop.Account}:key/00000000-0000-0000-0000-000000000000";
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("kms:Encrypt", otherKey, Keys(SecretContextKeys)).Result);
    }

    [Fact]
    public void The_job_role_decrypts_its_job_secrets_and_uses_the_key_for_training_data_only_through_S3()
    {
        var roleId = app.Training["Resources"]!.AsObject().Single(r => r.Key.StartsWith("TrainingJobRole", StringComparison.Ordinal) && r.Value!["Type"]!.GetValue<string>() == "AWS::IAM::Role").Key;
        var policy = new Intrinsics(app.Training, app.Foundation, TrainingPolicyLoop.Account, TrainingPolicyLoop.Region, L.KeyArn).RolePolicy(roleId);
        using var job = new PolicySimulator($"arn:aws:iam::{TrainingPolicyLoop.Account}:role/{roleId}", TrainingPolicyLoop.Account, policy,
            new Dictionary<string, JsonObject> { [L.KeyArn] = new Intrinsics(app.Foundation, null, TrainingPolicyLoop.Account, TrainingPolicyLoop.Region, L.KeyArn).KeyPolicy() });
        JsonObject Keys(params string[] keys) => new() { ["kms:EncryptionContextKeys"] = new JsonArray(keys.Select(k => (JsonNode)k).ToArray()) };
        Assert.True(job.Decide("kms:Decrypt", L.KeyArn, Keys(SecretContextKeys)).Allowed);
        Assert.Equal("ImplicitlyDenied", job.Decide("kms:Encrypt", L.KeyArn, Keys(SecretContextKeys)).Result);
        Assert.Equal("ImplicitlyDenied", job.Decide("kms:Decrypt", L.KeyArn).Result);
        // Lambda environment variables under the platform key carry another context: a job cannot decrypt them.
        Assert.Equal("ImplicitlyDenied", job.Decide("kms:Decrypt", L.KeyArn, Keys("LambdaFunctionName")).Result);
        var throughS3 = new JsonObject { ["kms:ViaService"] = "s3.us-east-1.amazonaws.com" };
        Assert.True(job.Decide("kms:GenerateDataKey", L.KeyArn, throughS3).Allowed);
        Assert.True(job.Decide("s3:GetObject", $"arn:aws:s3:::{L.DatasetsBucket}/corpus/part-0").Allowed);
        Assert.Equal("ImplicitlyDenied", job.Decide("s3:PutObject", $"arn:aws:s3:::{L.DatasetsBucket}/corpus/part-0").Result);
        Assert.Equal("ImplicitlyDenied", job.Decide("s3:GetObject", $"arn:aws:s3:::{L.StateBucket}/training/idempotency/x.json").Result);
    }

    [Fact]
    public async Task The_handler_may_write_only_idempotency_records_and_read_no_training_data()
    {
        Assert.Equal(HttpStatusCode.OK, await L.Aws.PutAsHandlerAsync(L.StateBucket, "training/idempotency/direct-check.json"));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(L.StateBucket, "elsewhere/x.json"));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(L.DatasetsBucket, "corpus/forged"));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(L.Configuration["Training__OutputBucket"], "jobs/forged/model.bin"));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(TrainingPolicyLoop.OtherBucket, "x"));
        using var handler = L.S3(L.Aws.HandlerKey);
        var read = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => handler.GetObjectAsync(L.DatasetsBucket, "corpus/anything"));
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
    }

    private async Task<(HttpResponseMessage Response, string Body)> SubmitAsync(string body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/training-jobs") { Content = Json(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        var response = await L.Http.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private string Describe(HttpResponseMessage response, string body) =>
        $"{(int)response.StatusCode} {body}\nbatch: {string.Join("\n", L.Batch.Calls.TakeLast(3))}\nkms: {string.Join("\n", L.Kms.Calls.TakeLast(3))}\nhandler:\n{L.Handler.Log()}";
}
