using System.Buffers;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>
/// One CloudWatch Embedded Metric Format directive: metrics of a namespace aggregated by one dimension set. Its JSON
/// is encoded once here and copied into every record that reports under it, so a log line does not re-format it.
/// </summary>
public sealed class MetricDirective
{
    private readonly byte[] _json;

    /// <param name="namespace">CloudWatch namespace.</param>
    /// <param name="dimensions">
    /// Dimension names: the record carries each as a string member. The first is always
    /// <see cref="RequestLog.ApiDimension"/> (written by <see cref="RequestLog"/> on every line), so two deployments in
    /// one account and region never share a metric.
    /// </param>
    /// <param name="metrics">Metric names and units: the record carries each as a number member.</param>
    public MetricDirective(string @namespace, string[] dimensions, params (string Name, string Unit)[] metrics)
    {
        if (dimensions is not [RequestLog.ApiDimension, ..])
            throw new ArgumentException($"A metric directive's dimensions start with {RequestLog.ApiDimension}: [{string.Join(", ", dimensions)}].", nameof(dimensions));
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
        _json = buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the directive as the next element of <c>_aws.CloudWatchMetrics</c>.</summary>
    public void WriteTo(Utf8JsonWriter w) => w.WriteRawValue(_json, skipInputValidation: true);
}
