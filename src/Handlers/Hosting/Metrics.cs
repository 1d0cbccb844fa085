using System.Buffers;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>
/// Writes CloudWatch Embedded Metric Format lines to stdout (Lambda ships stdout to CloudWatch Logs, which
/// extracts the metrics): per-model latency, requests and errors, and OpenAI token usage per model and caller.
/// </summary>
public sealed class EmfMetrics(TextWriter output)
{
    public const string Namespace = "AwsModelPlatform/Inference";
    private readonly Lock _gate = new();

    public void Request(string model, int status, bool failed, double latencyMs, string requestId)
    {
        Write(w =>
        {
            WriteHeader(w, ["Model"], [("Latency", "Milliseconds"), ("Requests", "Count"), ("Errors", "Count"), ("Throttles", "Count")]);
            w.WriteString("Model", model);
            w.WriteNumber("Latency", Math.Round(latencyMs, 3));
            w.WriteNumber("Requests", 1);
            w.WriteNumber("Errors", failed || status >= 500 || status == 424 ? 1 : 0);
            w.WriteNumber("Throttles", status == 429 ? 1 : 0);
            w.WriteNumber("StatusCode", status);
            w.WriteString("RequestId", requestId);
        });
    }

    public void Tokens(string model, string caller, TokenUsage usage, string requestId)
    {
        Write(w =>
        {
            WriteHeader(w, ["Model", "Caller"], [("PromptTokens", "Count"), ("CompletionTokens", "Count"), ("TotalTokens", "Count")]);
            w.WriteString("Model", model);
            w.WriteString("Caller", caller);
            w.WriteNumber("PromptTokens", usage.PromptTokens);
            w.WriteNumber("CompletionTokens", usage.CompletionTokens);
            w.WriteNumber("TotalTokens", usage.TotalTokens);
            w.WriteString("RequestId", requestId);
        });
    }

    private static void WriteHeader(Utf8JsonWriter w, string[] dimensions, (string Name, string Unit)[] metrics)
    {
        w.WriteStartObject("_aws");
        w.WriteNumber("Timestamp", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        w.WriteStartArray("CloudWatchMetrics");
        w.WriteStartObject();
        w.WriteString("Namespace", Namespace);
        w.WriteStartArray("Dimensions");
        w.WriteStartArray();
        foreach (var d in dimensions) w.WriteStringValue(d);
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteStartArray("Metrics");
        foreach (var (name, unit) in metrics)
        {
            w.WriteStartObject();
            w.WriteString("Name", name);
            w.WriteString("Unit", unit);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        var line = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        lock (_gate) output.WriteLine(line);
    }
}
