using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>A configured model, validated.</summary>
public sealed record ModelEntryConfig(string Name, string EndpointName, string Protocol, string? InferenceComponentName, long MaxPayloadBytes)
{
    /// <summary>Other models of the same protocol tried in order when this one has no capacity, its circuit is open or it answers 5xx.</summary>
    public IReadOnlyList<string> Fallbacks { get; init; } = [];

    /// <summary>The SageMaker calls its endpoint serves (<see cref="ModelInvocations"/>).</summary>
    public IReadOnlySet<string> Invocations { get; init; } = ModelInvocations.All.ToHashSet();

    /// <summary>What its GPU capacity costs an hour in dollars (<c>Inference:Models:{i}:HourlyUsd</c>); null: no dollars counted.</summary>
    public double? HourlyUsd { get; init; }

    /// <summary>
    /// A 400 <c>invocation-not-supported</c> problem, before SageMaker is called, when the endpoint does not serve
    /// <paramref name="invocation"/> (SageMaker itself would refuse it, e.g. InvokeEndpoint on an asynchronous endpoint).
    /// </summary>
    public void EnsureServes(string invocation)
    {
        if (Invocations.Contains(invocation)) return;
        var use = Invocations.Contains(ModelInvocations.Async)
            ? $"call {Call(Routes.InvokeAsync)}"
            : Invocations.Contains(ModelInvocations.Sync)
                ? $"call {Call(Routes.Invoke)}" + (Protocol == ModelProtocols.OpenAi ? " or an OpenAI route without \"stream\": true" : "")
                : "no route of this API can call it";
        var what = invocation switch
        {
            ModelInvocations.Async => "asynchronous invocations (InvokeEndpointAsync)",
            ModelInvocations.Stream => "streamed responses (InvokeEndpointWithResponseStream)",
            _ => "synchronous invocations (InvokeEndpoint)",
        };
        throw Problems.InvocationNotSupported($"Model '{Name}' is hosted on a SageMaker endpoint that does not serve {what}; {use}.");
    }

    /// <summary>The route for this model, as a message names it: <c>POST /v1/endpoints/{name}/invocations</c>.</summary>
    internal string Call(ApiRoute route) => $"{route.Method} {route.PathWith((Routes.Model, Name))}";
}

/// <summary>The models of <c>Inference:Models</c>, validated once at startup; a key that is wrong fails startup naming it.</summary>
internal sealed class ModelCatalog
{
    private readonly Dictionary<string, ModelEntryConfig> _models = new(ModelNames.Comparer);

    public ModelCatalog(IOptions<InferenceSettings> options)
    {
        var models = options.Value.Models;
        for (var i = 0; i < models.Count; i++)
        {
            var m = models[i];
            var at = SettingsEnvironment.Path(InferenceSettings.Section, nameof(InferenceSettings.Models), i);
            string Fail(string property, string what) =>
                throw new OptionsValidationException(at, typeof(InferenceSettings), [$"{at}:{property}{(m.Name is { Length: > 0 } n ? $" (model '{n}')" : "")}: {what}"]);
            if (!ModelNames.IsValid(m.Name)) Fail(nameof(m.Name), $"'{m.Name}' is not a model name ({ModelNames.Rule}).");
            var name = m.Name!;
            if (_models.ContainsKey(name)) Fail(nameof(m.Name), $"'{name}' names another model already; names are unique.");
            if (string.IsNullOrWhiteSpace(m.EndpointName)) Fail(nameof(m.EndpointName), "is required.");
            if (!SageMakerNames.IsValid(m.EndpointName)) Fail(nameof(m.EndpointName), $"'{m.EndpointName}' is not a SageMaker endpoint name (1-63 letters, digits and hyphens).");
            if (m.InferenceComponentName is { Length: > 0 } ic && !SageMakerNames.IsValid(ic)) Fail(nameof(m.InferenceComponentName), $"'{ic}' is not a SageMaker name.");
            var protocol = (m.Protocol ?? ModelProtocols.Raw).ToLowerInvariant();
            if (!ModelProtocols.All.Contains(protocol)) Fail(nameof(m.Protocol), $"'{m.Protocol}' is not {string.Join(" or ", ModelProtocols.All.Select(p => $"'{p}'"))}.");
            if (m.MaxPayloadBytes <= 0 || m.MaxPayloadBytes > InferenceSettings.SageMakerMaxPayloadBytes)
                Fail(nameof(m.MaxPayloadBytes), $"{m.MaxPayloadBytes} is outside 1..{InferenceSettings.SageMakerMaxPayloadBytes} (SageMaker's limit).");
            if (m.HourlyUsd is { } hourly && !(hourly >= 0 && double.IsFinite(hourly))) Fail(nameof(m.HourlyUsd), $"{hourly} is not a price: 0 or more dollars an hour.");
            var invocations = ModelInvocations.Parse(m.Invocations)
                ?? throw new OptionsValidationException(at, typeof(InferenceSettings), [$"{at}:{nameof(m.Invocations)}: '{m.Invocations}' is not a comma-separated list of {string.Join(", ", ModelInvocations.All)}."]);
            _models[name] = new ModelEntryConfig(name, m.EndpointName!, protocol, string.IsNullOrWhiteSpace(m.InferenceComponentName) ? null : m.InferenceComponentName, m.MaxPayloadBytes)
            {
                Invocations = invocations,
                Fallbacks = InferenceModelSettings.ParseFallbacks(m.Fallbacks),
                HourlyUsd = m.HourlyUsd,
            };
        }
        for (var i = 0; i < models.Count; i++)
        {
            var m = _models[models[i].Name!];
            var at = SettingsEnvironment.Path(InferenceSettings.Section, nameof(InferenceSettings.Models), i, nameof(InferenceModelSettings.Fallbacks));
            foreach (var fallback in m.Fallbacks)
            {
                var problem = !_models.TryGetValue(fallback, out var f) ? $"'{fallback}' is not a configured model."
                    : ModelNames.Comparer.Equals(f.Name, m.Name) ? $"'{fallback}' is the model itself."
                    : f.Protocol != m.Protocol ? $"'{fallback}' speaks {f.Protocol}, model '{m.Name}' {m.Protocol}; a fallback answers the same requests, so it speaks the same protocol."
                    : null;
                if (problem is not null) throw new OptionsValidationException(at, typeof(InferenceSettings), [$"{at} (model '{m.Name}'): {problem}"]);
            }
        }
    }

    /// <summary>The model, then its fallbacks in order (<see cref="ModelEntryConfig.Fallbacks"/>).</summary>
    public IEnumerable<ModelEntryConfig> WithFallbacks(ModelEntryConfig model)
    {
        yield return model;
        foreach (var name in model.Fallbacks) yield return _models[name];
    }

    public IEnumerable<ModelEntryConfig> All => _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal);

    /// <summary>The model, recorded on the request for logs and metrics; 404 problem when unknown.</summary>
    public ModelEntryConfig Resolve(string name, HttpContext http)
    {
        if (!_models.TryGetValue(name, out var model)) throw Problems.UnknownModel(name.Length > 128 ? name[..128] : name);
        var ctx = http.Ctx();
        ctx.Model = model.Name;
        ctx.Metrics = InferenceMetrics.Instance;
        return model;
    }
}
