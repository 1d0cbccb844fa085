namespace AwsModelPlatform.Contracts;

/// <summary>
/// The route table: every route of the handler, once. The constructs create their API Gateway resources and methods
/// from it (<c>PlatformRestApi</c>, <c>InferenceApi</c>, <c>TrainingApi</c>); the handler maps its endpoints from it and
/// checks at startup that it mapped exactly the routes of its configuration (<see cref="Served"/>).
/// </summary>
internal static class Routes
{
    private const string Get = "GET", Post = "POST", Put = "PUT", Delete = "DELETE";

    // Paths name their parameters through these constants ({{{Model}}} is "{model}"), so PathWith callers and the
    // handler's parameters of the same names read what the table writes.

    /// <summary>The path parameter that names a model (the handler's parameter of the same name reads it).</summary>
    public const string Model = "model";

    /// <summary>The path parameter that names an async invocation or a training job.</summary>
    public const string Id = "id";

    /// <summary>The Web Adapter's readiness check: no AWS call, never on API Gateway.</summary>
    public static readonly ApiRoute Health = new(RouteGroup.Hosting, Get, "/healthz", Transfer.Buffered, "Health") { OnApiGateway = false };

    /// <summary>The OpenAPI document of the process's routes.</summary>
    public static readonly ApiRoute OpenApiDocument = new(RouteGroup.Hosting, Get, "/openapi/v1.json", Transfer.Buffered, "GetOpenApiDocument");

    /// <summary>SageMaker InvokeEndpoint, passed through.</summary>
    public static readonly ApiRoute Invoke = new(RouteGroup.Inference, Post, $"/v1/endpoints/{{{Model}}}/invocations", Transfer.Buffered, "InvokeEndpoint");

    /// <summary>SageMaker InvokeEndpointWithResponseStream, passed through.</summary>
    public static readonly ApiRoute InvokeStream = new(RouteGroup.Inference, Post, $"/v1/endpoints/{{{Model}}}/invocations-stream", Transfer.Stream, "InvokeEndpointWithResponseStream");

    /// <summary>SageMaker InvokeEndpointAsync with a durable record.</summary>
    public static readonly ApiRoute InvokeAsync = new(RouteGroup.Inference, Post, $"/v1/endpoints/{{{Model}}}/async-invocations", Transfer.Buffered, "InvokeEndpointAsync", RouteNeeds.AsyncModel);

    /// <summary>The state of an async invocation.</summary>
    public static readonly ApiRoute GetAsyncInvocation = new(RouteGroup.Inference, Get, $"/v1/async-invocations/{{{Id}}}", Transfer.Buffered, "GetAsyncInvocation", RouteNeeds.AsyncModel);

    /// <summary>OpenAI: the configured models.</summary>
    public static readonly ApiRoute ListModels = new(RouteGroup.Inference, Get, "/v1/models", Transfer.Buffered, "ListModels");

    /// <summary>OpenAI chat completions (streamed with <c>"stream": true</c>, which API Gateway cannot route on).</summary>
    public static readonly ApiRoute ChatCompletions = new(RouteGroup.Inference, Post, "/v1/chat/completions", Transfer.Stream, "CreateChatCompletion");

    /// <summary>OpenAI completions (streamed with <c>"stream": true</c>).</summary>
    public static readonly ApiRoute Completions = new(RouteGroup.Inference, Post, "/v1/completions", Transfer.Stream, "CreateCompletion");

    /// <summary>OpenAI embeddings (never streamed).</summary>
    public static readonly ApiRoute Embeddings = new(RouteGroup.Inference, Post, "/v1/embeddings", Transfer.Buffered, "CreateEmbedding");

    /// <summary>The caller's team's usage in a UTC month, on an API with team access.</summary>
    public static readonly ApiRoute GetUsage = new(RouteGroup.Inference, Get, "/v1/usage", Transfer.Buffered, "GetUsage", RouteNeeds.TeamAccess);

    /// <summary>Submits a training job.</summary>
    public static readonly ApiRoute SubmitTrainingJob = new(RouteGroup.Training, Post, "/v1/training-jobs", Transfer.Buffered, "SubmitTrainingJob") { MetricOperation = HandlerMetrics.Training.Submit };

    /// <summary>Lists training jobs.</summary>
    public static readonly ApiRoute ListTrainingJobs = new(RouteGroup.Training, Get, "/v1/training-jobs", Transfer.Buffered, "ListTrainingJobs") { MetricOperation = HandlerMetrics.Training.List };

    /// <summary>Describes a training job.</summary>
    public static readonly ApiRoute GetTrainingJob = new(RouteGroup.Training, Get, $"/v1/training-jobs/{{{Id}}}", Transfer.Buffered, "GetTrainingJob") { MetricOperation = HandlerMetrics.Training.Describe };

    /// <summary>Cancels or terminates a training job.</summary>
    public static readonly ApiRoute StopTrainingJob = new(RouteGroup.Training, Delete, $"/v1/training-jobs/{{{Id}}}", Transfer.Buffered, "StopTrainingJob") { MetricOperation = HandlerMetrics.Training.Stop };

    /// <summary>The path parameter that names a team.</summary>
    public const string Team = "team";

    /// <summary>
    /// A Lambda authorizer event: the Web Adapter posts events that are not HTTP requests to its pass-through path
    /// (<see cref="WebAdapter.PassThroughPathVariable"/>). Never on API Gateway.
    /// </summary>
    public static readonly ApiRoute AuthorizeRequest = new(RouteGroup.Authorizer, Post, "/events", Transfer.Buffered, "AuthorizeRequest") { OnApiGateway = false };

    /// <summary>Creates an API key for a team (the key is in this answer only).</summary>
    public static readonly ApiRoute CreateApiKey = new(RouteGroup.Access, Post, "/v1/admin/keys", Transfer.Buffered, "CreateApiKey");

    /// <summary>Lists API keys (never the keys themselves), of one team with <c>?team=</c>.</summary>
    public static readonly ApiRoute ListApiKeys = new(RouteGroup.Access, Get, "/v1/admin/keys", Transfer.Buffered, "ListApiKeys");

    /// <summary>Creates a key's successor; the key keeps working for the overlap.</summary>
    public static readonly ApiRoute RotateApiKey = new(RouteGroup.Access, Post, $"/v1/admin/keys/{{{Id}}}/rotate", Transfer.Buffered, "RotateApiKey");

    /// <summary>Revokes a key.</summary>
    public static readonly ApiRoute RevokeApiKey = new(RouteGroup.Access, Delete, $"/v1/admin/keys/{{{Id}}}", Transfer.Buffered, "RevokeApiKey");

    /// <summary>Sets a team's limits.</summary>
    public static readonly ApiRoute PutTeam = new(RouteGroup.Access, Put, $"/v1/admin/teams/{{{Team}}}", Transfer.Buffered, "PutTeam");

    /// <summary>A team's limits.</summary>
    public static readonly ApiRoute GetTeam = new(RouteGroup.Access, Get, $"/v1/admin/teams/{{{Team}}}", Transfer.Buffered, "GetTeam");

    /// <summary>What each key of a team spent on each model in a month.</summary>
    public static readonly ApiRoute GetTeamUsage = new(RouteGroup.Access, Get, $"/v1/admin/teams/{{{Team}}}/usage", Transfer.Buffered, "GetTeamUsage");

    /// <summary>Every route.</summary>
    public static IReadOnlyList<ApiRoute> All { get; } =
    [
        Health, OpenApiDocument,
        Invoke, InvokeStream, InvokeAsync, GetAsyncInvocation, ListModels, ChatCompletions, Completions, Embeddings, GetUsage,
        SubmitTrainingJob, ListTrainingJobs, GetTrainingJob, StopTrainingJob,
        AuthorizeRequest, CreateApiKey, ListApiKeys, RotateApiKey, RevokeApiKey, PutTeam, GetTeam, GetTeamUsage,
    ];

    /// <summary>
    /// The routes a handler process serves, and (without <see cref="Health"/>) the methods its function has on API
    /// Gateway: the hosting routes and those of <paramref name="groups"/>, of <paramref name="transfer"/> (null: a
    /// process that serves both, as a local run does; the readiness check in any case), whose needs the configuration
    /// meets (<paramref name="inference"/>: its inference settings, none for a process without the inference group;
    /// <paramref name="access"/>: its access settings, none or without a table name for an API without team access).
    /// </summary>
    public static IReadOnlyList<ApiRoute> Served(IEnumerable<string> groups, Transfer? transfer, InferenceSettings? inference = null, AccessSettings? access = null)
    {
        var mapped = groups.Append(RouteGroup.Hosting).ToHashSet(StringComparer.Ordinal);
        return All.Where(r => mapped.Contains(r.Group) && (transfer is null || r.Transfer == transfer || !r.OnApiGateway)
                              && (r.Needs == RouteNeeds.Nothing || (inference is not null && r.IsServed(inference, access)))).ToList();
    }
}
