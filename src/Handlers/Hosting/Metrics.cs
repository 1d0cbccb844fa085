using System.Buffers;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>What one request did, for its log line; <paramref name="Metrics"/> adds its EMF metrics.</summary>
public readonly record struct RequestRecord(
    string RequestId, string Caller, string Method, string Route, string? Model, int Status, bool FailedAfterStart,
    double LatencyMs, string? UpstreamRequestId, TokenUsage? Usage, RequestMetrics? Metrics = null,
    bool Woke = false, string? ServedByFallback = null, TimeSpan? ColdStart = null, string? Team = null, double? BudgetUsedPercent = null);

/// <summary>
/// One JSON line per request on stdout that is both the structured access log and, when the route reports metrics
/// (<see cref="RequestRecord.Metrics"/>: inference models, training operations), a CloudWatch Embedded Metric Format
/// record (Lambda ships stdout to CloudWatch Logs, which extracts the metrics).
/// Written straight as UTF-8 with <see cref="Utf8JsonWriter"/>: a line per request costs one write, no formatting.
/// Never contains payloads or credentials. Every line names its API (<paramref name="api"/>, <c>Api:Name</c>): the
/// <see cref="HandlerMetrics.Api"/> dimension every metric directive starts with. The <c>Model</c> and <c>Team</c>
/// members are the dimensions of the inference metrics; <c>Caller</c> is for the log only.
/// </summary>
public sealed class RequestLog(Stream output, string api = ApiOptions.DefaultName)
{
    /// <summary>The value of <see cref="HandlerMetrics.Api"/> on every line (<see cref="ApiOptions.NameFrom"/>).</summary>
    public string Api { get; } = api;

    private readonly Lock _gate = new();

    // One buffer and writer per thread, reused: a line is built synchronously on the thread that ends the request,
    // and Utf8JsonWriter asks its buffer for 4 KiB at a time, so a fresh pair per line would be ~6 KB of garbage.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public void Write(in RequestRecord r)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(8 * 1024);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer);
        w.Reset(buffer);
        var now = DateTimeOffset.UtcNow;
        w.WriteStartObject();
        if (r.Metrics is { } metrics)
        {
            w.WriteStartObject("_aws");
            w.WriteNumber("Timestamp", now.ToUnixTimeMilliseconds());
            w.WriteStartArray("CloudWatchMetrics");
            metrics.WriteDirectives(w, r);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        Span<char> timestamp = stackalloc char[24];
        now.TryFormat(timestamp, out var length, "yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        w.WriteString("Timestamp", timestamp[..length]);
        w.WriteString("Level", r.Status >= 500 ? "Error" : "Information");
        w.WriteString("Message", "request");
        w.WriteString(HandlerMetrics.Api, Api);
        w.WriteString("RequestId", r.RequestId);
        w.WriteString(HandlerMetrics.Inference.Caller, r.Caller);
        w.WriteString("Method", r.Method);
        w.WriteString("Route", r.Route);
        if (r.Model is not null) w.WriteString(HandlerMetrics.Inference.Model, r.Model);
        if (r.Team is not null) w.WriteString(HandlerMetrics.Inference.Team, r.Team);
        w.WriteNumber("Status", r.Status);
        w.WriteNumber("LatencyMs", Math.Round(r.LatencyMs, 3));
        if (r.UpstreamRequestId is not null) w.WriteString("UpstreamRequestId", r.UpstreamRequestId);
        if (r.ServedByFallback is not null) w.WriteString("ServedBy", r.ServedByFallback);
        r.Metrics?.WriteValues(w, r);
        w.WriteEndObject();
        w.Flush();
        buffer.Write("\n"u8);
        lock (_gate)
        {
            output.Write(buffer.WrittenSpan);
            output.Flush();
        }
        // A rare huge line (long caller ARNs) must not pin its buffer to the thread for good.
        if (buffer.Capacity > 64 * 1024) t_buffer = null;
    }
}
