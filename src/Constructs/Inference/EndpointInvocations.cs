namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// The SageMaker Runtime calls an endpoint serves, which its hosting mode decides
/// (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-invoke-endpoint.html: an asynchronous endpoint is
/// invoked with InvokeEndpointAsync; https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpointWithResponseStream.html).
/// </summary>
[Flags]
public enum EndpointInvocations
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><c>InvokeEndpoint</c>: real-time instances, inference components, serverless.</summary>
    Sync = 1,

    /// <summary><c>InvokeEndpointWithResponseStream</c>: real-time instances and inference components.</summary>
    Stream = 2,

    /// <summary><c>InvokeEndpointAsync</c>: asynchronous endpoints (<see cref="RealTimeHosting.Async"/>), which serve nothing else.</summary>
    Async = 4,
}

internal static class EndpointInvocationsExtensions
{
    /// <summary>The handler's <c>Inference:Models:{i}:Invocations</c> value.</summary>
    public static string ToHandlerValue(this EndpointInvocations invocations) => ModelInvocations.Value(new[]
    {
        invocations.HasFlag(EndpointInvocations.Sync) ? ModelInvocations.Sync : null,
        invocations.HasFlag(EndpointInvocations.Stream) ? ModelInvocations.Stream : null,
        invocations.HasFlag(EndpointInvocations.Async) ? ModelInvocations.Async : null,
    }.OfType<string>());
}
