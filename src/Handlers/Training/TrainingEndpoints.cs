using System.Globalization;
using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// The training routes (<see cref="RouteGroup.Training"/>): submit (idempotent with <c>Idempotency-Key</c>), list, describe, cancel or terminate.
/// </summary>
public static partial class TrainingEndpoints
{
    public const string ReplayedHeader = "Idempotent-Replayed";
    private static readonly string[] Statuses = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"];

    internal static void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        if (routes.Contains(Routes.SubmitTrainingJob))
            app.MapPost(Routes.SubmitTrainingJob.Path, SubmitAsync)
                .Named(Routes.SubmitTrainingJob).WithTags(Tag)
                .WithSummary("Validates the job and submits it to AWS Batch; secrets go as KMS ciphertext. With Idempotency-Key, the same key and "
                    + "body return the same job and a different body is 409. The answer's cost is the job's estimated hourly cost.")
                .AcceptsJson<TrainingJobRequest>() // the handler answers other media types: 415 with a detail, logged as Submit
                .Produces<TrainingJobSubmitted>(201)
                .ProducesProblems(400, 403, 409, 413, 415, 429, 501, 502, 503, 504);

        if (routes.Contains(Routes.ListTrainingJobs))
            app.MapGet(Routes.ListTrainingJobs.Path, ListAsync)
                .Named(Routes.ListTrainingJobs).WithTags(Tag)
                .WithSummary("Jobs of the training queues, the main queue's then the multi-node queue's (with Caller visibility, the caller's own: "
                    + "a page may then hold fewer than limit jobs, or none, while nextToken still pages on), newest first as Batch lists them; "
                    + "?status= filters (SUBMITTED..FAILED), ?limit= (1-100), ?nextToken= pages. Each job carries its cost.")
                .Produces<TrainingJobList>(200)
                .ProducesProblems(400, 403, 429, 501, 502, 503, 504);

        if (routes.Contains(Routes.GetTrainingJob))
            app.MapGet(Routes.GetTrainingJob.Path, DescribeAsync)
                .Named(Routes.GetTrainingJob).WithTags(Tag)
                .WithSummary("Status, reason, attempts, timestamps, log stream, output location and cost (so far, or final) of one job; "
                    + "with Caller visibility another caller's job is 404, as an unknown id is.")
                .Produces<TrainingJobDetails>(200)
                .ProducesProblems(400, 403, 404, 429, 501, 502, 503, 504);

        if (routes.Contains(Routes.StopTrainingJob))
            app.MapDelete(Routes.StopTrainingJob.Path, StopAsync)
                .Named(Routes.StopTrainingJob).WithTags(Tag)
                .WithSummary("Cancels a job that has not started, terminates one that runs; ?reason= is recorded by Batch as the status reason. "
                    + "With Caller visibility another caller's job is 404.")
                .Produces<TrainingJobStopped>(202)
                .ProducesProblems(400, 403, 404, 409, 429, 501, 502, 503, 504);
    }

    private const string Tag = "Training jobs";

    private static async Task SubmitAsync(HttpContext http, TrainingCatalog catalog, TrainingService service, JobCostEstimator costs)
    {
        http.Ctx().Metrics = TrainingMetrics.Submit;
        catalog.EnsureConfigured();
        var caller = CallerOf(http, catalog);
        var media = RequestBody.RequireContentType(http.Request);
        if (!RequestBody.IsJson(media)) throw Problems.UnsupportedMediaType("Training jobs are submitted as application/json.");
        var key = IdempotencyKey.From(http.Request);
        var body = await ReadBodyAsync(http.Request, catalog.MaxBodyBytes, http.RequestAborted);
        var submission = TrainingRequestParser.Parse(body, catalog);
        var (job, replayed) = await service.SubmitAsync(submission, key, caller, http.RequestAborted);
        var cost = costs.AtSubmission(submission.Definition, submission.Nodes, submission.InstanceType);
        // A replay answers with a job an earlier request submitted (and counted).
        if (!replayed) http.Ctx().Metrics = TrainingMetrics.Submitted(submission.Definition, submission.Gpus, submission.Nodes, cost.HourlyUsd);

        var self = Self(job.JobId);
        http.Response.Headers.Location = self;
        if (replayed) http.Response.Headers[ReplayedHeader] = "true";
        http.Response.StatusCode = 201;
        await http.Response.WriteAsJsonAsync(
            new TrainingJobSubmitted(job.JobId, job.JobName, job.Definition, "SUBMITTED", job.OutputUri, Links(job.JobId))
            {
                CheckpointUri = job.CheckpointUri,
                Cost = cost,
            },
            HandlerJsonContext.Default.TrainingJobSubmitted, cancellationToken: http.RequestAborted);
    }

    private static async Task ListAsync(HttpContext http, TrainingCatalog catalog, TrainingService service, JobCostEstimator costs)
    {
        http.Ctx().Metrics = TrainingMetrics.List;
        catalog.EnsureConfigured();
        var caller = CallerOf(http, catalog);
        var q = http.Request.Query;
        string? status = null;
        if (Single(q, "status") is { } s)
        {
            status = s.ToUpperInvariant();
            if (Array.IndexOf(Statuses, status) < 0) throw Problems.BadRequest($"status must be one of {string.Join(", ", Statuses)}.");
        }
        var limit = 50;
        if (Single(q, "limit") is { } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
            throw Problems.BadRequest("limit must be an integer of 1..100.");
        TrainingListToken? from = null;
        if (Single(q, "nextToken") is { } token)
        {
            if (!NextToken().IsMatch(token) || !TrainingListToken.TryParse(token, catalog.JobQueues.Count, out var parsed))
                throw Problems.BadRequest("nextToken is not a token this API returned.");
            from = parsed;
        }

        var (page, details) = await service.ListDescribedAsync(status, limit, from, caller, http.RequestAborted);
        var jobs = page.JobSummaryList.Select(j => new TrainingJobSummary(j.JobId, j.JobName, j.Status, Links(j.JobId))
        {
            StatusReason = j.StatusReason,
            CreatedAt = Time(j.CreatedAt),
            StartedAt = Time(j.StartedAt),
            StoppedAt = Time(j.StoppedAt),
            Cost = details.TryGetValue(j.JobId, out var detail) ? costs.Of(detail) : null,
        }).ToList();
        await http.Response.WriteAsJsonAsync(
            new TrainingJobList(jobs) { NextToken = page.NextToken }, HandlerJsonContext.Default.TrainingJobList,
            cancellationToken: http.RequestAborted);
    }

    private static async Task DescribeAsync(string id, HttpContext http, TrainingCatalog catalog, TrainingService service, JobCostEstimator costs)
    {
        http.Ctx().Metrics = TrainingMetrics.Describe;
        catalog.EnsureConfigured();
        var caller = CallerOf(http, catalog);
        ValidateId(id);
        var job = await service.DescribeAsync(id, caller, http.RequestAborted) ?? throw TrainingService.JobNotFound(id);
        var tags = job.Tags ?? new Dictionary<string, string>();
        var attempts = (job.Attempts ?? []).Select(a => new TrainingJobAttempt
        {
            StartedAt = Time(a.StartedAt),
            StoppedAt = Time(a.StoppedAt),
            ExitCode = a.Container?.ExitCode,
            Reason = a.Container?.Reason,
            StatusReason = a.StatusReason,
            LogStreamName = a.Container?.LogStreamName,
        }).ToList();
        var details = new TrainingJobDetails(job.JobId, job.JobName, job.Status, attempts, Links(job.JobId))
        {
            Definition = tags.GetValueOrDefault(JobTags.Definition) ?? catalog.NameOfBatchDefinition(job.JobDefinition),
            StatusReason = job.StatusReason,
            CreatedAt = Time(job.CreatedAt),
            StartedAt = Time(job.StartedAt),
            StoppedAt = Time(job.StoppedAt),
            Nodes = job.NodeProperties?.NumNodes ?? 1,
            LogStreamName = job.Container?.LogStreamName ?? attempts.LastOrDefault()?.LogStreamName,
            OutputUri = tags.GetValueOrDefault(JobTags.Output),
            CheckpointUri = tags.GetValueOrDefault(JobTags.Checkpoints),
            Cost = costs.Of(job),
        };
        await http.Response.WriteAsJsonAsync(details, HandlerJsonContext.Default.TrainingJobDetails, cancellationToken: http.RequestAborted);
    }

    private static async Task StopAsync(string id, HttpContext http, TrainingCatalog catalog, TrainingService service)
    {
        http.Ctx().Metrics = TrainingMetrics.Stop;
        catalog.EnsureConfigured();
        var caller = CallerOf(http, catalog);
        ValidateId(id);
        var reason = Single(http.Request.Query, "reason") ?? "Cancelled through the training API";
        if (reason.Length > 256 || reason.Any(char.IsControl)) throw Problems.BadRequest(
            "reason must be at most 256 characters without control characters.");
        var stopped = await service.StopAsync(id, reason, caller, http.RequestAborted);
        http.Response.StatusCode = 202;
        await http.Response.WriteAsJsonAsync(stopped, HandlerJsonContext.Default.TrainingJobStopped, cancellationToken: http.RequestAborted);
    }

    /// <summary>Reads the body under <paramref name="limit"/>: 413 from the declared length or as soon as the limit is passed.</summary>
    internal static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        var tooLarge = Problems.PayloadTooLarge($"A training job submission is limited to {limit.ToString(CultureInfo.InvariantCulture)} bytes.");
        if (request.ContentLength > limit) throw tooLarge;
        var buffer = new byte[Math.Min(request.ContentLength ?? 8192, limit) + 1];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit) throw tooLarge;
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limit + 1));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) break;
            length += read;
            if (length > limit) throw tooLarge;
        }
        if (length == 0) throw Problems.BadRequest("The request body is empty; a training job is a JSON object.");
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// The request's caller. With Caller visibility a request that carries none (no API Gateway request context) is
    /// refused, 403: it could own no job, and letting every such request share the name <c>anonymous</c> would quietly
    /// show them each other's jobs when the request context goes missing.
    /// </summary>
    private static string CallerOf(HttpContext http, TrainingCatalog catalog)
    {
        var ctx = http.Ctx();
        if (ctx.IsAnonymous && catalog.JobVisibility == JobVisibility.Caller)
            throw Problems.CallerUnknown(
                "Training jobs are visible to the caller that submitted them, and this request carries no caller identity (API Gateway's request "
                    + "context).");
        return ctx.Caller;
    }

    private static void ValidateId(string id)
    {
        if (!JobId().IsMatch(id)) throw Problems.BadRequest("A training job id is an AWS Batch job id (a UUID).");
    }

    private static string? Single(IQueryCollection q, string name) =>
        q.TryGetValue(name, out var v) ? (v.Count == 1 && v[0] is { Length: > 0 } s ? s : throw Problems.BadRequest(
            $"Query parameter '{name}' must be given once, non-empty.")) : null;

    private static string Self(string id) => Routes.GetTrainingJob.PathWith((Routes.Id, id));

    private static TrainingJobLinks Links(string id) => new(Self(id), Self(id));

    private static DateTimeOffset? Time(long? epochMs) => epochMs is { } ms and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    // \z, not $: $ also matches before a final "\n" (a route value or query decodes %0A to one).
    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\z")]
    private static partial Regex JobId();

    [GeneratedRegex("^[A-Za-z0-9+/=_.-]{1,4096}\\z")]
    private static partial Regex NextToken();
}
