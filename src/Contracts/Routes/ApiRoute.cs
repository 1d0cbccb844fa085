namespace AwsModelPlatform.Contracts;

/// <summary>How a route's response leaves the function.</summary>
internal enum Transfer
{
    /// <summary>In one piece: the buffered function (the Web Adapter's <c>buffered</c> mode, a plain Lambda proxy integration).</summary>
    Buffered,

    /// <summary>As it is written: the streaming function (<c>response_stream</c>, API Gateway's <c>ResponseTransferMode: STREAM</c>).</summary>
    Stream,
}

/// <summary>What a route needs of the configuration to exist.</summary>
internal enum RouteNeeds
{
    /// <summary>Nothing: the route exists wherever its group is mapped.</summary>
    Nothing,

    /// <summary>A model whose endpoint serves <c>InvokeEndpointAsync</c> (<see cref="InferenceSettings.ServesAsync"/>).</summary>
    AsyncModel,

    /// <summary>Team access: <see cref="AccessSettings.TableName"/> set on the API's inference functions.</summary>
    TeamAccess,
}

/// <summary>The route groups a handler process maps (<c>Api:RouteGroups</c>), and the routes every process serves.</summary>
internal static class RouteGroup
{
    /// <summary>Every process: the Web Adapter's readiness check and the OpenAPI document.</summary>
    public const string Hosting = "hosting";

    /// <summary>The model routes.</summary>
    public const string Inference = "inference";

    /// <summary>The training job routes.</summary>
    public const string Training = "training";

    /// <summary>The API-key authorizer (a Lambda authorizer event, through the Web Adapter's pass-through path).</summary>
    public const string Authorizer = "authorizer";

    /// <summary>The admin routes of API keys, team limits and usage.</summary>
    public const string Access = "access";

    /// <summary>The groups <c>Api:RouteGroups</c> may name.</summary>
    public static IReadOnlyList<string> Selectable { get; } = [Inference, Training, Authorizer, Access];

    /// <summary>The groups of a process whose <c>Api:RouteGroups</c> is unset: those that need no access table and HMAC key.</summary>
    public static IReadOnlyList<string> Default { get; } = [Inference, Training];
}

/// <summary>
/// One route of the handler: the API Gateway method the constructs create for it (on the function of its
/// <see cref="Transfer"/>, when it <see cref="Needs"/> holds) and the endpoint the handler maps for it.
/// </summary>
/// <param name="Group">Its <see cref="RouteGroup"/>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, with <c>{parameters}</c>.</param>
/// <param name="Transfer">Buffered or streamed.</param>
/// <param name="Operation">Its OpenAPI operation id (the handler's endpoint name).</param>
/// <param name="Needs">What it needs of the configuration.</param>
internal sealed record ApiRoute(string Group, string Method, string Path, Transfer Transfer, string Operation, RouteNeeds Needs = RouteNeeds.Nothing)
{
    /// <summary>Whether API Gateway exposes it: every route but the Web Adapter's readiness check.</summary>
    public bool OnApiGateway { get; init; } = true;

    /// <summary>The value of the training metrics' <c>Operation</c> dimension for it (<see cref="HandlerMetrics.Training.Operations"/>); null off the training group.</summary>
    public string? MetricOperation { get; init; }

    /// <summary>
    /// Whether it exists for a configuration (<paramref name="inference"/>: the process's or the API's inference settings;
    /// <paramref name="access"/>: its access settings, none without team access).
    /// </summary>
    public bool IsServed(InferenceSettings inference, AccessSettings? access = null) => Needs switch
    {
        RouteNeeds.AsyncModel => inference.ServesAsync(),
        RouteNeeds.TeamAccess => !string.IsNullOrWhiteSpace(access?.TableName),
        _ => true,
    };

    /// <summary>The path with its parameters filled in: <c>/v1/endpoints/llama-3-8b/invocations</c> for (<c>model</c>, <c>llama-3-8b</c>).</summary>
    public string PathWith(params (string Name, string Value)[] values)
    {
        var path = Path;
        foreach (var (name, value) in values)
        {
            var parameter = "{" + name + "}";
            if (!path.Contains(parameter, StringComparison.Ordinal)) throw new ArgumentException($"{Method} {Path} has no parameter {parameter}.", nameof(values));
            path = path.Replace(parameter, Uri.EscapeDataString(value), StringComparison.Ordinal);
        }
        return path;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Method} {Path}";
}
