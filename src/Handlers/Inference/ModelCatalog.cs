using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>A configured model, validated.</summary>
public sealed record ModelEntryConfig(string Name, string EndpointName, string Protocol, string? InferenceComponentName, long MaxPayloadBytes);

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
            _models[name] = new ModelEntryConfig(name, m.EndpointName!, protocol, string.IsNullOrWhiteSpace(m.InferenceComponentName) ? null : m.InferenceComponentName, max);
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
