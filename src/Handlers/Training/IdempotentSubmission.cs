using Amazon.Runtime;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// A submission with an <c>Idempotency-Key</c>: at most one Batch job per (caller, key), whatever retries, races and
/// interruptions happen. Its record in the <see cref="IdempotencyStore"/> is created before Batch hears of the job and names
/// the job before the 201; a record left pending by a request that stopped is claimed and the job adopted or submitted; a
/// record of a definite refusal is taken over by the next retry of the same body.
/// </summary>
internal sealed partial class IdempotentSubmission(
    IdempotencyStore store, TrainingSecrets secrets, JobSubmitter submitter, SubmitJobBuilder builder, BatchGateway batch,
    TrainingCatalog catalog, TrainingSettings settings, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan InProgressRetryAfter = TimeSpan.FromSeconds(2);

    public async Task<(SubmittedJob Job, bool Replayed)> SubmitAsync(
        ValidatedSubmission s, string idempotencyKey, string caller, CancellationToken ct)
    {
        var key = store.KeyFor(caller, idempotencyKey);
        var existing = await AwsCall.RunAsync("S3", () => store.GetAsync(key, ct));
        if (existing is null)
        {
            var submissionId = Guid.NewGuid().ToString("N");
            var ciphertexts = await AwsCall.RunAsync("KMS", () => secrets.EncryptAsync(s.Name, submissionId, s.Secrets, ct));
            // 413 before the record: a record of a job Batch can never take would block the key until it goes stale.
            builder.BuildChecked(s, submissionId, ciphertexts, caller);
            var (output, checkpoint) = builder.Locations(s.Name, submissionId);
            var record = new SubmissionRecord(
                s.Fingerprint(), s.Name, s.Definition.Name, submissionId, time.GetUtcNow(), ciphertexts, output, checkpoint);
            // 1. The key is ours, durably, before Batch hears of the job.
            var etag = await AwsCall.RunAsync("S3", () => store.TryCreateAsync(key, record, ct));
            if (etag is not null) return (await SubmitAndRecordAsync(key, record, etag, s, caller, ct), false);
            existing = await AwsCall.RunAsync("S3", () => store.GetAsync(key, ct)) ?? throw InProgress();
        }
        return await ReplayAsync(key, existing, s, caller, ct);
    }

    private async Task<(SubmittedJob, bool)> ReplayAsync(
        string key, StoredSubmission existing, ValidatedSubmission s, string caller, CancellationToken ct)
    {
        var r = existing.Record;
        if (r.Fingerprint != s.Fingerprint()
            || !await AwsCall.RunAsync("KMS", () => secrets.MatchAsync(r.JobName, r.SubmissionId, r.SecretCiphertexts, s.Secrets, ct)))
        {
            throw Problems.IdempotencyKeyReused(
                $"This {IdempotencyKey.Header} was used with a different request body; use a new key for a different job.");
        }
        if (r.JobId is not null) return (Job(r, r.JobId), true);

        if (r.Failure is not null)
        {
            // Batch definitely refused this body before (a 4xx, not throttling): no job exists. Take the record over (one
            // taker wins, the others are told to retry) and submit anew with the same submission id and ciphertexts.
            var retried = r with { CreatedAt = time.GetUtcNow(), Failure = null };
            var taken = await AwsCall.RunAsync("S3", () => store.TryReplaceAsync(key, retried, existing.ETag, ct)) ?? throw InProgress();
            return (await SubmitAndRecordAsync(key, retried, taken, s, caller, ct), false);
        }

        if (time.GetUtcNow() - r.CreatedAt < TimeSpan.FromSeconds(settings.PendingSubmissionSeconds)) throw InProgress();

        // The request that owned the key stopped between its record and its answer. Claim the record (one claimant wins),
        // then adopt the job if it reached Batch, or submit it now with the same submission id and ciphertexts.
        var claimed = r with { CreatedAt = time.GetUtcNow() };
        var etag = await AwsCall.RunAsync("S3", () => store.TryReplaceAsync(key, claimed, existing.ETag, ct)) ?? throw InProgress();
        var found = await FindSubmittedAsync(r, ct);
        if (found is not null)
        {
            await AwsCall.RunAsync("S3", () => store.TryReplaceAsync(key, claimed with { JobId = found.JobId, JobArn = found.JobArn }, etag, ct));
            LogAdopted(logger, found.JobId, r.JobName);
            return (Job(r, found.JobId), true);
        }
        return (await SubmitAndRecordAsync(key, claimed, etag, s, caller, ct), false);
    }

    private async Task<SubmittedJob> SubmitAndRecordAsync(
        string key, SubmissionRecord record, string etag, ValidatedSubmission s, string caller, CancellationToken ct)
    {
        // A definite refusal leaves no job: mark the record failed (If-Match, as the role may not delete it) so a retry of
        // the same body takes it over at once instead of waiting out PendingSubmissionSeconds.
        var ciphertexts = new SortedDictionary<string, string>(record.SecretCiphertexts.ToDictionary(), StringComparer.Ordinal);
        var job = await submitter.SubmitAsync(s, record.SubmissionId, ciphertexts, caller, ct,
            refused: problem => MarkFailedAsync(key, record, etag, problem, ct));
        // 2. The record names the job before the 201: a retry with the key answers with this job, never a second one.
        var completed = await AwsCall.RunAsync("S3", () => store.TryReplaceAsync(key, record with { JobId = job.JobId }, etag, ct));
        if (completed is null) LogRecordRaced(logger, job.JobId);
        return job;
    }

    /// <summary>Best effort: the caller is answered with Batch's refusal whether or not the record could be marked.</summary>
    private async Task MarkFailedAsync(string key, SubmissionRecord record, string etag, Problem problem, CancellationToken ct)
    {
        try
        {
            var failed = record with { Failure = new SubmissionFailure(problem.Status, problem.Type, problem.Detail, time.GetUtcNow()) };
            if (await store.TryReplaceAsync(key, failed, etag, ct) is null)
                LogFailureNotRecorded(logger, record.JobName, "the record changed meanwhile", null);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or OperationCanceledException)
        {
            LogFailureNotRecorded(logger, record.JobName, e.GetType().Name, e);
        }
    }

    /// <summary>The job an interrupted submission left in Batch, found by its name and its submission tag.</summary>
    private async Task<BatchJobDetail?> FindSubmittedAsync(SubmissionRecord r, CancellationToken ct)
    {
        // Every queue: the record may predate the multi-node queue, and the submission tag decides anyway.
        var ids = new List<string>();
        foreach (var queue in catalog.JobQueues)
        {
            var listed = await batch.ListJobsAsync(new ListJobsRequest(queue)
            {
                Filters = [new BatchListFilter("JOB_NAME", [r.JobName])],
                MaxResults = 100,
            }, ct);
            ids.AddRange(listed.JobSummaryList.Select(j => j.JobId).Where(id => id.Length > 0));
        }
        ids = ids.Distinct().Take(100).ToList();
        if (ids.Count == 0) return null;
        var described = await batch.DescribeJobsAsync(ids, ct);
        return described.Jobs.FirstOrDefault(j => j.Tags?.GetValueOrDefault(JobTags.Submission) == r.SubmissionId && catalog.IsOurQueue(j.JobQueue));
    }

    private static SubmittedJob Job(SubmissionRecord r, string jobId) => new(jobId, r.JobName, r.Definition, r.OutputUri, r.CheckpointUri);

    private static ApiProblemException InProgress() =>
        Problems.SubmissionInProgress("A request with this Idempotency-Key is being submitted; retry shortly.", InProgressRetryAfter);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning,
        Message = "training job {JobId} ({JobName}) adopted from an interrupted idempotent submission")]
    private static partial void LogAdopted(ILogger logger, string jobId, string jobName);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning,
        Message = "training job {JobId}: its idempotency record changed before it could be completed")]
    private static partial void LogRecordRaced(ILogger logger, string jobId);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning,
        Message = "training job {JobName}: refused by AWS Batch, but its idempotency record could not be marked failed ({Reason}); "
            + "the key stays pending until Training:PendingSubmissionSeconds passes")]
    private static partial void LogFailureNotRecorded(ILogger logger, string jobName, string reason, Exception? exception);
}
