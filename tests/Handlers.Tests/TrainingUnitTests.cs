using System.Net;
using System.Text;
using System.Text.Json;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>Training rules that need no process: configuration, dataset URIs, and cancel-or-terminate against a scripted Batch.</summary>
public sealed class TrainingUnitTests
{
    private static readonly Dictionary<string, string?> Config = new()
    {
        ["Training:JobQueue"] = "training-queue",
        ["Training:JobDefinitions:0:Name"] = "finetune",
        ["Training:JobDefinitions:0:BatchName"] = "platform-training-finetune",
        ["Training:DatasetsBucket"] = "datasets",
        ["Training:OutputBucket"] = "outputs",
        ["Training:StateBucket"] = "state",
        ["Training:KeyId"] = "alias/platform",
        ["Training:AllowedInstanceTypes"] = "g5.12xlarge",
        ["Training:JobTag"] = JobTag,
    };

    private const string JobTag = "Training-TrainingJobs-ABCD1234";

    internal static TrainingCatalog Catalog(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new TrainingSettings();
        configuration.GetSection(TrainingSettings.Section).Bind(options);
        return new TrainingCatalog(Options.Create(options), configuration);
    }

    [Theory]
    [InlineData("Training:JobQueue", null, "Training:JobQueue is required")]
    [InlineData("Training:KeyId", "", "Training:KeyId is required")]
    [InlineData("Training:AllowedInstanceTypes", "g5.12xlarge,m5.large", "'m5.large' is not a supported GPU instance type")]
    [InlineData("Training:DatasetsBucket", "Not_A_Bucket", "Training:DatasetsBucket")]
    [InlineData("Training:JobDefinitions:0:BatchName", "bad name!", "Training:JobDefinitions:0:BatchName (definition 'finetune')")]
    [InlineData("Training:MaxRuntimeSeconds", "30", "below Batch's minimum")]
    [InlineData("Training:JobVisibility", "Everyone", "'Everyone' is not Caller or Shared")]
    [InlineData("Training:JobDefinitions:0:Gpus", "5", "Training:JobDefinitions:0:Gpus (definition 'finetune'): '5' is not a GPU count of 1..4")]
    [InlineData("Training:JobDefinitions:0:AttemptTimeoutSeconds", "59", "Training:JobDefinitions:0:AttemptTimeoutSeconds (definition 'finetune'): '59' is not an attempt timeout")]
    [InlineData("Training:JobTag", null, "Training:JobTag is required")]
    [InlineData("Training:JobTag", "queue,other", "Training:JobTag: 'queue,other' is not a Batch tag value")]
    public void Incomplete_or_invalid_configuration_fails_naming_the_key(string key, string? value, string message)
    {
        var values = new Dictionary<string, string?>(Config) { [key] = value };
        var e = Assert.Throws<OptionsValidationException>(() => Catalog(values));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(null, nameof(JobVisibility.Caller))]
    [InlineData("caller", nameof(JobVisibility.Caller))]
    [InlineData("Shared", nameof(JobVisibility.Shared))]
    public void Job_visibility_is_caller_unless_configured_shared(string? value, string expected)
    {
        var values = new Dictionary<string, string?>(Config) { ["Training:JobVisibility"] = value };
        Assert.Equal(expected, Catalog(values).JobVisibility.ToString());
    }

    [Fact]
    public void No_training_section_means_not_configured_501()
    {
        var catalog = Catalog([]);
        Assert.False(catalog.IsConfigured);
        Assert.Equal(501, Assert.Throws<ApiProblemException>(() => catalog.EnsureConfigured()).Problem.Status);
    }

    [Theory]
    [InlineData("s3://datasets", "s3://datasets/")]
    [InlineData("s3://datasets/", "s3://datasets/")]
    [InlineData("s3://datasets/corpus/v1/part-0001.parquet", "s3://datasets/corpus/v1/part-0001.parquet")]
    [InlineData("s3://datasets/year=2026/(copy)/it's.json", "s3://datasets/year=2026/(copy)/it's.json")]
    public void Dataset_uris_inside_the_bucket_are_accepted(string uri, string expected) => Assert.Equal(expected, DatasetUri.Validate(uri, "datasets"));

    [Theory]
    [InlineData("s3://datasets-other/x")]
    [InlineData("s3://datasetsx")]
    [InlineData("s3://DATASETS/x")]
    [InlineData("s3:/datasets/x")]
    [InlineData("s3:///datasets/x")]
    [InlineData("s3://datasets/./x")]
    [InlineData("s3://datasets/x/..")]
    [InlineData("s3://datasets/x/%2F..%2Fy")]
    [InlineData("s3://datasets/x y")]
    [InlineData("s3://datasets/x#frag")]
    [InlineData("s3://datasets/\u00e9")]
    [InlineData("s3://datasets:443/x")]
    [InlineData(" s3://datasets/x")]
    [InlineData("s3://datasets/x\n")]
    [InlineData("s3://datasets\n")]
    public void Dataset_uris_elsewhere_or_disguised_are_refused(string uri)
    {
        var e = Assert.Throws<ApiProblemException>(() => DatasetUri.Validate(uri, "datasets"));
        Assert.EndsWith("dataset-outside-bucket", e.Problem.Type);
    }

    [Theory]
    [InlineData("RUNNABLE", "cancelled")]
    [InlineData("SUBMITTED", "cancelled")]
    [InlineData("PENDING", "cancelled")]
    [InlineData("STARTING", "terminated")]
    [InlineData("RUNNING", "terminated")]
    public async Task Delete_always_calls_TerminateJob_and_reports_cancel_or_terminate_from_the_status_seen(string status, string action)
    {
        // CancelJob does nothing to a job that moved to STARTING after DescribeJobs; TerminateJob stops it in any state.
        const string operation = "terminatejob";
        var batch = new ScriptedBatch(status, "arn:aws:batch:us-east-1:123456789012:job-queue/training-queue");
        var stopped = await Service(batch).StopAsync(ScriptedBatch.JobId, "superseded by run 7", "caller", CancellationToken.None);
        Assert.Equal(action, stopped.Action);
        Assert.Equal(status, stopped.PreviousStatus);
        var call = Assert.Single(batch.Calls, c => c.Path != "/v1/describejobs");
        Assert.Equal("/v1/" + operation, call.Path);
        using var body = JsonDocument.Parse(call.Body);
        Assert.Equal(ScriptedBatch.JobId, body.RootElement.GetProperty("jobId").GetString());
        Assert.Equal("superseded by run 7", body.RootElement.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Other-TrainingJobs-0000FFFF")]
    public async Task Delete_of_a_job_without_this_APIs_job_tag_is_409_and_never_reaches_TerminateJob(string? jobTag)
    {
        // The role may stop only jobs tagged with Training:JobTag: Batch would refuse, and the caller would see a 502.
        var batch = new ScriptedBatch("RUNNING", "arn:aws:batch:us-east-1:123456789012:job-queue/training-queue") { JobTag = jobTag };
        var e = await Assert.ThrowsAsync<ApiProblemException>(() => Service(batch).StopAsync(ScriptedBatch.JobId, "r", "caller", CancellationToken.None));
        Assert.Equal(409, e.Problem.Status);
        Assert.EndsWith("job-not-stoppable", e.Problem.Type);
        Assert.DoesNotContain(batch.Calls, c => c.Path != "/v1/describejobs");
    }

    [Fact]
    public async Task Delete_refuses_a_job_of_another_queue_as_not_found()
    {
        var batch = new ScriptedBatch("RUNNING", "arn:aws:batch:us-east-1:123456789012:job-queue/someone-elses-queue");
        var e = await Assert.ThrowsAsync<ApiProblemException>(() => Service(batch).StopAsync(ScriptedBatch.JobId, "r", "caller", CancellationToken.None));
        Assert.Equal(404, e.Problem.Status);
        Assert.DoesNotContain(batch.Calls, c => c.Path != "/v1/describejobs");
    }

    [Fact]
    public async Task Batch_throttling_is_retried_then_a_429_problem()
    {
        var batch = new ScriptedBatch("RUNNING", "x") { Throttle = true };
        var e = await Assert.ThrowsAsync<ApiProblemException>(() => Service(batch).DescribeAsync(ScriptedBatch.JobId, "caller", CancellationToken.None));
        Assert.Equal(429, e.Problem.Status);
        Assert.Equal("TooManyRequestsException", e.Problem.ErrorType);
        Assert.Equal(3, batch.Calls.Count);
    }

    [Fact]
    public async Task Batch_that_does_not_answer_within_the_deadline_is_a_504_problem()
    {
        var batch = new ScriptedBatch("RUNNING", "x") { Delay = TimeSpan.FromSeconds(30) };
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ApiProblemException>(() => Service(batch, timeoutSeconds: 1).DescribeAsync(ScriptedBatch.JobId, "caller", CancellationToken.None));
        Assert.Equal(504, e.Problem.Status);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), started.Elapsed.ToString());
    }

    private static readonly Dictionary<string, string?> MultiNodeConfig = new(Config)
    {
        ["Training:JobDefinitions:1:Name"] = "ddp",
        ["Training:JobDefinitions:1:BatchName"] = "platform-training-ddp",
        ["Training:JobDefinitions:1:Nodes"] = "2",
        ["Training:JobDefinitions:1:MaxNodes"] = "4",
        ["Training:JobDefinitions:1:AttemptTimeoutSeconds"] = "3600",
        ["Training:MaxRuntimeSeconds"] = "7200",
    };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task A_multi_node_job_of_another_size_sends_numNodes_and_one_override_for_every_node(int nodes)
    {
        using var body = await SubmittedBody($$"""{"name":"j","definition":"ddp","nodes":{{nodes}},"command":["torchrun","train.py"]}""");
        var overrides = body.RootElement.GetProperty("nodeOverrides");
        Assert.Equal(nodes, overrides.GetProperty("numNodes").GetInt32());
        var range = Assert.Single(overrides.GetProperty("nodePropertyOverrides").EnumerateArray());
        Assert.Equal("0:", range.GetProperty("targetNodes").GetString());
        var env = range.GetProperty("containerOverrides").GetProperty("environment").EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("value").GetString());
        Assert.Equal(nodes.ToString(), env["NNODES"]);
        Assert.False(body.RootElement.TryGetProperty("containerOverrides", out _));
    }

    [Theory]
    [InlineData("""{"name":"j","definition":"ddp","nodes":2}""")]
    [InlineData("""{"name":"j","definition":"ddp"}""")]
    public async Task A_multi_node_job_of_the_definitions_size_leaves_numNodes_to_the_definition(string json)
    {
        using var body = await SubmittedBody(json);
        var overrides = body.RootElement.GetProperty("nodeOverrides");
        Assert.False(overrides.TryGetProperty("numNodes", out _));
        Assert.Equal("0:", Assert.Single(overrides.GetProperty("nodePropertyOverrides").EnumerateArray()).GetProperty("targetNodes").GetString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void More_nodes_than_MaxNodes_or_none_is_a_400_naming_the_range(int nodes)
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(
            Encoding.UTF8.GetBytes($$"""{"name":"j","definition":"ddp","nodes":{{nodes}}}"""), Catalog(MultiNodeConfig)));
        Assert.Equal(400, e.Problem.Status);
        Assert.EndsWith("too-many-nodes", e.Problem.Type);
        Assert.Contains("1..4", e.Problem.Detail);
    }

    [Theory]
    [InlineData("""{"name":"\ud800","definition":"finetune"}""")]
    [InlineData("""{"name":"j","definition":"finetune","hyperparameters":{"\ud800":"1"}}""")]
    [InlineData("""{"name":"j","definition":"finetune","hyperparameters":{"lr":"\udfff"}}""")]
    [InlineData("""{"name":"j","definition":"finetune","secrets":{"HF_TOKEN":"hf_\ud800"}}""")]
    [InlineData("""{"name":"j","definition":"finetune","command":["python","\ud800"]}""")]
    [InlineData("""{"\udc00":"j","definition":"finetune"}""")]
    public void Lone_surrogate_escapes_are_malformed_json_not_a_crash(string json)
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(Encoding.UTF8.GetBytes(json), Catalog(Config)));
        Assert.Equal(400, e.Problem.Status);
        Assert.EndsWith("malformed-json", e.Problem.Type);
        Assert.DoesNotContain("hf_", e.Problem.Detail);
    }

    [Theory]
    [InlineData("""{"name":"j\n","definition":"finetune"}""")]
    [InlineData("""{"name":"j","definition":"finetune","hyperparameters":{"lr\n":"1"}}""")]
    [InlineData("""{"name":"j","definition":"finetune","secrets":{"HF_TOKEN\n":"hf_x"}}""")]
    public void A_trailing_newline_is_not_part_of_a_valid_name(string json)
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(Encoding.UTF8.GetBytes(json), Catalog(Config)));
        Assert.Equal(400, e.Problem.Status);
        Assert.EndsWith("bad-request", e.Problem.Type);
    }

    [Fact]
    public void A_dataset_uri_with_a_trailing_newline_is_refused_in_a_submission()
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(
            Encoding.UTF8.GetBytes("""{"name":"j","definition":"finetune","datasetUri":"s3://datasets/x\n"}"""), Catalog(Config)));
        Assert.EndsWith("dataset-outside-bucket", e.Problem.Type);
    }

    [Theory]
    [InlineData("""{"name":"j","definition":"finetune"}""", "finetune")]
    [InlineData("""{"name":"j","definition":"ddp","nodes":3}""", "ddp")]
    public async Task Every_job_is_tagged_with_the_job_tag_and_only_with_the_keys_the_role_allows(string json, string definition)
    {
        using var body = await SubmittedBody(json);
        var tags = body.RootElement.GetProperty("tags").EnumerateObject().ToDictionary(t => t.Name, t => t.Value.GetString());
        Assert.Equal(JobTag, tags[JobTags.TrainingJobs]);
        Assert.Equal(definition, tags[JobTags.Definition]);
        Assert.Equal("caller", tags[JobTags.Caller]);
        // sha256("caller"), hex: what visibility compares (the readable tag is not unique).
        Assert.Equal(64, tags[JobTags.CallerHash]!.Length); // fits Batch's tag values (≤ 256, hex is in the charset)
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("caller"u8)), tags[JobTags.CallerHash]);
        Assert.All(tags.Keys, k => Assert.Contains(k, JobTags.Keys)); // the role's aws:TagKeys condition
    }

    [Theory]
    [InlineData("""{"name":"j","definition":"finetune"}""")]
    [InlineData("""{"name":"j","definition":"ddp"}""")]
    public async Task Without_maxRuntimeSeconds_no_timeout_is_sent_so_the_definitions_own_applies(string json)
    {
        using var body = await SubmittedBody(json);
        Assert.False(body.RootElement.TryGetProperty("timeout", out _));
    }

    [Theory]
    [InlineData("""{"name":"j","definition":"finetune","maxRuntimeSeconds":7200}""", 7200)]
    [InlineData("""{"name":"j","definition":"ddp","maxRuntimeSeconds":60}""", 60)]
    [InlineData("""{"name":"j","definition":"ddp","maxRuntimeSeconds":3600}""", 3600)]
    public async Task A_given_maxRuntimeSeconds_is_sent_as_the_attempt_timeout(string json, int seconds)
    {
        using var body = await SubmittedBody(json);
        Assert.Equal(seconds, body.RootElement.GetProperty("timeout").GetProperty("attemptDurationSeconds").GetInt32());
    }

    [Theory]
    [InlineData("ddp", 3601, "60..3600")] // above the definition's own timeout, below the cap: may lower it, never raise it
    [InlineData("finetune", 7201, "60..7200")] // the definition's timeout is not configured: the cap
    [InlineData("ddp", 59, "60..3600")]
    public void A_maxRuntimeSeconds_above_the_definitions_timeout_or_the_cap_is_a_400_naming_the_range(string definition, int seconds, string range)
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(
            Encoding.UTF8.GetBytes($$"""{"name":"j","definition":"{{definition}}","maxRuntimeSeconds":{{seconds}}}"""), Catalog(MultiNodeConfig)));
        Assert.Equal(400, e.Problem.Status);
        Assert.Contains(range, e.Problem.Detail);
    }

    [Fact]
    public void Omitting_maxRuntimeSeconds_and_giving_it_are_different_submissions_for_idempotency()
    {
        var catalog = Catalog(MultiNodeConfig);
        var omitted = TrainingRequestParser.Parse("""{"name":"j","definition":"ddp"}"""u8, catalog);
        var given = TrainingRequestParser.Parse("""{"name":"j","definition":"ddp","maxRuntimeSeconds":3600}"""u8, catalog);
        Assert.Null(omitted.MaxRuntimeSeconds);
        Assert.NotEqual(omitted.Fingerprint(), given.Fingerprint());
    }

    /// <summary>Parses <paramref name="json"/> as the API would, submits it to a scripted Batch, and returns the SubmitJob body sent.</summary>
    private static async Task<JsonDocument> SubmittedBody(string json)
    {
        var catalog = Catalog(MultiNodeConfig);
        var batch = new ScriptedBatch("SUBMITTED", "training-queue");
        var submission = TrainingRequestParser.Parse(Encoding.UTF8.GetBytes(json), catalog);
        await Service(batch, catalog: catalog).SubmitAsync(submission, idempotencyKey: null, "caller", CancellationToken.None);
        return JsonDocument.Parse(Assert.Single(batch.Calls, c => c.Path == "/v1/submitjob").Body);
    }

    [Theory]
    [InlineData("RUNNING")]
    [InlineData("SUCCEEDED")]
    public async Task Another_callers_job_is_not_found_and_never_stopped(string status)
    {
        var batch = new ScriptedBatch(status, "arn:aws:batch:us-east-1:123456789012:job-queue/training-queue");
        Assert.Null(await Service(batch).DescribeAsync(ScriptedBatch.JobId, "someone-else", CancellationToken.None));
        var e = await Assert.ThrowsAsync<ApiProblemException>(() => Service(batch).StopAsync(ScriptedBatch.JobId, "r", "someone-else", CancellationToken.None));
        Assert.Equal(404, e.Problem.Status); // not 409 for the finished one: no hint that the job exists
        Assert.Equal(TrainingService.JobNotFound(ScriptedBatch.JobId).Problem, e.Problem);
        Assert.DoesNotContain(batch.Calls, c => c.Path != "/v1/describejobs");
    }

    [Fact]
    public async Task Listing_with_caller_visibility_describes_the_page_once_keeps_its_order_and_its_next_token()
    {
        var listing = new ScriptedListing(
            ("11111111-1111-1111-1111-111111111111", "arn:aws:iam::1:user/a"),
            ("22222222-2222-2222-2222-222222222222", "arn:aws:iam::1:user/b"),
            ("33333333-3333-3333-3333-333333333333", null), // submitted straight to Batch: no caller tag
            ("44444444-4444-4444-4444-444444444444", "arn:aws:iam::1:user/a"));
        var page = await Service(listing).ListAsync(null, 4, null, "arn:aws:iam::1:user/a", CancellationToken.None);
        Assert.Equal(["11111111-1111-1111-1111-111111111111", "44444444-4444-4444-4444-444444444444"], page.JobSummaryList.Select(j => j.JobId));
        Assert.Equal("0.next-page", page.NextToken); // fewer than the limit, and still a next page (Batch's, with the queue index)
        var describe = Assert.Single(listing.Calls, c => c.Path == "/v1/describejobs");
        Assert.Equal(4, JsonDocument.Parse(describe.Body).RootElement.GetProperty("jobs").GetArrayLength());

        // Nobody's jobs on this page: an empty page that still pages on.
        var empty = await Service(listing).ListAsync(null, 4, null, "arn:aws:iam::1:user/c", CancellationToken.None);
        Assert.Empty(empty.JobSummaryList);
        Assert.Equal("0.next-page", empty.NextToken);

        // Shared: the page as Batch listed it, no DescribeJobs.
        var shared = new ScriptedListing(("11111111-1111-1111-1111-111111111111", "x"));
        Assert.Single((await Service(shared, visibility: "Shared").ListAsync(null, 4, null, "anyone", CancellationToken.None)).JobSummaryList);
        Assert.DoesNotContain(shared.Calls, c => c.Path == "/v1/describejobs");
    }

    [Fact]
    public async Task Callers_whose_readable_tags_collide_never_see_each_others_jobs()
    {
        // A role session name is chosen by whoever assumes the role: ',' is allowed there and becomes '_' in the readable tag.
        const string a = "arn:aws:sts::1:assumed-role/trainer/alice,ops";
        const string b = "arn:aws:sts::1:assumed-role/trainer/alice_ops";
        var prefix = "arn:aws:iam::1:user/" + new string('x', 300); // identical in their first 256 characters
        var listing = new ScriptedListing(
            ("11111111-1111-1111-1111-111111111111", a),
            ("22222222-2222-2222-2222-222222222222", b),
            ("33333333-3333-3333-3333-333333333333", prefix + "-one"),
            ("44444444-4444-4444-4444-444444444444", prefix + "-two"));
        async Task<string[]> Visible(string caller) =>
            (await Service(listing).ListAsync(null, 5, null, caller, CancellationToken.None)).JobSummaryList.Select(j => j.JobId[..1]).ToArray();

        Assert.Equal(["1"], await Visible(a));
        Assert.Equal(["2"], await Visible(b));
        Assert.Equal(["3"], await Visible(prefix + "-one"));
        Assert.Equal(["4"], await Visible(prefix + "-two"));
        Assert.Empty(await Visible("arn:aws:iam::1:user/other"));
        Assert.Null(await Service(listing).DescribeAsync("11111111-1111-1111-1111-111111111111", b, CancellationToken.None));
        Assert.NotNull(await Service(listing).DescribeAsync("11111111-1111-1111-1111-111111111111", a, CancellationToken.None));
    }

    [Fact]
    public async Task A_submission_batch_refuses_marks_its_record_failed_and_a_retry_of_the_same_body_submits_anew()
    {
        var catalog = Catalog(Config);
        var s3 = new InMemoryS3();
        var batch = new ScriptedSubmit((400, """{"__type":"ClientException","message":"Job definition platform-training-finetune does not exist"}"""));
        var service = Service(batch, catalog: catalog, s3: s3.Client());
        var body = TrainingRequestParser.Parse("""{"name":"j","definition":"finetune"}"""u8, catalog);
        const string key = "retry-after-400";

        var refused = await Assert.ThrowsAsync<ApiProblemException>(() => service.SubmitAsync(body, key, "caller", CancellationToken.None));
        Assert.Equal((400, "https://awsmodelplatform.dev/problems/upstream-validation"), (refused.Problem.Status, refused.Problem.Type));
        var store = new IdempotencyStore(s3.Client(), catalog, Options.Create(new TrainingSettings()));
        var failed = (await store.GetAsync(store.KeyFor("caller", key), CancellationToken.None))!.Record;
        Assert.Null(failed.JobId);
        Assert.Equal((400, refused.Problem.Type), (failed.Failure!.Status, failed.Failure.Type));
        Assert.Contains("does not exist", failed.Failure.Detail);

        // Another body with the key is still a conflict, and reaches no Batch.
        var other = TrainingRequestParser.Parse("""{"name":"j","definition":"finetune","gpus":2}"""u8, catalog);
        var reused = await Assert.ThrowsAsync<ApiProblemException>(() => service.SubmitAsync(other, key, "caller", CancellationToken.None));
        Assert.EndsWith("idempotency-key-reused", reused.Problem.Type);
        Assert.Single(batch.Calls);

        // The same body at once (no PendingSubmissionSeconds to wait): taken over, submitted, completed; then replayed.
        var (job, replayed) = await service.SubmitAsync(body, key, "caller", CancellationToken.None);
        Assert.False(replayed);
        Assert.Equal(ScriptedSubmit.JobId, job.JobId);
        var completed = (await store.GetAsync(store.KeyFor("caller", key), CancellationToken.None))!.Record;
        Assert.Equal((ScriptedSubmit.JobId, null, failed.SubmissionId), (completed.JobId, completed.Failure, completed.SubmissionId));
        Assert.True((await service.SubmitAsync(body, key, "caller", CancellationToken.None)).Replayed);
        Assert.Equal(2, batch.Calls.Count);
    }

    [Theory]
    [InlineData(429, """{"__type":"TooManyRequestsException","message":"Rate exceeded"}""")]
    [InlineData(500, """{"__type":"ServerException","message":"Internal"}""")]
    public async Task A_submission_that_may_have_reached_batch_leaves_its_record_pending(int status, string error)
    {
        // Throttled (after the retries) or a 5xx: not a definite refusal, so the record stays pending and a retry waits.
        var catalog = Catalog(Config);
        var s3 = new InMemoryS3();
        var batch = new ScriptedSubmit(Enumerable.Repeat((status, error), 3).ToArray());
        var service = Service(batch, catalog: catalog, s3: s3.Client());
        var body = TrainingRequestParser.Parse("""{"name":"j","definition":"finetune"}"""u8, catalog);
        await Assert.ThrowsAsync<ApiProblemException>(() => service.SubmitAsync(body, "k", "caller", CancellationToken.None));
        var store = new IdempotencyStore(s3.Client(), catalog, Options.Create(new TrainingSettings()));
        var pending = (await store.GetAsync(store.KeyFor("caller", "k"), CancellationToken.None))!.Record;
        Assert.Equal((null, null), (pending.JobId, pending.Failure));
        var again = await Assert.ThrowsAsync<ApiProblemException>(() => service.SubmitAsync(body, "k", "caller", CancellationToken.None));
        Assert.EndsWith("submission-in-progress", again.Problem.Type);
    }

    [Fact]
    public void Training_metrics_count_errors_client_errors_and_throttles_per_operation()
    {
        JsonElement Line(int status, TrainingMetrics metrics)
        {
            var output = new MemoryStream();
            new RequestLog(output).Write(new RequestRecord("r", "c", "POST", "/v1/training-jobs", null, status, false, 12.5, null, null, metrics));
            return JsonDocument.Parse(output.ToArray()).RootElement.Clone();
        }
        var throttled = Line(429, TrainingMetrics.List);
        Assert.Equal((1, 1, 0), (throttled.GetProperty("Throttles").GetInt32(), throttled.GetProperty("ClientErrors").GetInt32(), throttled.GetProperty("Errors").GetInt32()));
        var failed = Line(503, TrainingMetrics.Stop);
        Assert.Equal((0, 0, 1), (failed.GetProperty("Throttles").GetInt32(), failed.GetProperty("ClientErrors").GetInt32(), failed.GetProperty("Errors").GetInt32()));
        Assert.Equal("Stop", failed.GetProperty("Operation").GetString());
        Assert.Equal("Error", failed.GetProperty("Level").GetString());
        Assert.Equal(ApiOptions.DefaultName, failed.GetProperty("Api").GetString()); // a RequestLog not told its API

        // A definition without configured GPUs, a job without gpus: the job is counted, its GPUs are not guessed.
        var unknownGpus = Line(201, TrainingMetrics.Submitted(new TrainingDefinition("finetune", "platform-finetune", 1, 1), null, 1));
        var directive = unknownGpus.GetProperty("_aws").GetProperty("CloudWatchMetrics")[1];
        Assert.Equal(["JobsSubmitted"], directive.GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString()));
        Assert.Equal(1, unknownGpus.GetProperty("JobsSubmitted").GetInt32());
        Assert.False(unknownGpus.TryGetProperty("GpusRequested", out _));
        var known = Line(201, TrainingMetrics.Submitted(new TrainingDefinition("ddp", "platform-ddp", 2, 2, Gpus: 4), null, 2));
        Assert.Equal(8, known.GetProperty("GpusRequested").GetInt32());
    }

    private static TrainingService Service(HttpMessageHandler batch, double timeoutSeconds = 5, string visibility = "Caller", TrainingCatalog? catalog = null, Amazon.S3.IAmazonS3? s3 = null)
    {
        catalog ??= Catalog(new Dictionary<string, string?>(Config) { ["Training:JobVisibility"] = visibility });
        var options = Options.Create(new TrainingSettings { BatchTimeoutSeconds = timeoutSeconds });
        return new TrainingService(new BatchClient(new HttpClient(batch) { BaseAddress = new Uri("https://batch.us-east-1.amazonaws.com/") }),
            catalog, new TrainingSecrets(null!, catalog), new IdempotencyStore(s3!, catalog, options), options, TimeProvider.System, NullLogger<TrainingService>.Instance);
    }

    /// <summary>Answers SubmitJob with these (status, body) answers in turn, then with a job; records every call.</summary>
    private sealed class ScriptedSubmit(params (int Status, string Body)[] answers) : HttpMessageHandler
    {
        public const string JobId = "6a1f7a55-3f4b-4f0e-9d3c-2b7e1c8e9a10";
        private readonly Queue<(int Status, string Body)> _answers = new(answers);
        public List<string> Calls { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            lock (Calls) Calls.Add(request.RequestUri!.AbsolutePath);
            Assert.Equal("/v1/submitjob", request.RequestUri.AbsolutePath);
            await Task.Yield();
            var (status, body) = _answers.TryDequeue(out var a) ? a : (200, $$"""{"jobId":"{{JobId}}","jobName":"j"}""");
            return new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }

    /// <summary>S3 objects in memory with conditional PutObject (<c>If-None-Match: *</c>, <c>If-Match</c>), behind a real S3 client.</summary>
    private sealed class InMemoryS3 : HttpMessageHandler
    {
        private readonly Dictionary<string, (byte[] Body, string ETag)> _objects = [];

        public Amazon.S3.IAmazonS3 Client() => new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("a", "b"), new Amazon.S3.AmazonS3Config
        {
            ServiceURL = "https://s3.example.test",
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            HttpClientFactory = new Factory(this),
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
        });

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var path = request.RequestUri!.AbsolutePath;
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(ct);
            if (request.Headers.TryGetValues("x-amz-content-sha256", out var sha) && sha.Single().StartsWith("STREAMING-", StringComparison.Ordinal))
                body = Unchunk(body);
            lock (_objects)
            {
                var exists = _objects.TryGetValue(path, out var current);
                if (request.Method == HttpMethod.Get)
                {
                    if (!exists) return Error(HttpStatusCode.NotFound, "NoSuchKey");
                    var ok = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(current.Body) };
                    ok.Headers.TryAddWithoutValidation("ETag", current.ETag);
                    ok.Content.Headers.ContentType = new("application/json");
                    return ok;
                }
                Assert.Equal(HttpMethod.Put, request.Method);
                if (request.Headers.IfNoneMatch.Count > 0 && exists) return Error(HttpStatusCode.PreconditionFailed, "PreconditionFailed");
                if (request.Headers.TryGetValues("If-Match", out var match) && (!exists || match.Single() != current.ETag))
                    return Error(HttpStatusCode.PreconditionFailed, "PreconditionFailed");
                var etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(body))}\""; // as S3's (the client checks it)
                _objects[path] = (body, etag);
                var put = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
                put.Headers.TryAddWithoutValidation("ETag", etag);
                return put;
            }
        }

        /// <summary>The payload of an aws-chunked body (<c>{hex size};chunk-signature=…\r\n{data}\r\n</c>…, ending with size 0).</summary>
        private static byte[] Unchunk(byte[] chunked)
        {
            var payload = new List<byte>();
            var at = 0;
            while (true)
            {
                var eol = Array.IndexOf(chunked, (byte)'\n', at);
                var header = Encoding.ASCII.GetString(chunked, at, eol - at).TrimEnd('\r');
                var size = Convert.ToInt32(header.Split(';')[0], 16);
                if (size == 0) return [.. payload];
                payload.AddRange(chunked.AsSpan(eol + 1, size).ToArray());
                at = eol + 1 + size + 2;
            }
        }

        private static HttpResponseMessage Error(HttpStatusCode status, string code) =>
            new(status) { Content = new StringContent($"<Error><Code>{code}</Code><Message>{code}</Message></Error>", Encoding.UTF8, "application/xml") };

        private sealed class Factory(HttpMessageHandler handler) : Amazon.Runtime.HttpClientFactory
        {
            public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) => new(handler, disposeHandler: false);
        }
    }

    private static string Readable(string caller) =>
        new(caller.Take(256).Select(c => char.IsLetterOrDigit(c) || c is ' ' or '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@' ? c : '_').ToArray());

    /// <summary>
    /// Answers ListJobs with these jobs and a next token, and DescribeJobs with them tagged with their callers as the
    /// handler tags them.
    /// </summary>
    private sealed class ScriptedListing(params (string Id, string? Caller)[] jobs) : HttpMessageHandler
    {
        public List<(string Path, string Body)> Calls { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
            lock (Calls) Calls.Add((request.RequestUri!.AbsolutePath, body));
            object answer = request.RequestUri.AbsolutePath == "/v1/listjobs"
                ? new { jobSummaryList = jobs.Select(j => new { jobId = j.Id, jobName = "j", status = "RUNNING" }), nextToken = "next-page" }
                : new
                {
                    jobs = JsonDocument.Parse(body).RootElement.GetProperty("jobs").EnumerateArray().Select(id => jobs.Single(j => j.Id == id.GetString())).Select(j => new
                    {
                        jobId = j.Id, jobName = "j", jobQueue = "arn:aws:batch:us-east-1:123456789012:job-queue/training-queue", status = "RUNNING",
                        tags = j.Caller switch
                        {
                            null => new Dictionary<string, string>(),
                            // As the handler tags: readable (sanitized, cut at 256) and the hash of the exact caller.
                            var c => new Dictionary<string, string> { ["aws-model-platform:caller"] = Readable(c), ["aws-model-platform:caller-hash"] = JobVisibilityFilter.CallerHash(c) },
                        },
                    }),
                };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(answer), Encoding.UTF8, "application/json") };
        }
    }

    /// <summary>
    /// Answers DescribeJobs with one job of the caller <c>caller</c> in the given status and queue, tagged with
    /// <see cref="JobTag"/> (this API's unless set); records every call.
    /// </summary>
    private sealed class ScriptedBatch(string status, string queueArn) : HttpMessageHandler
    {
        public const string JobId = "0f5b8f1e-8d55-4a43-9d35-0c3c1f0f2f11";
        public List<(string Path, string Body)> Calls { get; } = [];
        public bool Throttle { get; init; }
        public TimeSpan Delay { get; init; }
        public string? JobTag { get; init; } = TrainingUnitTests.JobTag;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
            lock (Calls) Calls.Add((request.RequestUri!.AbsolutePath, body));
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
            if (Throttle)
                return new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("{\"__type\":\"TooManyRequestsException\",\"message\":\"Rate exceeded\"}") };
            var tags = new Dictionary<string, string> { [JobTags.Caller] = "caller", [JobTags.CallerHash] = JobVisibilityFilter.CallerHash("caller") };
            if (JobTag is not null) tags[JobTags.TrainingJobs] = JobTag;
            var json = request.RequestUri.AbsolutePath switch
            {
                "/v1/describejobs" => $"{{\"jobs\":[{{\"jobId\":\"{JobId}\",\"jobName\":\"j\",\"jobQueue\":\"{queueArn}\",\"status\":\"{status}\",\"createdAt\":1,\"tags\":{JsonSerializer.Serialize(tags)}}}]}}",
                "/v1/submitjob" => $"{{\"jobId\":\"{JobId}\",\"jobName\":\"j\"}}",
                _ => "{}",
            };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }
}
