using Amazon.CDK.AWS.CloudWatch;
using AwsModelPlatform.Constructs.Api;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>The alarms a <see cref="TrainingApi"/> creates, all on the platform's alarm topic.</summary>
public sealed record TrainingApiAlarms
{
    /// <summary>The stage's alarms (5xx rate, p99 latency, 4xx spike, request volume).</summary>
    public required RestApiAlarms Api { get; init; }

    /// <summary>The function's alarms (errors, throttles, concurrency).</summary>
    public required HandlerFunctionAlarms Function { get; init; }

    /// <summary>
    /// A job submission answered 5xx within 5 minutes (<see cref="TrainingApi.MetricSubmitErrors"/>): submissions are few
    /// and each is a job someone waits for, while the stage's 5xx-rate alarm needs 20 requests in 5 minutes.
    /// </summary>
    public required Alarm SubmitErrors { get; init; }

    /// <summary>Every alarm of the API, in the order above.</summary>
    public IReadOnlyList<Alarm> All => Api.All.Concat(Function.All).Append(SubmitErrors).ToList();
}
