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

/// <summary>AWS Batch calls under the gateway: retried throttling and the deadline, as problems.</summary>
public sealed class BatchGatewayTests : TrainingTestSupport
{
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
}
