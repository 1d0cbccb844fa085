using Amazon.CDK.AWS.CloudWatch;
using AwsModelPlatform.Constructs.Api;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>The alarms an <see cref="InferenceApi"/> creates, all on the platform's alarm topic.</summary>
public sealed record InferenceApiAlarms
{
    /// <summary>The stage's alarms (5xx rate, p99 latency, 4xx spike, request volume).</summary>
    public required RestApiAlarms Api { get; init; }

    /// <summary>The buffered function's alarms (errors, throttles, concurrency).</summary>
    public required HandlerFunctionAlarms Buffered { get; init; }

    /// <summary>The streaming function's alarms (errors, throttles, concurrency).</summary>
    public required HandlerFunctionAlarms Streaming { get; init; }

    /// <summary>Every alarm of the API, in the order above.</summary>
    public IReadOnlyList<Alarm> All => Api.All.Concat(Buffered.All).Concat(Streaming.All).ToList();
}
