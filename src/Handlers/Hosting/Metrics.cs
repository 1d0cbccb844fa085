using System.Buffers;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>What one request did, for its log line.</summary>
public readonly record struct RequestRecord(
    string RequestId, string Caller, string Method, string Route, string? Model, int Status, bool FailedAfterStart,
    double LatencyMs, string? UpstreamRequestId, TokenUsage? Usage);

/// <summary>
/// One JSON line per request on stdout that is both the structured access log and, for model routes, a CloudWatch
/// Embedded Metric Format record (Lambda ships stdout to CloudWatch Logs, which extracts the metrics):
/// per-model <c>Latency</c>, <c>Requests</c>, <c>Errors</c>, <c>Throttles</c>, and token usage per model and caller.
/// Written straight as UTF-8 with <see cref="Utf8JsonWriter"/>: a line per request costs one write, no formatting.
/// Never contains payloads or credentials.
/// </summary>
public sealed class RequestLog(Stream output)
{
    public const string Namespace = "AwsModelPlatform/Inference";
    private readonly Lock _gate = new();

    public void Write(in RequestRecord r)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (r.Model is not null) WriteMetricDirectives(w, r.Usage is not null);
            w.WriteString("Timestamp", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("Level", r.Status >= 500 ? "Error" : "Information");
            w.WriteString("Message", "request");
            w.WriteString("RequestId", r.RequestId);
            w.WriteString("Caller", r.Caller);
            w.WriteString("Method", r.Method);
            w.WriteString("Route", r.Route);
            if (r.Model is not null) w.WriteString("Model", r.Model);
            w.WriteNumber("Status", r.Status);
            w.WriteNumber("LatencyMs", Math.Round(r.LatencyMs, 3));
            if (r.UpstreamRequestId is not null) w.WriteString("UpstreamRequestId", r.UpstreamRequestId);
            if (r.Model is not null)
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
            w.WriteEndObject();
        }
        buffer.Write("\n"u8);
        lock (_gate)
        {
            output.Write(buffer.WrittenSpan);
            output.Flush();
        }
    }

    private static void WriteMetricDirectives(Utf8JsonWriter w, bool tokens)
    {
        w.WriteStartObject("_aws");
        w.WriteNumber("Timestamp", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        w.WriteStartArray("CloudWatchMetrics");
        Directive(w, ["Model"], [("Latency", "Milliseconds"), ("Requests", "Count"), ("Errors", "Count"), ("Throttles", "Count")]);
        if (tokens) Directive(w, ["Model", "Caller"], [("PromptTokens", "Count"), ("CompletionTokens", "Count"), ("TotalTokens", "Count")]);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Directive(Utf8JsonWriter w, string[] dimensions, (string Name, string Unit)[] metrics)
    {
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
    }
}
