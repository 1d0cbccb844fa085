using System.Buffers;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>What one request did, for its log line; <paramref name="Metrics"/> adds its EMF metrics.</summary>
public readonly record struct RequestRecord(
    string RequestId, string Caller, string Method, string Route, string? Model, int Status, bool FailedAfterStart,
    double LatencyMs, string? UpstreamRequestId, TokenUsage? Usage, RequestMetrics? Metrics = null);

/// <summary>
/// One JSON line per request on stdout that is both the structured access log and, when the route reports metrics
/// (<see cref="RequestRecord.Metrics"/>: inference models, training operations), a CloudWatch Embedded Metric Format
/// record (Lambda ships stdout to CloudWatch Logs, which extracts the metrics).
/// Written straight as UTF-8 with <see cref="Utf8JsonWriter"/>: a line per request costs one write, no formatting.
/// Never contains payloads or credentials.
/// </summary>
public sealed class RequestLog(Stream output)
{
    private readonly Lock _gate = new();

    public void Write(in RequestRecord r)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (r.Metrics is { } metrics)
            {
                w.WriteStartObject("_aws");
                w.WriteNumber("Timestamp", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                w.WriteStartArray("CloudWatchMetrics");
                metrics.WriteDirectives(w, r);
                w.WriteEndArray();
                w.WriteEndObject();
            }
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
            r.Metrics?.WriteValues(w, r);
            w.WriteEndObject();
        }
        buffer.Write("\n"u8);
        lock (_gate)
        {
            output.Write(buffer.WrittenSpan);
            output.Flush();
        }
    }
}
