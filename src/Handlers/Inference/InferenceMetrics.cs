using System.Text.Json;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>
/// EMF metrics of the model routes, namespace <c>AwsModelPlatform/Inference</c>: per API and model (<c>Api</c>,
/// <c>Model</c>) <c>Latency</c>, <c>Requests</c>, <c>Errors</c> (5xx, 424 and streams broken after the first byte),
/// <c>Throttles</c>; and token usage per API, model and caller when the model reported it.
/// </summary>
public sealed class InferenceMetrics : RequestMetrics
{
    public const string Namespace = "AwsModelPlatform/Inference";

    /// <summary>Stateless: every value comes from the record (model, caller, status, latency, usage).</summary>
    public static readonly InferenceMetrics Instance = new();

    private static readonly MetricDirective ByModel = new(Namespace, [RequestLog.ApiDimension, "Model"],
        ("Latency", "Milliseconds"), ("Requests", "Count"), ("Errors", "Count"), ("Throttles", "Count"));

    private static readonly MetricDirective TokensByModelAndCaller = new(Namespace, [RequestLog.ApiDimension, "Model", "Caller"],
        ("PromptTokens", "Count"), ("CompletionTokens", "Count"), ("TotalTokens", "Count"));

    private InferenceMetrics() { }

    public override void WriteDirectives(Utf8JsonWriter w, in RequestRecord r)
    {
        ByModel.WriteTo(w);
        if (r.Usage is not null) TokensByModelAndCaller.WriteTo(w);
    }

    /// <summary><c>Api</c>, <c>Model</c> and <c>Caller</c>, the dimensions, are already members of the access log.</summary>
    public override void WriteValues(Utf8JsonWriter w, in RequestRecord r)
    {
        w.WriteNumber("Latency", Math.Round(r.LatencyMs, 3));
        w.WriteNumber("Requests", 1);
        w.WriteNumber("Errors", r.FailedAfterStart || r.Status >= 500 || r.Status == 424 ? 1 : 0);
        w.WriteNumber("Throttles", r.Status == 429 ? 1 : 0);
        if (r.Usage is { } u)
        {
            w.WriteNumber("PromptTokens", u.PromptTokens);
            w.WriteNumber("CompletionTokens", u.CompletionTokens);
            w.WriteNumber("TotalTokens", u.TotalTokens);
        }
    }
}
