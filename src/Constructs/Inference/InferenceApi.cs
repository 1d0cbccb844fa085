using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.CDK.AWS.APIGateway;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using InvokeMode = AwsModelPlatform.Constructs.Api.InvokeMode;
using AwsModelPlatform.Constructs.Api;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>What a model's container speaks (the handler's <c>Inference:Models:{name}:Protocol</c>).</summary>
public enum ModelProtocol
{
    /// <summary>Bodies pass through untouched; only the <c>/v1/endpoints/{model}/...</c> routes serve the model.</summary>
    Raw,

    /// <summary>The container speaks OpenAI JSON (TGI, vLLM, LMI): the <c>/v1/chat/completions</c>, <c>/v1/completions</c> and <c>/v1/embeddings</c> routes serve it too.</summary>
    OpenAi,
}

/// <summary>One model the API serves: an endpoint, the name clients call it by, and how to talk to it.</summary>
public sealed record InferenceModel
{
    /// <summary>The endpoint serving the model.</summary>
    public required IGpuModelEndpoint Endpoint { get; init; }

    /// <summary>The name clients use (the <c>{model}</c> path segment and the OpenAI <c>model</c> field): 1 to 128 letters, digits, '.', '_', ':' or '-', not only dots.</summary>
    /// <remarks>Default: the endpoint's name as it is (<c>llama-3-8b</c>), when the name is known at synth time.</remarks>
    public string? Name { get; init; }

    /// <summary>What the container speaks. <see cref="ModelProtocol.OpenAi"/> needs an endpoint that serves synchronous calls: an async endpoint is refused.</summary>
    /// <remarks>Default: <see cref="ModelProtocol.Raw"/>, the handler's default: nothing is assumed of the container.</remarks>
    public ModelProtocol Protocol { get; init; } = ModelProtocol.Raw;

    /// <summary>The inference component requests target.</summary>
    /// <remarks>Default: the endpoint's only inference component when it has exactly one; none otherwise (a caller may then pick one with <c>X-Amzn-SageMaker-Inference-Component</c>).</remarks>
    public string? InferenceComponentName { get; init; }

    /// <summary>Largest request body accepted for the model, in whole bytes from 1 byte to SageMaker's 6 MiB (6,291,456 bytes).</summary>
    /// <remarks>Default: the handler's default, SageMaker's 6 MiB.</remarks>
    public Size? MaxPayload { get; init; }

    /// <summary>
    /// Names of other models of this API, of the same <see cref="Protocol"/>, tried in order when this one has no capacity
    /// (scaled to zero, or short of GPUs), its circuit is open or it answers 5xx; never on a 4xx caused by the request.
    /// The response's <c>x-served-by</c> header (and, for OpenAI models, the <c>model</c> field) names the model that served.
    /// </summary>
    /// <remarks>Default: none.</remarks>
    public IReadOnlyList<string>? Fallbacks { get; init; }

    /// <summary>A model served by <paramref name="endpoint"/> with every default.</summary>
    public static implicit operator InferenceModel(GpuModelEndpoint endpoint) => new() { Endpoint = endpoint };
}

/// <summary>Properties of <see cref="InferenceApi"/>.</summary>
public sealed record InferenceApiProps : HandlerApiProps
{
    /// <summary>The models the API serves (at least one, names unique).</summary>
    public required IReadOnlyList<InferenceModel> Models { get; init; }

    /// <summary>Reserved (and maximum) concurrency of the streaming function.</summary>
    /// <remarks>Default: <see cref="HandlerApiProps.ReservedConcurrency"/>, else 50: each open stream holds one execution for the whole generation; GPU endpoints serve a few tens of concurrent generations, so more only queues at the model.</remarks>
    public int? StreamingReservedConcurrency { get; init; }

    /// <summary>Deadline of the buffered function's sync and async calls to SageMaker, retries included (the handler's <c>Inference:TimeoutSeconds</c>), in whole seconds from 1 to 60.</summary>
    /// <remarks>Default: 28 seconds: API Gateway ends a buffered integration at 29 s, so the handler answers its own 504 problem document with the upstream request id first.</remarks>
    public Duration BufferedTimeout { get; init; } = Duration.Seconds(28);

    /// <summary>
    /// Whether the handler wakes a model scaled to zero on its first request (<c>UpdateInferenceComponentRuntimeConfig</c> on
    /// the model's own inference component, granted to the functions) and streamed requests wait for it with keep-alives.
    /// Off: only the endpoint's alarm-driven scale-out wakes the model (see docs/scale-to-zero.md).
    /// </summary>
    /// <remarks>Default: true.</remarks>
    public bool WakeOnDemand { get; init; } = true;

    /// <summary>
    /// The governed access whose team limits, budgets and usage the model routes count in, for IAM and Cognito callers
    /// (mapped to teams by <see cref="CallerTeams"/>). In key mode (<see cref="ApiAuthorization.ApiKeys"/>) the keys'
    /// <see cref="Access.TeamAccess"/> is the API's, and this may be left unset.
    /// </summary>
    /// <remarks>Default: none: no limits or usage (the key mode's TeamAccess in key mode).</remarks>
    public Access.TeamAccess? TeamAccess { get; init; }

    /// <summary>
    /// The teams of IAM and Cognito callers: caller (an IAM role or user ARN, or a Cognito group as
    /// <c>cognito-group:name</c>) to team. A caller not mapped is refused on the model routes when the API has team access.
    /// </summary>
    /// <remarks>Default: none.</remarks>
    public IReadOnlyDictionary<string, string>? CallerTeams { get; init; }
}

/// <summary>
/// The inference API: a REST API (IAM auth by default, WAF, throttling, validation, access logs, alarms) in front
/// of the platform's GPU endpoints, served by the Native AOT handler of <c>src/Handlers</c> in two Lambda
/// functions — one buffered (sync and async invocations, models, embeddings, the OpenAPI document), one
/// response-streaming (token streams and the OpenAI chat/completions routes, whose <c>stream</c> flag is in the
/// body, which API Gateway cannot route on). Each function's role may invoke only the fronted endpoints and,
/// for async models, write and read only the endpoint's async prefixes with the platform key. The API does not
/// compress responses: API Gateway supports no content encoding with response streaming, and compression is set for
/// the whole API.
/// </summary>
public sealed partial class InferenceApi : PlatformConstruct
{
    /// <summary>The CloudWatch namespace of the metrics the handler writes for the model routes (Embedded Metric Format).</summary>
    public const string MetricNamespace = HandlerMetrics.Inference.Namespace;

    /// <summary>The <see cref="HandlerApiProps.Name"/> of the REST API unless the props name it.</summary>
    private const string ApiBaseName = "inference";

    /// <summary>The REST API.</summary>
    public PlatformRestApi RestApi { get; }

    /// <summary>The buffered function (sync, async, models, embeddings).</summary>
    public HandlerFunction BufferedHandler { get; }

    /// <summary>The response-streaming function (invocations-stream, chat/completions, completions).</summary>
    public HandlerFunction StreamingHandler { get; }

    /// <summary>The API's functions: <see cref="BufferedHandler"/> and <see cref="StreamingHandler"/>.</summary>
    public IReadOnlyList<HandlerFunction> Functions => new[] { BufferedHandler, StreamingHandler };

    /// <summary>The API's alarms: the stage's and each function's, all on the platform's alarm topic.</summary>
    public InferenceApiAlarms Alarms { get; }

    /// <summary>The URL of the stage, ending in <c>/</c>.</summary>
    public string Url => RestApi.Url;

    /// <summary>
    /// The bucket of the wake markers that make one wake call per model across function instances (the handler's
    /// <c>Inference:Wake:MarkerBucket</c>): the API's own, when <see cref="InferenceApiProps.WakeOnDemand"/> is on and a
    /// model targets an inference component; none otherwise.
    /// </summary>
    public Amazon.CDK.AWS.S3.IBucket? WakeMarkers { get; }

    /// <summary>The handler configuration both functions get (the handler's documented keys), without the adapter's settings; the buffered function also gets its own timeout.</summary>
    public IReadOnlyDictionary<string, string> HandlerConfiguration { get; }

    /// <summary>The handler settings both functions get, of which <see cref="HandlerConfiguration"/> is the environment.</summary>
    internal InferenceSettings Settings { get; }

    /// <summary>Creates the functions, the API and its routes, and the grants.</summary>
    public InferenceApi(Construct scope, string id, InferenceApiProps props) : base(scope, id, props, "inference-api")
    {
        var models = Resolve(props.Models);
        Check.WholeSeconds(props.BufferedTimeout, 1, 60, "InferenceApiProps.BufferedTimeout");
        var memory = Size.Mebibytes(HandlerFunction.MemoryMiB(Check, props.Memory, "InferenceApiProps.Memory"));
        var bufferedConcurrency = props.ReservedConcurrency ?? 50;
        var streamingConcurrency = props.StreamingReservedConcurrency ?? props.ReservedConcurrency ?? 50;
        Check.That(bufferedConcurrency >= 1 && streamingConcurrency >= 1,
            $"InferenceApiProps.ReservedConcurrency = {bufferedConcurrency} and StreamingReservedConcurrency = {streamingConcurrency}: each must be at least 1; 0 would turn the function off.");
        var asyncEndpoints = models.Where(m => m.Endpoint.IsAsync).Select(m => m.Endpoint).Distinct().ToList();
        Check.That(asyncEndpoints.Count <= 1,
            $"InferenceApiProps.Models: {asyncEndpoints.Count} async endpoints ({string.Join(", ", asyncEndpoints.Select(e => e.EndpointName))}); the handler stores async inputs in one bucket, which only one endpoint's model may read. Put one InferenceApi in front of each async endpoint.");
        var asyncEndpoint = asyncEndpoints.SingleOrDefault();
        var asyncPayloads = asyncEndpoint?.AsyncPayloads;

        _modelNames = models.Select(m => m.Name!).ToList();
        var access = ResolveTeamAccess(props);
        var accessSettings = access?.SettingsFor(props.CallerTeams);
        // The REST API's name, known before the API: the Api dimension of every metric the handler writes, so two
        // platforms' APIs in one account and region (dev and prod) never share a metric.
        var api = new ApiSettings { Name = PlatformRestApi.NameOf(Platform, props.Name ?? ApiBaseName), RouteGroups = RouteGroup.Inference };
        // Waking: each model's own inference component, and no other; one wake call per model across function instances.
        var wakeable = models.Where(m => m.InferenceComponentName is not null).Select(m => m.InferenceComponentName!).Distinct().ToList();
        var wake = new WakeSettings { Enabled = props.WakeOnDemand };
        var markers = props.WakeOnDemand && wakeable.Count > 0 ? new WakeMarkerBucket(this, "WakeMarkers", Platform, wake) : null;
        WakeMarkers = markers?.Bucket;
        var settings = new InferenceSettings
        {
            Models = models.Select(m => new InferenceModelSettings
            {
                Name = m.Name,
                EndpointName = m.Endpoint.EndpointName,
                Protocol = m.Protocol == ModelProtocol.OpenAi ? ModelProtocols.OpenAi : ModelProtocols.Raw,
                // The handler refuses, with a problem document, a route whose SageMaker call the endpoint does not serve.
                Invocations = m.Endpoint.Invocations.ToHandlerValue(),
                InferenceComponentName = m.InferenceComponentName,
                MaxPayloadBytes = m.MaxPayload is { } max ? (long)max.ToBytes() : InferenceSettings.SageMakerMaxPayloadBytes,
                Fallbacks = string.Join(",", m.Fallbacks ?? []),
                HourlyUsd = access is null ? null : HourlyUsdOf(m),
            }).ToList(),
            Wake = wake with { MarkerBucket = markers?.Bucket.BucketName },
            // The endpoint's own payload bucket (an imported endpoint's too) and the input prefix its grant scopes.
            Async = asyncPayloads is null ? new AsyncSettings() : new AsyncSettings
            {
                Bucket = asyncPayloads.Bucket.BucketName,
                Prefix = asyncPayloads.InputPrefix.TrimEnd('/'),
                KmsKeyId = asyncPayloads.Key.KeyArn,
            },
        };
        Settings = settings;
        HandlerConfiguration = HandlerEnvironment.Of(api, settings, access: accessSettings);

        var code = props.HandlerCodeOf(Check);
        BufferedHandler = new HandlerFunction(this, "Buffered", new HandlerFunctionProps
        {
            Platform = Platform,
            Purpose = "inference",
            Code = code,
            Configuration = HandlerEnvironment.Of(api, settings with { TimeoutSeconds = (int)props.BufferedTimeout.ToSeconds() }, access: accessSettings),
            InvokeMode = InvokeMode.Buffered,
            Architecture = props.Architecture,
            Memory = memory,
            ReservedConcurrency = bufferedConcurrency,
            WebAdapterLayerArn = props.WebAdapterLayerArn,
        });
        StreamingHandler = new HandlerFunction(this, "Streaming", new HandlerFunctionProps
        {
            Platform = Platform,
            Purpose = "inference-stream",
            Code = code,
            Configuration = HandlerConfiguration,
            InvokeMode = InvokeMode.ResponseStream,
            Architecture = props.Architecture,
            Memory = memory,
            ReservedConcurrency = streamingConcurrency,
            WebAdapterLayerArn = props.WebAdapterLayerArn,
        });

        // Least privilege: each endpoint's own grant (its ARN and its inference components), the async prefixes of
        // the one async endpoint's bucket with its key; nothing else.
        foreach (var endpoint in models.Select(m => m.Endpoint).Distinct())
        {
            endpoint.GrantInvoke(BufferedHandler.Role);
            endpoint.GrantInvoke(StreamingHandler.Role);
        }
        asyncEndpoint?.GrantAsyncPayloads(BufferedHandler.Role);
        if (markers is not null)
        {
            foreach (var handler in new[] { BufferedHandler, StreamingHandler })
            {
                GpuModelEndpoint.GrantWakeOn(this, handler.Role, wakeable);
                markers.GrantWrite(handler.Role);
            }
        }

        RestApi = new PlatformRestApi(this, "Api", props.RestApiProps(Platform, ApiBaseName, defaultRateLimit: 50));
        Alarms = new InferenceApiAlarms { Api = RestApi.Alarms, Buffered = BufferedHandler.Alarms, Streaming = StreamingHandler.Alarms };
        // Per team, not per caller (issue 15): ByTeam's metrics for each team that calls.
        RestApi.RecordCustomMetrics(ModelCount * ByModel.Metrics.Count, MetricsBasis,
            metricsPerTeam: ByTeam.Metrics.Count, perTeamBasis: Describe(ByTeam, "team metrics"));
        // The route table's methods of each function: what its handler serves (and checks at startup) for these settings.
        var bodies = RequestModels.Create(RestApi.Api);
        foreach (var handler in new[] { BufferedHandler, StreamingHandler })
            foreach (var route in Routes.Served([RouteGroup.Inference], handler.InvokeMode.Transfer(), settings, accessSettings).Where(r => r.OnApiGateway))
                RestApi.AddRoute(route, handler, bodies.GetValueOrDefault(route));
        if (asyncPayloads is not null) SuppressAsyncPayloadWildcards(asyncPayloads);
        foreach (var handler in markers is null ? [] : new[] { BufferedHandler, StreamingHandler })
            if (handler.Role.Node.TryFindChild("DefaultPolicy") is Amazon.CDK.AWS.IAM.Policy policy) markers!.SuppressMarkerWildcard(policy);
        if (access is not null) WireTeamAccess(access);
    }

    /// <summary>Lets <paramref name="grantee"/> call every route (IAM authorization, the default).</summary>
    public Grant GrantInvoke(IGrantable grantee) => RestApi.GrantInvoke(grantee);

    private readonly IReadOnlyList<string> _modelNames;
    private int ModelCount => _modelNames.Count;

    /// <summary>
    /// One of the handler's per-model metrics (<c>Requests</c>, <c>Errors</c>, <c>Throttles</c>, <c>Latency</c>) of
    /// this API: dimensions <c>Api</c> (<see cref="PlatformRestApi.ApiName"/>) and <c>Model</c>. Sum, or p99 for latency,
    /// over 5 minutes unless the options say otherwise.
    /// </summary>
    public Metric MetricOfModel(string model, string metricName, IMetricOptions? props = null)
    {
        Check.That(_modelNames.Contains(model), $"InferenceApi.MetricOfModel: '{model}' is not a model of this API ({string.Join(", ", _modelNames)}).");
        Check.That(ByModel.Metrics.Any(m => m.Name == metricName),
            $"InferenceApi.MetricOfModel: '{metricName}' is not a metric the handler writes per model ({string.Join(", ", ByModel.Metrics.Select(m => m.Name))}); an alarm on it would never see data.");
        return RestApi.HandlerMetric(ByModel, metricName, model, props);
    }

    /// <summary>Requests to one model.</summary>
    public Metric MetricRequests(string model, IMetricOptions? props = null) => MetricOfModel(model, HandlerMetrics.Inference.Requests.Name, props);

    /// <summary>Requests to one model answered 5xx or 424, or cut after the first byte.</summary>
    public Metric MetricErrors(string model, IMetricOptions? props = null) => MetricOfModel(model, HandlerMetrics.Inference.Errors.Name, props);

    /// <summary>Requests to one model answered 429.</summary>
    public Metric MetricThrottles(string model, IMetricOptions? props = null) => MetricOfModel(model, HandlerMetrics.Inference.Throttles.Name, props);

    /// <summary>Handler latency of one model in milliseconds (p99 unless the options say otherwise).</summary>
    public Metric MetricLatency(string model, IMetricOptions? props = null) => MetricOfModel(model, HandlerMetrics.Inference.Latency.Name, props);

    private static HandlerMetricSet ByModel => HandlerMetrics.Inference.ByModel;
    private static HandlerMetricSet ByTeam => HandlerMetrics.Inference.ByTeam;

    private static string Describe(HandlerMetricSet set, string what) => $"{set.Metrics.Count} {what} ({string.Join(", ", set.Metrics.Select(m => m.Name))})";

    private string MetricsBasis => $"{ModelCount} model(s) × {Describe(ByModel, "metrics")}";

    /// <summary>The handler's EMF metrics per model (<see cref="HandlerMetrics.Inference.ByModel"/>), all of them reporting.</summary>
    protected override IEnumerable<Cost.CostLine> CapacityCostLines(string region)
    {
        yield return Cost.CostEstimator.CustomMetrics(this, region, ModelCount * ByModel.Metrics.Count, MetricsBasis);
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> UsageBasedCosts =>
        base.UsageBasedCosts.Append(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"EMF team metrics: {Describe(ByTeam, "custom metrics")} per team that calls, "
            + $"${MetricMonthUsd:0.##}/metric-month once each reports")).ToList();

    private double MetricMonthUsd => PriceTable.Default.Get(Cost.CostEstimator.PricedRegion(this), PriceTable.CloudWatch, "metric").Usd;

    private List<InferenceModel> Resolve(IReadOnlyList<InferenceModel> models)
    {
        Check.That(models is { Count: > 0 }, "InferenceApiProps.Models is empty: give at least one model (a GpuModelEndpoint, or an InferenceModel with GpuModelEndpoint.FromEndpointName).");
        var resolved = new List<InferenceModel>();
        foreach (var model in models)
        {
            var endpointName = model.Endpoint.EndpointName;
            Check.That(model.Name is not null || !Token.IsUnresolved(endpointName),
                "InferenceModel.Name is required when the endpoint's name is only known at deploy time (a token).");
            var name = model.Name ?? endpointName;
            Check.That(ModelNames.IsValid(name),
                $"InferenceModel.Name = '{name}' is not accepted: a model name is {ModelNames.Rule}, the name clients put in the path and the OpenAI 'model' field. Give the model a Name that fits.");
            var components = model.Endpoint.InferenceComponentNames;
            var component = model.InferenceComponentName ?? (components.Count == 1 ? components[0] : null);
            Check.That(component is null || components.Count == 0 || components.Contains(component),
                $"InferenceModel '{name}': InferenceComponentName = '{component}' is not a component of endpoint {endpointName} ({string.Join(", ", components)}); the grant would not cover it.");
            if (model.MaxPayload?.ToBytes() is { } max)
                Check.That(max is >= 1 and <= InferenceSettings.SageMakerMaxPayloadBytes && max == Math.Floor(max),
                    $"InferenceModel '{name}': MaxPayload = {max} bytes is out of range: SageMaker accepts whole bytes from 1 to {InferenceSettings.SageMakerMaxPayloadBytes.ToString("N0", CultureInfo.InvariantCulture)}.");
            // The OpenAI routes call InvokeEndpoint (or InvokeEndpointWithResponseStream with "stream": true); SageMaker
            // serves an asynchronous endpoint only through InvokeEndpointAsync, so such a model could answer no OpenAI request.
            Check.That(model.Protocol != ModelProtocol.OpenAi || model.Endpoint.Invocations.HasFlag(EndpointInvocations.Sync),
                $"InferenceModel '{name}': Protocol = OpenAi, but endpoint {endpointName} is asynchronous (RealTimeHosting.Async) and SageMaker serves it only through InvokeEndpointAsync, " +
                $"while the OpenAI routes ({string.Join(", ", OpenAiRoutes.Select(r => r.Path))}) call InvokeEndpoint or InvokeEndpointWithResponseStream. " +
                $"Give it Protocol = ModelProtocol.Raw and call {Routes.InvokeAsync.Method} {Routes.InvokeAsync.PathWith((Routes.Model, name))}, or host the model without Async to serve the OpenAI routes.");
            resolved.Add(model with { Name = name, InferenceComponentName = component });
        }
        var duplicate = resolved.GroupBy(m => m.Name!, ModelNames.Comparer).FirstOrDefault(g => g.Count() > 1);
        Check.That(duplicate is null, $"InferenceApiProps.Models: the name '{duplicate?.Key}' is used {duplicate?.Count()} times; give each model a unique Name.");
        foreach (var model in resolved)
        {
            foreach (var fallback in model.Fallbacks ?? [])
            {
                var other = resolved.FirstOrDefault(m => ModelNames.Comparer.Equals(m.Name, fallback));
                Check.That(other is not null,
                    $"InferenceModel '{model.Name}': Fallbacks names '{fallback}', which is not a model of this API ({string.Join(", ", resolved.Select(m => m.Name))}); name another model of the API, or add it to InferenceApiProps.Models.");
                Check.That(!ReferenceEquals(other, model), $"InferenceModel '{model.Name}': Fallbacks names the model itself; name other models.");
                Check.That(other!.Protocol == model.Protocol,
                    $"InferenceModel '{model.Name}': Fallbacks names '{fallback}', whose Protocol is {other.Protocol}, not {model.Protocol}: a fallback answers the same requests, so it must speak the same protocol. Name a model with Protocol = {model.Protocol}.");
            }
            Check.That((model.Fallbacks ?? []).Distinct(ModelNames.Comparer).Count() == (model.Fallbacks ?? []).Count,
                $"InferenceModel '{model.Name}': Fallbacks = [{string.Join(", ", model.Fallbacks ?? [])}] names a model twice; name each once, in the order to try them.");
        }
        return resolved;
    }

    private static readonly ApiRoute[] OpenAiRoutes = [Routes.ChatCompletions, Routes.Completions, Routes.Embeddings];

    // Only the buffered function holds the async grants (GrantAsyncPayloads), and only when a model is async: a
    // suppression anywhere else would match nothing and hide the next wildcard someone adds.
    private void SuppressAsyncPayloadWildcards(AsyncPayloadBucket payloads)
    {
        var reason =
            $"The only wildcards of the grants are the async prefixes of the one async endpoint's own bucket (objects named by request id at run time: inputs and records under {payloads.InputPrefix}, " +
            $"results and failures SageMaker writes under {payloads.OutputPrefix} and {payloads.FailurePrefix}); every SageMaker and KMS action names its endpoint, inference component or key ARN.";
        var prefixes = string.Join("|", new[] { payloads.InputPrefix, payloads.OutputPrefix, payloads.FailurePrefix }.Select(p => Regex.Escape(p).Replace("/", "\\/")));
        if (BufferedHandler.Role.Node.TryFindChild("DefaultPolicy") is Amazon.CDK.AWS.IAM.Policy policy)
            Suppressions.Add(policy, "AwsSolutions-IAM5", reason, Suppressions.Matching($@"^Resource::.*\/({prefixes})\*$"));
    }

    /// <summary>JSON schemas of the OpenAI bodies: API Gateway refuses malformed requests before they reach (and cost) a function.</summary>
    private static class RequestModels
    {
        public static Dictionary<ApiRoute, IModel> Create(RestApi api)
        {
            Model Body(string id, string title, string[] required, Dictionary<string, IJsonSchema> properties) => api.AddModel(id, new ModelOptions
            {
                ContentType = "application/json",
                ModelName = id,
                Description = title,
                Schema = new JsonSchema
                {
                    Schema = JsonSchemaVersion.DRAFT4,
                    Title = title,
                    Type = JsonSchemaType.OBJECT,
                    Required = required,
                    Properties = properties,
                },
            });
            var model = new JsonSchema { Type = JsonSchemaType.STRING, MinLength = 1 };
            var stream = new JsonSchema { Type = JsonSchemaType.BOOLEAN };
            var maxTokens = new JsonSchema { Type = JsonSchemaType.INTEGER, Minimum = 1 };
            return new Dictionary<ApiRoute, IModel>
            {
                [Routes.ChatCompletions] = Body("ChatCompletionRequest", "OpenAI chat completion request", new[] { "model", "messages" }, new()
                {
                    ["model"] = model,
                    ["messages"] = new JsonSchema
                    {
                        Type = JsonSchemaType.ARRAY,
                        MinItems = 1,
                        Items = new JsonSchema { Type = JsonSchemaType.OBJECT, Required = new[] { "role" }, Properties = new Dictionary<string, IJsonSchema> { ["role"] = new JsonSchema { Type = JsonSchemaType.STRING } } },
                    },
                    ["stream"] = stream,
                    ["max_tokens"] = maxTokens,
                }),
                [Routes.Completions] = Body("CompletionRequest", "OpenAI completion request", new[] { "model", "prompt" }, new()
                {
                    ["model"] = model,
                    ["stream"] = stream,
                    ["max_tokens"] = maxTokens,
                }),
                [Routes.Embeddings] = Body("EmbeddingRequest", "OpenAI embedding request", new[] { "model", "input" }, new()
                {
                    ["model"] = model,
                }),
            };
        }
    }
}
