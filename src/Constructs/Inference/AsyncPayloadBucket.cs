using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// Where an async endpoint's requests and results are: the bucket SageMaker reads request payloads from and writes
/// results and failures to, the KMS key its objects are encrypted with, and the three prefixes. A
/// <see cref="GpuModelEndpoint"/> describes its own <see cref="GpuModelEndpoint.DataBucket"/> this way; give one to
/// <see cref="GpuModelEndpoint.FromEndpointAttributes"/> for an async endpoint of another stack or app.
/// </summary>
public sealed record AsyncPayloadBucket
{
    /// <summary>The bucket of the endpoint's async inputs, results and failures (its <c>AsyncInferenceConfig</c> output paths).</summary>
    public required IBucket Bucket { get; init; }

    /// <summary>The KMS key the bucket's objects are encrypted with: callers use it through S3 only.</summary>
    public required IKey Key { get; init; }

    /// <summary>Prefix of the request payloads (the model reads them; an API in front writes them and keeps its request records under it).</summary>
    /// <remarks>Default: <see cref="GpuModelEndpoint.AsyncInputPrefix"/>, <c>async-input/</c>.</remarks>
    public string InputPrefix { get; init; } = GpuModelEndpoint.AsyncInputPrefix;

    /// <summary>Prefix SageMaker writes results under (the endpoint config's <c>S3OutputPath</c>).</summary>
    /// <remarks>Default: <see cref="GpuModelEndpoint.AsyncOutputPrefix"/>, <c>async-output/</c>.</remarks>
    public string OutputPrefix { get; init; } = GpuModelEndpoint.AsyncOutputPrefix;

    /// <summary>Prefix SageMaker writes failures under (the endpoint config's <c>S3FailurePath</c>).</summary>
    /// <remarks>Default: <see cref="GpuModelEndpoint.AsyncFailurePrefix"/>, <c>async-failures/</c>.</remarks>
    public string FailurePrefix { get; init; } = GpuModelEndpoint.AsyncFailurePrefix;

    /// <summary>Prefix under which the inference API keeps its async request records (<c>{id}.json</c>): <c>requests/</c> under <see cref="InputPrefix"/>.</summary>
    public string RecordPrefix => InputPrefix + AsyncLayout.RecordsFolder;

    /// <summary>
    /// Prefixes under which the API reads keys that may not exist yet: request records (an unknown id, a first
    /// idempotent submission), results and failures (a pending request).
    /// </summary>
    public IReadOnlyList<string> PrefixesReadBeforeTheyExist => new[] { RecordPrefix, OutputPrefix, FailurePrefix };

    /// <summary>
    /// Write request payloads under <see cref="InputPrefix"/> and read them back, read results and failures, list only the
    /// <see cref="PrefixesReadBeforeTheyExist"/> (S3 answers a read of a missing key with 403 instead of 404 to a caller
    /// that may not list it), and the key through S3 only (<c>kms:ViaService</c> of <paramref name="stack"/>'s region).
    /// </summary>
    internal Grant GrantReadWrite(IGrantable grantee, Stack stack)
    {
        Grant Add(string[] actions, string[] resources, Dictionary<string, object>? conditions = null) =>
            Grant.AddToPrincipal(new GrantOnPrincipalOptions
            {
                Grantee = grantee, Actions = actions, ResourceArns = resources,
                Conditions = conditions?.ToDictionary(c => c.Key, c => (IDictionary<string, object>)c.Value),
            });
        return Add(new[] { "s3:PutObject" }, new[] { Bucket.ArnForObjects(InputPrefix + "*") })
            .Combine(Add(new[] { "s3:GetObject" }, new[] { Bucket.ArnForObjects(InputPrefix + "*"), Bucket.ArnForObjects(OutputPrefix + "*"), Bucket.ArnForObjects(FailurePrefix + "*") }))
            .Combine(Add(new[] { "s3:ListBucket" }, new[] { Bucket.BucketArn }, S3Conditions.ListOnly(PrefixesReadBeforeTheyExist)))
            .Combine(Add(new[] { "kms:Decrypt", "kms:GenerateDataKey" }, new[] { Key.KeyArn }, KmsConditions.ThroughS3(stack)));
    }

    /// <summary>Prefixes a grant can be scoped by: each ends in '/', and none lies under another, so writing inputs never reaches results.</summary>
    internal void Check(ConstructChecks check, string prop)
    {
        check.That(Bucket is not null && Key is not null, $"{prop}: Bucket and Key are required: the bucket of the endpoint's async payloads and the KMS key its objects are encrypted with.");
        var prefixes = new (string Name, string Value)[] { (nameof(InputPrefix), InputPrefix), (nameof(OutputPrefix), OutputPrefix), (nameof(FailurePrefix), FailurePrefix) };
        foreach (var (name, value) in prefixes)
            check.That(value is { Length: > 1 } && value.EndsWith('/') && !value.StartsWith('/') && value.IndexOfAny(new[] { '*', '?' }) < 0,
                $"{prop}.{name} = '{value}' is not an S3 prefix a grant can be scoped by: non-empty, ending in '/', no leading '/' and no wildcard, e.g. async-input/.");
        foreach (var (name, value) in prefixes)
            foreach (var (other, otherValue) in prefixes.Where(o => o.Name != name))
                check.That(!value.StartsWith(otherValue, StringComparison.Ordinal),
                    $"{prop}.{name} = '{value}' lies under {other} = '{otherValue}': a caller allowed to write inputs could then forge results, or read what it should not; give each its own prefix.");
    }
}
