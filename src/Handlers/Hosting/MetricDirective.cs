using System.Buffers;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>
/// One CloudWatch Embedded Metric Format directive: the metrics of one set of the contract's catalog
/// (<see cref="HandlerMetrics"/>), aggregated by its dimension set. Its JSON is encoded once here and copied into every
/// record that reports under it, so a log line does not re-format it.
/// </summary>
internal sealed class MetricDirective
{
    private readonly byte[] _json;

    /// <param name="set">
    /// The namespace, dimension names and metrics. The record carries each dimension as a string member and each metric
    /// as a number member; the first dimension is always <see cref="HandlerMetrics.Api"/> (written by
    /// <see cref="RequestLog"/> on every line), so two deployments in one account and region never share a metric.
    /// </param>
    /// <param name="only">The set's metrics this directive declares, when a record cannot carry all of them; default: all.</param>
    public MetricDirective(HandlerMetricSet set, params HandlerMetric[] only)
    {
        var (@namespace, dimensions) = (set.Namespace, set.Dimensions);
        if (dimensions is not [HandlerMetrics.Api, ..])
            throw new ArgumentException($"A metric directive's dimensions start with {HandlerMetrics.Api}: [{string.Join(", ", dimensions)}].", nameof(set));
        if (only.FirstOrDefault(m => !set.Metrics.Contains(m)) is { } foreign)
            throw new ArgumentException($"{foreign.Name} is not a metric of [{string.Join(", ", dimensions)}] in {@namespace}.", nameof(only));
        var metrics = only.Length > 0 ? only : set.Metrics;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("Namespace", @namespace);
            w.WriteStartArray("Dimensions");
            w.WriteStartArray();
            foreach (var d in dimensions) w.WriteStringValue(d);
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteStartArray("Metrics");
            foreach (var metric in metrics)
            {
                w.WriteStartObject();
                w.WriteString("Name", metric.Name);
                w.WriteString("Unit", metric.Unit);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        _json = buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the directive as the next element of <c>_aws.CloudWatchMetrics</c>.</summary>
    public void WriteTo(Utf8JsonWriter w) => w.WriteRawValue(_json, skipInputValidation: true);
}
