using Amazon.CDK.AWS.IAM;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>What <see cref="GpuModelEndpoint.FromEndpointAttributes"/> needs to know of an endpoint made elsewhere (another stack or app).</summary>
public sealed record GpuModelEndpointAttributes
{
    /// <summary>Name of the endpoint (1 to 63 letters, digits and hyphens, or a token).</summary>
    public required string EndpointName { get; init; }

    /// <summary>Its inference components, so grants cover them.</summary>
    /// <remarks>Default: none.</remarks>
    public IReadOnlyList<string>? InferenceComponentNames { get; init; }

    /// <summary>For an async endpoint, where its payloads are: the bucket of its async output config, the key and the prefixes. Setting it makes the import async.</summary>
    /// <remarks>Default: none: a synchronous endpoint.</remarks>
    public AsyncPayloadBucket? Async { get; init; }

    /// <summary>The SageMaker Runtime calls the endpoint serves.</summary>
    /// <remarks>Default: <see cref="EndpointInvocations.Async"/> with <see cref="Async"/>, else sync and stream (give
    /// <see cref="EndpointInvocations.Sync"/> alone for a serverless endpoint).</remarks>
    public EndpointInvocations? Invocations { get; init; }
}

// Endpoints made elsewhere: imports and the invoke grant they share with the construct.
public sealed partial class GpuModelEndpoint
{
    /// <summary>
    /// Uses an endpoint created elsewhere (another stack or app), e.g. to put an <see cref="InferenceApi"/> in front of it:
    /// with <see cref="GpuModelEndpointAttributes.Async"/> an async endpoint, whose payload bucket the API is granted
    /// exactly as it would be for a <see cref="GpuModelEndpoint"/> of its own stack.
    /// </summary>
    /// <param name="scope">Scope of the import.</param>
    /// <param name="id">Id of the import.</param>
    /// <param name="attrs">The endpoint's name, inference components, async payload bucket and calls.</param>
    public static IGpuModelEndpoint FromEndpointAttributes(Construct scope, string id, GpuModelEndpointAttributes attrs)
    {
        ArgumentNullException.ThrowIfNull(attrs);
        return Import(scope, id, attrs, "GpuModelEndpointAttributes.EndpointName", "GpuModelEndpointAttributes.Invocations");
    }

    /// <summary>Uses a synchronous endpoint created elsewhere by name: the short form of <see cref="FromEndpointAttributes"/>.</summary>
    /// <param name="scope">Scope of the import.</param>
    /// <param name="id">Id of the import.</param>
    /// <param name="endpointName">Name of the endpoint.</param>
    /// <param name="inferenceComponentNames">Its inference components, if any, so grants cover them.</param>
    /// <param name="invocations">The SageMaker calls it serves; default: sync and stream (give <see cref="EndpointInvocations.Sync"/> alone for a serverless endpoint).</param>
    public static IGpuModelEndpoint FromEndpointName(Construct scope, string id, string endpointName, IEnumerable<string>? inferenceComponentNames = null,
        EndpointInvocations? invocations = null) =>
        Import(scope, id, new GpuModelEndpointAttributes
        {
            EndpointName = endpointName,
            InferenceComponentNames = inferenceComponentNames?.ToArray(),
            Invocations = invocations,
        }, "GpuModelEndpoint.FromEndpointName: endpointName", "GpuModelEndpoint.FromEndpointName: invocations");

    private static ImportedEndpoint Import(Construct scope, string id, GpuModelEndpointAttributes attrs, string nameProp, string invocationsProp)
    {
        var check = Validate.Of(scope, id);
        CheckEndpointName(check, attrs.EndpointName, nameProp);
        var isAsync = attrs.Async is not null;
        var served = attrs.Invocations ?? (isAsync ? EndpointInvocations.Async : EndpointInvocations.Sync | EndpointInvocations.Stream);
        if (isAsync)
            check.That(served == EndpointInvocations.Async,
                $"{invocationsProp} = {served} does not fit an async endpoint (Async is set): SageMaker serves an async endpoint only through InvokeEndpointAsync; leave Invocations unset.");
        else
            check.That(served is EndpointInvocations.Sync or (EndpointInvocations.Sync | EndpointInvocations.Stream),
                $"{invocationsProp} = {served} does not fit a synchronous endpoint: it serves Sync, with or without Stream. For an async endpoint set Async (its payload bucket) instead.");
        attrs.Async?.Check(check, "GpuModelEndpointAttributes.Async");
        return new ImportedEndpoint(scope, id, attrs, served);
    }

    internal static Grant GrantInvokeOn(Construct scope, IGrantable grantee, string endpointName, IReadOnlyList<string> components)
    {
        var resources = new[] { SageMakerArn(scope, "endpoint", endpointName) }.Concat(components.Select(c => SageMakerArn(scope, "inference-component", c))).ToArray();
        return Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = new[] { "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync", "sagemaker:InvokeEndpointWithResponseStream" },
            ResourceArns = resources,
        });
    }

    /// <summary>
    /// Lets <paramref name="grantee"/> wake these inference components (<c>UpdateInferenceComponentRuntimeConfig</c>) and
    /// read their copies (<c>DescribeInferenceComponent</c>); both actions take the <c>inference-component</c> resource type
    /// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html).
    /// </summary>
    internal static Grant GrantWakeOn(Construct scope, IGrantable grantee, IReadOnlyList<string> components) =>
        Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = new[] { "sagemaker:UpdateInferenceComponentRuntimeConfig", "sagemaker:DescribeInferenceComponent" },
            ResourceArns = components.Select(c => SageMakerArn(scope, "inference-component", c)).ToArray(),
        });

    // SageMaker writes names in ARNs in lower case; a token is left as it is.
    private static string SageMakerArn(IConstruct scope, string resource, string name) =>
        Stack.Of(scope).FormatArn(new ArnComponents { Service = "sagemaker", Resource = resource, ResourceName = Token.IsUnresolved(name) ? name : name.ToLowerInvariant() });

    private sealed class ImportedEndpoint : Construct, IGpuModelEndpoint
    {
        public string EndpointName { get; }
        public string EndpointArn { get; }
        public IReadOnlyList<string> InferenceComponentNames { get; }
        public bool IsAsync => AsyncPayloads is not null;
        public EndpointInvocations Invocations { get; }
        public AsyncPayloadBucket? AsyncPayloads { get; }

        public ImportedEndpoint(Construct scope, string id, GpuModelEndpointAttributes attrs, EndpointInvocations invocations) : base(scope, id)
        {
            EndpointName = attrs.EndpointName;
            EndpointArn = SageMakerArn(this, "endpoint", attrs.EndpointName);
            InferenceComponentNames = attrs.InferenceComponentNames?.ToArray() ?? Array.Empty<string>();
            AsyncPayloads = attrs.Async;
            Invocations = invocations;
        }

        public Grant GrantInvoke(IGrantable grantee) => GrantInvokeOn(this, grantee, EndpointName, InferenceComponentNames);

        public Grant GrantAsyncPayloads(IGrantable grantee) =>
            AsyncPayloads?.GrantReadWrite(grantee, Stack.Of(this))
            ?? throw new InvalidOperationException($"{Node.Path}: imported endpoint {EndpointName} is not async: import it with GpuModelEndpoint.FromEndpointAttributes and its Async payload bucket.");
    }
}
