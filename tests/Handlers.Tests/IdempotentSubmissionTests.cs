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

/// <summary>Submissions with an Idempotency-Key against Batch refusals and failures that may have reached Batch.</summary>
public sealed class IdempotentSubmissionTests : TrainingTestSupport
{
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
}
