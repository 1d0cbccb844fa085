using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>A configured model, validated.</summary>
public sealed record ModelEntryConfig(string Name, string EndpointName, string Protocol, string? InferenceComponentName, long MaxPayloadBytes)
{
    /// <summary>The SageMaker calls its endpoint serves (<see cref="ModelInvocations"/>).</summary>
    public IReadOnlySet<string> Invocations { get; init; } = ModelInvocations.All;

    /// <summary>
    /// A 400 <c>invocation-not-supported</c> problem, before SageMaker is called, when the endpoint does not serve
    /// <paramref name="invocation"/> (SageMaker itself would refuse it, e.g. InvokeEndpoint on an asynchronous endpoint).
    /// </summary>
    public void EnsureServes(string invocation)
    {
        if (Invocations.Contains(invocation)) return;
        var use = Invocations.Contains(ModelInvocations.Async)
            ? $"call POST /v1/endpoints/{Name}/async-invocations"
            : Invocations.Contains(ModelInvocations.Sync)
                ? $"call POST /v1/endpoints/{Name}/invocations" + (Protocol == ModelProtocols.OpenAi ? " or an OpenAI route without \"stream\": true" : "")
                : "no route of this API can call it";
        var what = invocation switch
        {
            ModelInvocations.Async => "asynchronous invocations (InvokeEndpointAsync)",
            ModelInvocations.Stream => "streamed responses (InvokeEndpointWithResponseStream)",
            _ => "synchronous invocations (InvokeEndpoint)",
        };
        throw Problems.InvocationNotSupported($"Model '{Name}' is hosted on a SageMaker endpoint that does not serve {what}; {use}.");
    }
}

/// <summary>The models of <c>Inference:Models</c>, validated once at startup.</summary>
public sealed partial class ModelCatalog
{
    private readonly Dictionary<string, ModelEntryConfig> _models = new(StringComparer.Ordinal);

    public ModelCatalog(IOptions<InferenceOptions> options)
    {
        foreach (var (name, m) in options.Value.Models)
        {
            string Fail(string what) => throw new OptionsValidationException("Inference:Models", typeof(InferenceOptions), [$"Inference:Models:{name}: {what}"]);
            if (!ModelName().IsMatch(name)) Fail("a model name is 1-128 letters, digits, '.', '_', ':' or '-'.");
            if (string.IsNullOrWhiteSpace(m.EndpointName)) Fail("EndpointName is required.");
            if (!SageMakerName().IsMatch(m.EndpointName!)) Fail($"EndpointName '{m.EndpointName}' is not a SageMaker endpoint name (1-63 letters, digits and hyphens).");
            if (m.InferenceComponentName is { Length: > 0 } ic && !SageMakerName().IsMatch(ic)) Fail($"InferenceComponentName '{ic}' is not a SageMaker name.");
            var protocol = (m.Protocol ?? ModelProtocols.Raw).ToLowerInvariant();
            if (protocol is not (ModelProtocols.Raw or ModelProtocols.OpenAi)) Fail($"Protocol '{m.Protocol}' is not 'raw' or 'openai'.");
            var max = m.MaxPayloadBytes ?? InferenceOptions.SageMakerMaxPayloadBytes;
            if (max <= 0 || max > InferenceOptions.SageMakerMaxPayloadBytes) Fail($"MaxPayloadBytes {max} is outside 1..{InferenceOptions.SageMakerMaxPayloadBytes} (SageMaker's limit).");
            var invocations = string.IsNullOrWhiteSpace(m.Invocations)
                ? ModelInvocations.All
                : m.Invocations.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(i => i.ToLowerInvariant()).ToHashSet();
            if (invocations.Count == 0 || !invocations.IsSubsetOf(ModelInvocations.All))
                Fail($"Invocations '{m.Invocations}' is not a comma-separated list of {string.Join(", ", ModelInvocations.All)}.");
            _models[name] = new ModelEntryConfig(name, m.EndpointName!, protocol, string.IsNullOrWhiteSpace(m.InferenceComponentName) ? null : m.InferenceComponentName, max)
            {
                Invocations = invocations,
            };
        }
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

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex ModelName();

    [GeneratedRegex("^[A-Za-z0-9](-*[A-Za-z0-9]){0,62}$")]
    private static partial Regex SageMakerName();
}
