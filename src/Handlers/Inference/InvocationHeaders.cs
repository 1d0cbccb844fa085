using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>Maps the client's headers to SageMaker's, enforcing SageMaker's own length limits with a 400.</summary>
public static class InvocationHeaders
{
    public const string CustomAttributes = "X-Amzn-SageMaker-Custom-Attributes";
    public const string TargetModel = "X-Amzn-SageMaker-Target-Model";
    public const string TargetVariant = "X-Amzn-SageMaker-Target-Variant";
    public const string TargetContainerHostname = "X-Amzn-SageMaker-Target-Container-Hostname";
    public const string InferenceId = "X-Amzn-SageMaker-Inference-Id";
    public const string InferenceComponent = "X-Amzn-SageMaker-Inference-Component";
    public const string SessionId = "X-Amzn-SageMaker-Session-Id";
    public const string InvokedVariant = "X-Amzn-Invoked-Production-Variant";
    public const string UpstreamRequestId = "x-upstream-request-id";

    public static InvokeRequest Build(HttpRequest request, ModelEntryConfig model, ReadOnlyMemory<byte> body, string contentType) =>
        new(model.EndpointName, body, contentType)
        {
            Accept = Get(request, "Accept", SageMakerRuntimeClient.Limits.Accept),
            CustomAttributes = Get(request, CustomAttributes, SageMakerRuntimeClient.Limits.CustomAttributes),
            TargetModel = Get(request, TargetModel, SageMakerRuntimeClient.Limits.TargetModel),
            TargetVariant = Get(request, TargetVariant, SageMakerRuntimeClient.Limits.TargetVariant),
            TargetContainerHostname = Get(request, TargetContainerHostname, SageMakerRuntimeClient.Limits.TargetContainerHostname),
            InferenceId = Get(request, InferenceId, SageMakerRuntimeClient.Limits.InferenceId),
            SessionId = Get(request, SessionId, SageMakerRuntimeClient.Limits.SessionId),
            // The configured component wins: callers may only choose one on endpoints that configure none.
            InferenceComponentName = model.InferenceComponentName ?? Get(request, InferenceComponent, SageMakerRuntimeClient.Limits.InferenceComponentName),
        };

    public static void CopyResponse(HttpResponse response, string? invokedVariant, string? customAttributes, string? upstreamRequestId)
    {
        if (invokedVariant is not null) response.Headers[InvokedVariant] = invokedVariant;
        if (customAttributes is not null) response.Headers[CustomAttributes] = customAttributes;
        if (upstreamRequestId is not null) response.Headers[UpstreamRequestId] = upstreamRequestId;
    }

    private static string? Get(HttpRequest request, string name, int limit)
    {
        var values = request.Headers[name];
        if (values.Count == 0) return null;
        var value = values.ToString();
        if (value.Length > limit)
            throw Problems.BadRequest($"Header {name} is {value.Length} characters long; SageMaker accepts at most {limit}.");
        foreach (var ch in value)
            if (ch < 0x20 || ch > 0x7e)
                throw Problems.BadRequest($"Header {name} must be printable ASCII.");
        return value;
    }
}
