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

/// <summary>Stopping a job: TerminateJob in every state, and the jobs the API may not stop.</summary>
public sealed class TrainingJobStopTests : TrainingTestSupport
{
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
}
