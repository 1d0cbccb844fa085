using Amazon.CDK.AWS.Lambda;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// Properties both handler APIs (<see cref="Inference.InferenceApi"/>, <see cref="Training.TrainingApi"/>) share: the
/// handler's code and its functions, and the REST API in front of them.
/// </summary>
public abstract record HandlerApiProps : PlatformConstructProps
{
    /// <summary>Name of the REST API (part of its physical name and the <c>Api</c> dimension of the handler's metrics).</summary>
    /// <remarks>Default: <c>inference</c> for the inference API, <c>training</c> for the training API.</remarks>
    public string? Name { get; init; }

    /// <summary>A directory holding a prebuilt Native AOT <c>bootstrap</c> of <c>src/Handlers</c> (e.g. from a CI step, or an arm64 build).</summary>
    /// <remarks>Default: none: <see cref="HandlerProject"/> if set, else <see cref="HandlerCode.Default(Architecture)"/>: the bootstrap the NuGet package carries, else src/Handlers found above the current directory and published while the app synthesizes.</remarks>
    public string? HandlerDirectory { get; init; }

    /// <summary>The handler project to publish with Native AOT (local bundling, no Docker).</summary>
    /// <remarks>Default: none: <see cref="HandlerCode.Default(Architecture)"/> (the packaged bootstrap, else <see cref="HandlerCode.ProjectPath"/> found in the current directory or a folder above it).</remarks>
    public string? HandlerProject { get; init; }

    /// <summary>Instruction set of the functions (and of the AOT build).</summary>
    /// <remarks>Default: x86_64: Native AOT does not cross-compile, build hosts (this one included) are x86_64, and the package carries an x86_64 bootstrap only. Use arm64 (about 20 % cheaper per GB-second) with a <see cref="HandlerDirectory"/> built on an arm64 host.</remarks>
    public Architecture? Architecture { get; init; }

    /// <summary>Memory of each function, in whole MiB from 128 MiB to 10,240 MiB.</summary>
    /// <remarks>Default: 512 MiB (see <see cref="HandlerFunctionProps.Memory"/>).</remarks>
    public Size? Memory { get; init; }

    /// <summary>Reserved (and maximum) concurrency of each function: a runaway client cannot starve the account's other functions.</summary>
    /// <remarks>
    /// Default: 50 for each of the inference API's two functions (the stage's default 50 requests per second at sub-second
    /// handler time need far less; both together reserve 100 of the account's default 1000); 20 for the training API's
    /// function (job submission is low-volume).
    /// </remarks>
    public int? ReservedConcurrency { get; init; }

    /// <summary>The AWS Lambda Web Adapter layer ARN, for accounts that forbid third-party layers.</summary>
    /// <remarks>Default: AWS's published layer, version <see cref="HandlerFunction.WebAdapterLayerVersion"/>.</remarks>
    public string? WebAdapterLayerArn { get; init; }

    /// <summary>Who may call the API.</summary>
    /// <remarks>Default: <see cref="ApiAuthorization.Iam"/>: every method needs a SigV4 signature of a principal granted <c>execute-api:Invoke</c> (the API's <c>GrantInvoke</c>).</remarks>
    public ApiAuthorization? Authorization { get; init; }

    /// <summary>Whether the API is private (reachable only through an <c>execute-api</c> VPC endpoint of the platform's VPC).</summary>
    /// <remarks>Default: false: regional.</remarks>
    public bool Private { get; init; }

    /// <summary>Steady requests per second of the stage.</summary>
    /// <remarks>Default: 50 for the inference API, 10 for the training API (job submission is low-volume).</remarks>
    public double? ThrottlingRateLimit { get; init; }

    /// <summary>Burst of the stage.</summary>
    /// <remarks>Default: twice <see cref="ThrottlingRateLimit"/> (100 for the inference API, 20 for the training API).</remarks>
    public int? ThrottlingBurstLimit { get; init; }

    /// <summary>Whether a WAF web ACL (AWS managed rule groups, per-IP rate limit) protects the stage.</summary>
    /// <remarks>Default: true (opt-out).</remarks>
    public bool Waf { get; init; } = true;

    /// <summary>Requests per 5 minutes above which the request-volume alarm fires.</summary>
    /// <remarks>Default: 60 % of the stage throttling limit over 5 minutes.</remarks>
    public double? RequestVolumeAlarmPer5Minutes { get; init; }

    /// <summary>The handler's code: a prebuilt directory, a project to publish, or the default.</summary>
    internal Code HandlerCodeOf(ConstructChecks check)
    {
        var props = GetType().Name;
        check.That(HandlerDirectory is null || HandlerProject is null,
            $"{props}: HandlerDirectory (a prebuilt bootstrap) and HandlerProject (a project to publish) are alternatives; set only one of them.");
        var architecture = Architecture ?? Amazon.CDK.AWS.Lambda.Architecture.X86_64;
        if (HandlerDirectory is { } directory) return HandlerCode.FromDirectory(directory);
        if (HandlerProject is { } project) return HandlerCode.FromProject(project, architecture);
        return HandlerCode.Default(props, architecture);
    }

    /// <summary>The REST API's props: these settings, with the API's own defaults for what is unset.</summary>
    internal PlatformRestApiProps RestApiProps(IModelPlatform platform, string defaultName, double defaultRateLimit) => new()
    {
        Platform = platform,
        Name = Name ?? defaultName,
        Authorization = Authorization,
        Private = Private,
        ThrottlingRateLimit = ThrottlingRateLimit ?? defaultRateLimit,
        ThrottlingBurstLimit = ThrottlingBurstLimit ?? (int)Math.Max(1, (ThrottlingRateLimit ?? defaultRateLimit) * 2),
        Waf = Waf,
        RequestVolumeAlarmPer5Minutes = RequestVolumeAlarmPer5Minutes,
    };
}
