using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>A submitted job as the API reports it.</summary>
public sealed record SubmittedJob(string JobId, string JobName, string Definition, string OutputUri, string? CheckpointUri);

/// <summary>
/// The training routes' operations: submit (idempotent with a key: <see cref="IdempotentSubmission"/>), list, describe and
/// stop the jobs the caller may see (<see cref="JobVisibilityFilter"/>), all through the <see cref="BatchGateway"/>.
/// </summary>
internal sealed partial class TrainingService
{
    private readonly BatchGateway _batch;
    private readonly TrainingCatalog _catalog;
    private readonly TrainingSecrets _secrets;
    private readonly JobVisibilityFilter _visibility;
    private readonly JobSubmitter _submitter;
    private readonly IdempotentSubmission _idempotent;
    private readonly ILogger _logger;

    public TrainingService(
        BatchClient batch, TrainingCatalog catalog, TrainingSecrets secrets, IdempotencyStore store,
        IOptions<TrainingSettings> options, TimeProvider time, ILogger<TrainingService> logger)
    {
        var builder = new SubmitJobBuilder(catalog);
        _batch = new BatchGateway(batch, options.Value, time);
        _catalog = catalog;
        _secrets = secrets;
        _visibility = new JobVisibilityFilter(catalog);
        _submitter = new JobSubmitter(_batch, builder, logger);
        _idempotent = new IdempotentSubmission(store, secrets, _submitter, builder, _batch, catalog, options.Value, time, logger);
        _logger = logger;
    }

    public async Task<(SubmittedJob Job, bool Replayed)> SubmitAsync(
        ValidatedSubmission s, string? idempotencyKey, string caller, CancellationToken ct)
    {
        if (idempotencyKey is not null) return await _idempotent.SubmitAsync(s, idempotencyKey, caller, ct);
        var submissionId = Guid.NewGuid().ToString("N");
        var ciphertexts = await AwsCall.RunAsync("KMS", () => _secrets.EncryptAsync(s.Name, submissionId, s.Secrets, ct));
        return (await _submitter.SubmitAsync(s, submissionId, ciphertexts, caller, ct), false);
    }

    /// <summary>One page of the queues' jobs the caller may see (<see cref="ListDescribedAsync"/> without the descriptions).</summary>
    public async Task<ListJobsResponse> ListAsync(string? status, int limit, TrainingListToken? from, string caller, CancellationToken ct) =>
        (await ListDescribedAsync(status, limit, from, caller, ct)).Page;

    /// <summary>
    /// One page of the queues' jobs the caller may see, from <paramref name="from"/> (null: the first page): the main
    /// queue's pages, then the multi-node queue's; the page's next token is a <see cref="TrainingListToken"/>. A queue
    /// with nothing (more) to list moves on to the next one at once. The page is described (one DescribeJobs of at most
    /// 100 ids): ListJobs reports neither a job's tags nor its nodes and instance type, which its cost needs. ListJobs
    /// cannot filter by tag, so under Caller visibility the page is then filtered: it may hold fewer than
    /// <paramref name="limit"/> jobs, or none, while its next token still pages on. The descriptions are by job id.
    /// </summary>
    public async Task<(ListJobsResponse Page, IReadOnlyDictionary<string, BatchJobDetail> Details)> ListDescribedAsync(
        string? status, int limit, TrainingListToken? from, string caller, CancellationToken ct)
    {
        var queues = _catalog.JobQueues;
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
            page = await _batch.ListJobsAsync(request, ct);
            if (page.JobSummaryList.Count > 0 || page.NextToken is { Length: > 0 } || queue + 1 == queues.Count) break;
            (queue, token) = (queue + 1, null);
        }
        TrainingListToken? next = page.NextToken is { Length: > 0 } batchToken ? new(queue, batchToken)
            : queue + 1 < queues.Count ? new(queue + 1, null)
            : null;
        page = page with { NextToken = next?.Encode() };
        var details = new Dictionary<string, BatchJobDetail>(StringComparer.Ordinal);
        if (page.JobSummaryList.Count == 0) return (page, details);

        // Batch pages hold at most 100 jobs (limit ≤ 100), one DescribeJobs call; chunked for a listing that ignores maxResults.
        foreach (var ids in page.JobSummaryList.Select(j => j.JobId).Where(id => id.Length > 0).Chunk(100))
        {
            var described = await _batch.DescribeJobsAsync(ids, ct);
            foreach (var job in described.Jobs.Where(j => _visibility.IsShared || _visibility.IsVisibleTo(j, caller))) details[job.JobId] = job;
        }
        // Shared: every listed job, described or not (one that left Batch's records since ListJobs is listed without a cost).
        return _visibility.IsShared
            ? (page, details)
            : (page with { JobSummaryList = page.JobSummaryList.Where(j => details.ContainsKey(j.JobId)).ToList() }, details);
    }

    /// <summary>
    /// The job, when it exists, is in one of this API's queues (DescribeJobs takes any job id the role can see) and is visible to
    /// the caller; null otherwise, so another caller's job is indistinguishable from an unknown id.
    /// </summary>
    public async Task<BatchJobDetail?> DescribeAsync(string id, string caller, CancellationToken ct)
    {
        var described = await _batch.DescribeJobsAsync([id], ct);
        return described.Jobs.FirstOrDefault(j => j.JobId == id && _catalog.IsOurQueue(j.JobQueue) && _visibility.IsVisibleTo(j, caller));
    }

    public async Task<TrainingJobStopped> StopAsync(string id, string reason, string caller, CancellationToken ct)
    {
        var job = await DescribeAsync(id, caller, ct) ?? throw JobNotFound(id);
        var status = job.Status ?? "UNKNOWN";
        var action = status switch
        {
            "SUBMITTED" or "PENDING" or "RUNNABLE" => "cancelled",
            "STARTING" or "RUNNING" => "terminated",
            _ => throw Problems.JobFinished($"Training job '{id}' is {status}; there is nothing to cancel."),
        };
        // The role may stop only jobs with this tag (jobs submitted straight to Batch lack it): say so rather than answer
        // Batch's refusal as a 502.
        if (job.Tags?.GetValueOrDefault(JobTags.TrainingJobs) != _catalog.JobTag)
            throw Problems.JobNotStoppable($"Training job '{id}' has no {JobTags.TrainingJobs} tag of this API, so the API's role may not stop it; "
                + "stop it with AWS Batch directly.");
        // TerminateJob in every state: it cancels a job that has not started and terminates one that has, whereas
        // CancelJob does nothing to a job that moved to STARTING since DescribeJobs. The action names the state seen.
        await _batch.TerminateJobAsync(id, reason, ct);
        LogStopped(_logger, id, action, status, caller);
        return new TrainingJobStopped(id, action, status, reason);
    }

    /// <summary>The one answer for an unknown job, another queue's and (Caller visibility) another caller's.</summary>
    public static ApiProblemException JobNotFound(string id) => Problems.NotFound($"No training job with id '{id}' in this API's queue.");

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "training job {JobId} {Action} (was {Status}) by {Caller}")]
    private static partial void LogStopped(ILogger logger, string jobId, string action, string status, string caller);
}
