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

/// <summary>The training operations' EMF metrics.</summary>
public sealed class TrainingMetricsTests : TrainingTestSupport
{
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
}
