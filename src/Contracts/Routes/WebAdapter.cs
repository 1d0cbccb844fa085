namespace AwsModelPlatform.Contracts;

/// <summary>
/// The AWS Lambda Web Adapter's settings of a handler function (https://github.com/awslabs/aws-lambda-web-adapter):
/// the constructs write them; the handler reads one back, the invoke mode, to serve only the routes of its
/// <see cref="Transfer"/>.
/// </summary>
internal static class WebAdapter
{
    /// <summary>The port the adapter forwards to and the handler listens on.</summary>
    public const int Port = 8080;

    /// <summary>The variable that makes Lambda start the adapter (the layer's <c>/opt/bootstrap</c>) before the handler.</summary>
    public const string ExecWrapperVariable = "AWS_LAMBDA_EXEC_WRAPPER";

    /// <summary>The port the adapter forwards to.</summary>
    public const string PortVariable = "AWS_LWA_PORT";

    /// <summary>The path the adapter polls until the handler answers (<see cref="Routes.Health"/>).</summary>
    public const string ReadinessCheckPathVariable = "AWS_LWA_READINESS_CHECK_PATH";

    /// <summary>The path the adapter posts events that are not HTTP requests to, such as a Lambda authorizer's (<see cref="Routes.AuthorizeRequest"/>).</summary>
    public const string PassThroughPathVariable = "AWS_LWA_PASS_THROUGH_PATH";

    /// <summary>How the adapter hands responses to Lambda: <see cref="Buffered"/> or <see cref="ResponseStream"/>.</summary>
    public const string InvokeModeVariable = "AWS_LWA_INVOKE_MODE";

    /// <summary>The whole response at once.</summary>
    public const string Buffered = "buffered";

    /// <summary>The response as it is written (Lambda response streaming).</summary>
    public const string ResponseStream = "response_stream";

    /// <summary>The adapter's invoke mode for routes of <paramref name="transfer"/>.</summary>
    public static string InvokeMode(Transfer transfer) => transfer == Transfer.Stream ? ResponseStream : Buffered;

    /// <summary>The routes a process with this invoke mode serves: null (a process without the adapter, such as a local run) serves both.</summary>
    /// <exception cref="InvalidOperationException">when the mode is neither.</exception>
    public static Transfer? TransferOf(string? invokeMode) => invokeMode?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        Buffered => Transfer.Buffered,
        ResponseStream => Transfer.Stream,
        _ => throw new InvalidOperationException($"{InvokeModeVariable} = '{invokeMode}' is neither {Buffered} nor {ResponseStream}."),
    };

    /// <summary>The adapter's variables of a function whose routes are of <paramref name="transfer"/>.</summary>
    public static IReadOnlyDictionary<string, string> Environment(Transfer transfer) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ExecWrapperVariable] = "/opt/bootstrap",
        [PortVariable] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [ReadinessCheckPathVariable] = Routes.Health.Path,
        [InvokeModeVariable] = InvokeMode(transfer),
        // The handler listens on loopback only: the adapter is its one client.
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}",
    };
}
