using System.Buffers;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>A submitted job as the API reports it.</summary>
public sealed record SubmittedJob(string JobId, string JobName, string Definition, string OutputUri, string? CheckpointUri);

/// <summary>
/// Submission (secrets, idempotency, SubmitJob), listing, describing and stopping jobs. Batch calls go through one Polly
/// pipeline: a deadline, and jittered retries of throttling (every call: a throttled request was not executed) and of
/// 5xx / connection failures (read and stop calls only; SubmitJob is not idempotent at Batch).
/// </summary>
internal sealed partial class TrainingService(
    BatchClient batch, TrainingCatalog catalog, TrainingSecrets secrets, IdempotencyStore store,
    IOptions<TrainingSettings> options, TimeProvider time, ILogger<TrainingService> logger)
{
    private static readonly ResiliencePropertyKey<bool> Idempotent = new("idempotent");
    private readonly ResiliencePipeline _pipeline = Pipeline(options.Value, time);

    // ---------- submit ----------

    public async Task<(SubmittedJob Job, bool Replayed)> SubmitAsync(ValidatedSubmission s, string? idempotencyKey, string caller, CancellationToken ct)
    {
        if (idempotencyKey is null)
        {
            var submissionId = Guid.NewGuid().ToString("N");
            var ciphertexts = await Aws("KMS", () => secrets.EncryptAsync(s.Name, submissionId, s.Secrets, ct));
            var job = await SubmitToBatchAsync(s, submissionId, ciphertexts, caller, ct);
            return (job, false);
        }

        var key = store.KeyFor(caller, idempotencyKey);
        var existing = await Aws("S3", () => store.GetAsync(key, ct));
        if (existing is null)
        {
            var submissionId = Guid.NewGuid().ToString("N");
            var ciphertexts = await Aws("KMS", () => secrets.EncryptAsync(s.Name, submissionId, s.Secrets, ct));
            // 413 before the record: a record of a job Batch can never take would block the key until it goes stale.
            BuildChecked(s, submissionId, ciphertexts, caller);
            var (output, checkpoint) = Locations(s.Name, submissionId);
            var record = new SubmissionRecord(s.Fingerprint(), s.Name, s.Definition.Name, submissionId, time.GetUtcNow(), ciphertexts, output, checkpoint);
            // 1. The key is ours, durably, before Batch hears of the job.
            var etag = await Aws("S3", () => store.TryCreateAsync(key, record, ct));
            if (etag is not null) return (await SubmitAndRecordAsync(key, record, etag, s, caller, ct), false);
            existing = await Aws("S3", () => store.GetAsync(key, ct))
                ?? throw Conflict("submission-in-progress", "Submission in progress", "A request with this Idempotency-Key is being submitted; retry shortly.", TimeSpan.FromSeconds(2));
        }
        return await ReplayAsync(key, existing, s, caller, ct);
    }

    private async Task<(SubmittedJob, bool)> ReplayAsync(string key, StoredSubmission existing, ValidatedSubmission s, string caller, CancellationToken ct)
    {
        var r = existing.Record;
        if (r.Fingerprint != s.Fingerprint() || !await Aws("KMS", () => secrets.MatchAsync(r.JobName, r.SubmissionId, r.SecretCiphertexts, s.Secrets, ct)))
            throw Problems.IdempotencyKeyReused($"This {IdempotencyKey.Header} was used with a different request body; use a new key for a different job.");
        if (r.JobId is not null) return (Job(r, r.JobId), true);

        if (r.Failure is not null)
        {
            // Batch definitely refused this body before (a 4xx, not throttling): no job exists. Take the record over (one
            // taker wins, the others are told to retry) and submit anew with the same submission id and ciphertexts.
            var retried = r with { CreatedAt = time.GetUtcNow(), Failure = null };
            var taken = await Aws("S3", () => store.TryReplaceAsync(key, retried, existing.ETag, ct))
                ?? throw Conflict("submission-in-progress", "Submission in progress", "A request with this Idempotency-Key is being submitted; retry shortly.", TimeSpan.FromSeconds(2));
            return (await SubmitAndRecordAsync(key, retried, taken, s, caller, ct), false);
        }

        if (time.GetUtcNow() - r.CreatedAt < TimeSpan.FromSeconds(options.Value.PendingSubmissionSeconds))
            throw Conflict("submission-in-progress", "Submission in progress", "A request with this Idempotency-Key is being submitted; retry shortly.", TimeSpan.FromSeconds(2));

        // The request that owned the key stopped between its record and its answer. Claim the record (one claimant wins),
        // then adopt the job if it reached Batch, or submit it now with the same submission id and ciphertexts.
        var claimed = r with { CreatedAt = time.GetUtcNow() };
        var etag = await Aws("S3", () => store.TryReplaceAsync(key, claimed, existing.ETag, ct))
            ?? throw Conflict("submission-in-progress", "Submission in progress", "A request with this Idempotency-Key is being submitted; retry shortly.", TimeSpan.FromSeconds(2));
        var found = await FindSubmittedAsync(r, ct);
        if (found is not null)
        {
            await Aws("S3", () => store.TryReplaceAsync(key, claimed with { JobId = found.JobId, JobArn = found.JobArn }, etag, ct));
            LogAdopted(logger, found.JobId, r.JobName);
            return (Job(r, found.JobId), true);
        }
        return (await SubmitAndRecordAsync(key, claimed, etag, s, caller, ct), false);
    }

    private async Task<SubmittedJob> SubmitAndRecordAsync(string key, SubmissionRecord record, string etag, ValidatedSubmission s, string caller, CancellationToken ct)
    {
        // A definite refusal leaves no job: mark the record failed (If-Match, as the role may not delete it) so a retry of
        // the same body takes it over at once instead of waiting out PendingSubmissionSeconds.
        var job = await SubmitToBatchAsync(s, record.SubmissionId, new SortedDictionary<string, string>(record.SecretCiphertexts.ToDictionary(), StringComparer.Ordinal), caller, ct,
            refused: problem => MarkFailedAsync(key, record, etag, problem, ct));
        // 2. The record names the job before the 201: a retry with the key answers with this job, never a second one.
        var completed = await Aws("S3", () => store.TryReplaceAsync(key, record with { JobId = job.JobId }, etag, ct));
        if (completed is null) LogRecordRaced(logger, job.JobId);
        return job;
    }

    /// <summary>Best effort: the caller is answered with Batch's refusal whether or not the record could be marked.</summary>
    private async Task MarkFailedAsync(string key, SubmissionRecord record, string etag, Problem problem, CancellationToken ct)
    {
        try
        {
            var failed = record with { Failure = new SubmissionFailure(problem.Status, problem.Type, problem.Detail, time.GetUtcNow()) };
            if (await store.TryReplaceAsync(key, failed, etag, ct) is null) LogFailureNotRecorded(logger, record.JobName, "the record changed meanwhile", null);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or OperationCanceledException)
        {
            LogFailureNotRecorded(logger, record.JobName, e.GetType().Name, e);
        }
    }

    private async Task<SubmittedJob> SubmitToBatchAsync(ValidatedSubmission s, string submissionId, SortedDictionary<string, string> ciphertexts, string caller, CancellationToken ct,
        Func<Problem, Task>? refused = null)
    {
        var request = BuildChecked(s, submissionId, ciphertexts, caller);
        var outcome = await BatchOutcomeAsync(c => batch.SubmitJobAsync(request, c), idempotent: false, ct);
        if (outcome.Exception is { } e)
        {
            var mapped = Map(e, ct);
            // A 4xx other than throttling: Batch took nothing. Throttling, 5xx, timeouts and lost connections are not definite.
            if (refused is not null && e is BatchException { IsThrottling: false, StatusCode: >= 400 and < 500 } && mapped is ApiProblemException p && !ct.IsCancellationRequested)
                await refused(p.Problem);
            throw mapped;
        }
        var response = outcome.Result!;
        LogSubmitted(logger, response.JobId, s.Name, s.Definition.Name, s.Nodes, s.Gpus ?? 0, s.Secrets.Count, caller);
        var (output, checkpoint) = Locations(s.Name, submissionId);
        return new SubmittedJob(response.JobId, s.Name, s.Definition.Name, output, checkpoint);
    }

    /// <summary>The SubmitJob request, or 413 when it exceeds Batch's payload limit (Batch would refuse it).</summary>
    private SubmitJobRequest BuildChecked(ValidatedSubmission s, string submissionId, IReadOnlyDictionary<string, string> ciphertexts, string caller)
    {
        var (output, checkpoint) = Locations(s.Name, submissionId);
        var request = BuildSubmitJob(s, submissionId, ciphertexts, output, checkpoint, caller);
        if (BatchClient.Serialize(request).Length > BatchClient.MaxSubmitPayloadBytes)
            throw new ApiProblemException(new Problem("https://awsmodelplatform.dev/problems/job-too-large", "Job too large", 413,
                $"Command, hyperparameters and encrypted secrets together exceed AWS Batch's {BatchClient.MaxSubmitPayloadBytes / 1024} KiB SubmitJob limit."));
        return request;
    }

    internal SubmitJobRequest BuildSubmitJob(ValidatedSubmission s, string submissionId, IReadOnlyDictionary<string, string> ciphertexts, string output, string? checkpoint, string caller)
    {
        var env = new List<BatchKeyValue>
        {
            new(JobEnvironment.JobName, s.Name),
            new(JobEnvironment.SubmissionId, submissionId),
            new(JobEnvironment.OutputUri, output),
        };
        if (checkpoint is not null) env.Add(new(JobEnvironment.CheckpointUri, checkpoint));
        if (s.DatasetUri is not null) env.Add(new(JobEnvironment.DatasetUri, s.DatasetUri));
        if (s.Hyperparameters.Count > 0) env.Add(new(JobEnvironment.Hyperparameters, Json(s.Hyperparameters)));
        if (ciphertexts.Count > 0)
        {
            env.Add(new(JobEnvironment.SecretNames, string.Join(",", ciphertexts.Keys)));
            foreach (var (name, blob) in ciphertexts) env.Add(new(JobEnvironment.SecretPrefix + name, blob));
        }
        var resources = s.Gpus is { } g ? new[] { new BatchResourceRequirement("GPU", g.ToString(System.Globalization.CultureInfo.InvariantCulture)) } : null;
        // Only keys of JobTags.Keys: the role may tag with no other (aws:TagKeys), and must tag with JobTags.TrainingJobs.
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [JobTags.TrainingJobs] = catalog.JobTag,
            [JobTags.Submission] = submissionId,
            [JobTags.Definition] = s.Definition.Name,
            [JobTags.Output] = output,
            [JobTags.Caller] = TagValue(caller),
            [JobTags.CallerHash] = CallerHash(caller),
        };
        if (checkpoint is not null) tags[JobTags.Checkpoints] = checkpoint;

        var request = new SubmitJobRequest(s.Name, catalog.QueueFor(s.Definition), s.Definition.BatchName)
        {
            // No timeout unless asked: Batch's SubmitJob timeout overrides the definition's, which then applies.
            Timeout = s.MaxRuntimeSeconds is { } runtime ? new BatchJobTimeout(runtime) : null,
            Tags = tags,
        };
        if (!s.Definition.MultiNode)
            return request with { ContainerOverrides = new BatchContainerOverrides { Command = s.Command, Environment = env, ResourceRequirements = resources } };
        // The definition's node count is its default; torchrun would wait forever for nodes a resized job does not have.
        env.Add(new(JobEnvironment.Nodes, s.Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return request with
        {
            NodeOverrides = new BatchNodeOverrides
            {
                NumNodes = s.Nodes == s.Definition.Nodes ? null : s.Nodes,
                NodePropertyOverrides =
                [
                    new BatchNodePropertyOverride("0:", new BatchContainerOverrides { Command = s.Command, Environment = env, ResourceRequirements = resources, InstanceType = s.InstanceType }),
                ],
            },
        };
    }

    private async Task<BatchJobDetail?> FindSubmittedAsync(SubmissionRecord r, CancellationToken ct)
    {
        // Every queue: the record may predate the multi-node queue, and the submission tag decides anyway.
        var ids = new List<string>();
        foreach (var queue in catalog.JobQueues)
        {
            var listed = await BatchAsync(c => batch.ListJobsAsync(new ListJobsRequest(queue)
            {
                Filters = [new BatchListFilter("JOB_NAME", [r.JobName])],
                MaxResults = 100,
            }, c), idempotent: true, ct);
            ids.AddRange(listed.JobSummaryList.Select(j => j.JobId).Where(id => id.Length > 0));
        }
        ids = ids.Distinct().Take(100).ToList();
        if (ids.Count == 0) return null;
        var described = await BatchAsync(c => batch.DescribeJobsAsync(new DescribeJobsRequest(ids), c), idempotent: true, ct);
        return described.Jobs.FirstOrDefault(j => j.Tags?.GetValueOrDefault(JobTags.Submission) == r.SubmissionId && catalog.IsOurQueue(j.JobQueue));
    }

    // ---------- read and stop ----------

    /// <summary>
    /// One page of the queues' jobs the caller may see, from <paramref name="from"/> (null: the first page): the main
    /// queue's pages, then the multi-node queue's; the page's next token is a <see cref="TrainingListToken"/>. A queue
    /// with nothing (more) to list moves on to the next one at once. ListJobs cannot filter by tag, so under Caller
    /// visibility the page is described (one DescribeJobs of at most 100 ids) and filtered: it may hold fewer than
    /// <paramref name="limit"/> jobs, or none, while its next token still pages on.
    /// </summary>
    public async Task<ListJobsResponse> ListAsync(string? status, int limit, TrainingListToken? from, string caller, CancellationToken ct)
    {
        var queues = catalog.JobQueues;
        var (queue, token) = from is { } f ? (f.Queue, f.BatchToken) : (0, null);
        ListJobsResponse page;
        while (true)
        {
            var request = new ListJobsRequest(queues[queue])
            {
                JobStatus = status,
                MaxResults = limit,
                NextToken = token,
                // Without a status Batch lists RUNNING jobs only; any filter makes it list every status.
                Filters = status is null ? [new BatchListFilter("AFTER_CREATED_AT", ["0"])] : null,
            };
            page = await BatchAsync(c => batch.ListJobsAsync(request, c), idempotent: true, ct);
            if (page.JobSummaryList.Count > 0 || page.NextToken is { Length: > 0 } || queue + 1 == queues.Count) break;
            (queue, token) = (queue + 1, null);
        }
        TrainingListToken? next = page.NextToken is { Length: > 0 } batchToken ? new(queue, batchToken)
            : queue + 1 < queues.Count ? new(queue + 1, null)
            : null;
        page = page with { NextToken = next?.Encode() };
        if (catalog.JobVisibility == JobVisibility.Shared || page.JobSummaryList.Count == 0) return page;

        var visible = new HashSet<string>(StringComparer.Ordinal);
        // Batch pages hold at most 100 jobs (limit ≤ 100), one DescribeJobs call; chunked for a listing that ignores maxResults.
        foreach (var ids in page.JobSummaryList.Select(j => j.JobId).Where(id => id.Length > 0).Chunk(100))
        {
            var described = await BatchAsync(c => batch.DescribeJobsAsync(new DescribeJobsRequest(ids), c), idempotent: true, ct);
            visible.UnionWith(described.Jobs.Where(j => IsVisibleTo(j, caller)).Select(j => j.JobId));
        }
        return page with { JobSummaryList = page.JobSummaryList.Where(j => visible.Contains(j.JobId)).ToList() };
    }

    /// <summary>
    /// The job, when it exists, is in one of this API's queues (DescribeJobs takes any job id the role can see) and is visible to
    /// the caller; null otherwise, so another caller's job is indistinguishable from an unknown id.
    /// </summary>
    public async Task<BatchJobDetail?> DescribeAsync(string id, string caller, CancellationToken ct)
    {
        var described = await BatchAsync(c => batch.DescribeJobsAsync(new DescribeJobsRequest([id]), c), idempotent: true, ct);
        return described.Jobs.FirstOrDefault(j => j.JobId == id && catalog.IsOurQueue(j.JobQueue) && IsVisibleTo(j, caller));
    }

    public async Task<TrainingJobStopped> StopAsync(string id, string reason, string caller, CancellationToken ct)
    {
        var job = await DescribeAsync(id, caller, ct) ?? throw JobNotFound(id);
        var status = job.Status ?? "UNKNOWN";
        var action = status switch
        {
            "SUBMITTED" or "PENDING" or "RUNNABLE" => "cancelled",
            "STARTING" or "RUNNING" => "terminated",
            _ => throw Conflict("job-finished", "Job already finished", $"Training job '{id}' is {status}; there is nothing to cancel."),
        };
        // The role may stop only jobs with this tag (jobs submitted straight to Batch, or before the tag existed, lack
        // it): say so rather than answer Batch's refusal as a 502.
        if (job.Tags?.GetValueOrDefault(JobTags.TrainingJobs) != catalog.JobTag)
            throw Conflict("job-not-stoppable", "Job not submitted through this API",
                $"Training job '{id}' has no {JobTags.TrainingJobs} tag of this API, so the API's role may not stop it; stop it with AWS Batch directly.");
        // TerminateJob in every state: it cancels a job that has not started and terminates one that has, whereas
        // CancelJob does nothing to a job that moved to STARTING since DescribeJobs. The action names the state seen.
        await BatchAsync(async c => { await batch.TerminateJobAsync(new StopJobRequest(id, reason), c); return true; }, idempotent: true, ct);
        LogStopped(logger, id, action, status, caller);
        return new TrainingJobStopped(id, action, status, reason);
    }

    // ---------- helpers ----------

    /// <summary>
    /// Shared: every job. Caller: the jobs whose caller-hash tag is the hash of this exact caller; the readable caller tag
    /// (sanitized and cut, so not unique) decides only for jobs tagged before the hash existed, which keep the owners
    /// they had. A job with a hash tag is never matched on its readable tag.
    /// </summary>
    private bool IsVisibleTo(BatchJobDetail job, string caller)
    {
        if (catalog.JobVisibility == JobVisibility.Shared) return true;
        if (job.Tags is not { } tags) return false;
        return tags.TryGetValue(JobTags.CallerHash, out var hash)
            ? hash == CallerHash(caller)
            : tags.GetValueOrDefault(JobTags.Caller) == TagValue(caller);
    }

    /// <summary>The <see cref="JobTags.CallerHash"/> value: lowercase hex SHA-256 of the caller's UTF-8 bytes (Batch's tag charset, 64 characters).</summary>
    internal static string CallerHash(string caller) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(caller)));

    private (string Output, string? Checkpoint) Locations(string name, string submissionId) =>
        (TrainingLayout.JobUri(catalog.OutputBucket, name, submissionId),
         catalog.CheckpointsBucket is { } cb ? TrainingLayout.JobUri(cb, name, submissionId) : null);

    private static SubmittedJob Job(SubmissionRecord r, string jobId) => new(jobId, r.JobName, r.Definition, r.OutputUri, r.CheckpointUri);

    private static string Json(SortedDictionary<string, string> map)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (k, v) in map) w.WriteString(k, v);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Batch tag values: at most 256 of letters, digits, spaces and <c>_ . : / = + - @</c>.</summary>
    private static string TagValue(string s)
    {
        var chars = s.Take(256).Select(c => char.IsLetterOrDigit(c) || c is ' ' or '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@' ? c : '_').ToArray();
        return new string(chars);
    }

    /// <summary>The one answer for an unknown job, another queue's and (Caller visibility) another caller's.</summary>
    public static ApiProblemException JobNotFound(string id) => Problems.NotFound($"No training job with id '{id}' in this API's queue.");

    private static ApiProblemException Conflict(string slug, string title, string detail, TimeSpan? retryAfter = null) =>
        new(new Problem("https://awsmodelplatform.dev/problems/" + slug, title, 409, detail), retryAfter);

    private async Task<T> BatchAsync<T>(Func<CancellationToken, Task<T>> call, bool idempotent, CancellationToken ct)
    {
        var outcome = await BatchOutcomeAsync(call, idempotent, ct);
        if (outcome.Exception is { } e) throw Map(e, ct);
        return outcome.Result!;
    }

    /// <summary>The call through the pipeline; its exception as Batch (or the deadline) raised it, not yet mapped to a problem.</summary>
    private async Task<Outcome<T>> BatchOutcomeAsync<T>(Func<CancellationToken, Task<T>> call, bool idempotent, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(Idempotent, idempotent);
        try
        {
            return await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try { return Outcome.FromResult(await state(ctx.CancellationToken)); }
                    catch (Exception e) { return Outcome.FromException<T>(e); }
                }, context, call);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static Exception Map(Exception e, CancellationToken ct) => e switch
    {
        _ when ct.IsCancellationRequested => e,
        BatchException { IsThrottling: true } b => new ApiProblemException(Upstream(429, "throttled", "Throttled by AWS Batch", b), b.RetryAfter ?? TimeSpan.FromSeconds(1)),
        BatchException { StatusCode: 400 } b => new ApiProblemException(Upstream(400, "upstream-validation", "Rejected by AWS Batch", b)),
        BatchException { StatusCode: 401 or 403 } b => new ApiProblemException(Upstream(502, "upstream-auth", "AWS Batch refused our credentials", b)),
        BatchException { StatusCode: >= 500 } b => new ApiProblemException(Upstream(503, "upstream-unavailable", "AWS Batch is unavailable", b), TimeSpan.FromSeconds(2)),
        BatchException b => new ApiProblemException(Upstream(502, "upstream-error", "AWS Batch failed", b)),
        TimeoutRejectedException => new ApiProblemException(Problems.Timeout("AWS Batch did not answer within the deadline.")),
        HttpRequestException => new ApiProblemException(new Problem("https://awsmodelplatform.dev/problems/upstream-unreachable", "AWS Batch unreachable", 502, "The AWS Batch endpoint could not be reached.")),
        _ => e,
    };

    private static Problem Upstream(int status, string slug, string title, BatchException b) =>
        new("https://awsmodelplatform.dev/problems/" + slug, title, status, b.Message, UpstreamRequestId: b.RequestId, ErrorType: b.ErrorType, OriginalStatusCode: b.StatusCode);

    /// <summary>S3 and KMS failures as 502/503 problems naming the service (their messages carry no request data).</summary>
    private static async Task<T> Aws<T>(string service, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException e) when (e is not Amazon.S3.AmazonS3Exception { StatusCode: System.Net.HttpStatusCode.NotFound })
        {
            var status = (int)e.StatusCode >= 500 || e.StatusCode == System.Net.HttpStatusCode.TooManyRequests ? 503 : 502;
            throw new ApiProblemException(new Problem("https://awsmodelplatform.dev/problems/upstream-error", $"{service} failed", status, e.Message,
                UpstreamRequestId: e.RequestId, ErrorType: e.ErrorCode, OriginalStatusCode: (int)e.StatusCode));
        }
        catch (HttpRequestException)
        {
            throw new ApiProblemException(new Problem("https://awsmodelplatform.dev/problems/upstream-unreachable", $"{service} unreachable", 502, $"The {service} endpoint could not be reached."));
        }
    }

    private static ResiliencePipeline Pipeline(TrainingSettings o, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        return builder
            .AddTimeout(TimeSpan.FromSeconds(Math.Max(o.BatchTimeoutSeconds, 1)))
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception switch
                {
                    BatchException { IsThrottling: true } => true,
                    BatchException { StatusCode: >= 500 } or HttpRequestException => args.Context.Properties.GetValue(Idempotent, false),
                    _ => false,
                }),
            })
            .Build();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "training job {JobId} submitted: name={JobName} definition={Definition} nodes={Nodes} gpus={Gpus} secrets={SecretCount} caller={Caller}")]
    private static partial void LogSubmitted(ILogger logger, string jobId, string jobName, string definition, int nodes, int gpus, int secretCount, string caller);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "training job {JobId} {Action} (was {Status}) by {Caller}")]
    private static partial void LogStopped(ILogger logger, string jobId, string action, string status, string caller);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "training job {JobId} ({JobName}) adopted from an interrupted idempotent submission")]
    private static partial void LogAdopted(ILogger logger, string jobId, string jobName);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "training job {JobName}: refused by AWS Batch, but its idempotency record could not be marked failed ({Reason}); the key stays pending until Training:PendingSubmissionSeconds passes")]
    private static partial void LogFailureNotRecorded(ILogger logger, string jobName, string reason, Exception? exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "training job {JobId}: its idempotency record changed before it could be completed")]
    private static partial void LogRecordRaced(ILogger logger, string jobId);
}
