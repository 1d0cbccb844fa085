namespace AwsModelPlatform.Contracts;

/// <summary>
/// Where async invocations live in an async endpoint's data bucket: the inputs and request records the inference
/// handler writes under <c>Inference:Async:Prefix</c> (by default <see cref="InputPrefix"/>, the prefix the model may
/// read), and the results and failures SageMaker writes. The handler writes and reads there; the constructs configure
/// the endpoint and grant the roles exactly these prefixes.
/// </summary>
internal static class AsyncLayout
{
    /// <summary>Where the handler puts request payloads (the model may read it) and keeps its request records.</summary>
    public const string InputPrefix = "async-input/";

    /// <summary>Where SageMaker writes async results.</summary>
    public const string OutputPrefix = "async-output/";

    /// <summary>Where SageMaker writes async failures.</summary>
    public const string FailurePrefix = "async-failures/";

    /// <summary>The folder of request payloads under the handler's prefix: <c>inputs/{id}</c>.</summary>
    public const string InputsFolder = "inputs/";

    /// <summary>The folder of request records under the handler's prefix: <c>requests/{id}.json</c>.</summary>
    public const string RecordsFolder = "requests/";

    /// <summary>The request records under the default prefix.</summary>
    public const string RecordPrefix = InputPrefix + RecordsFolder;

    /// <summary>
    /// The prefixes under which the handler reads keys that may not exist yet (a record of an unknown id, a pending
    /// result or failure): S3 answers a missing key with 404 only to a caller that may list its prefix.
    /// </summary>
    public static IReadOnlyList<string> PrefixesReadBeforeTheyExist { get; } = new[] { RecordPrefix, OutputPrefix, FailurePrefix };

    /// <summary>The user metadata (<c>x-amz-meta-body-digest</c>) that holds a stored input's digest.</summary>
    public const string DigestMetadata = "body-digest";

    /// <summary>The key of a request's payload under <paramref name="prefix"/> (<c>Inference:Async:Prefix</c>).</summary>
    public static string InputKey(string prefix, string id) => Key(prefix, InputsFolder + id);

    /// <summary>The key of a request's record under <paramref name="prefix"/>.</summary>
    public static string RecordKey(string prefix, string id) => Key(prefix, RecordsFolder + id + ".json");

    private static string Key(string prefix, string rest) => $"{prefix.Trim('/')}/{rest}".TrimStart('/');
}
