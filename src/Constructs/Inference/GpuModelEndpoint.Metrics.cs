using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Inference;

// The endpoint's CloudWatch metrics. CloudWatch matches a metric only by namespace, name and the exact set of dimension
// names, and each hosting mode publishes its own metrics: every helper uses the dimension set SageMaker publishes the
// metric with and refuses a mode that does not publish it, so no alarm or graph built on it can watch nothing.
//   Invocation metrics (endpoint and variant; the inference component's own for components):
//     https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html#cloudwatch-metrics-endpoint-invocation
//   Instance metrics (/aws/sagemaker/Endpoints, endpoint and variant):
//     https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html#cloudwatch-metrics-endpoints
//   Async endpoints: an exhaustive list; no Invocations, InvocationsPerInstance or OverheadLatency:
//     https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html
//   NoCapacityInvocationFailures (inference components with no copy):
//     https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html
// tests/Compliance.Tests/MetricCatalog/metric-catalog.json lists them; MetricCatalogTests checks every template against it.
public sealed partial class GpuModelEndpoint
{
    /// <summary>
    /// A metric of this endpoint in <paramref name="namespace"/> with the endpoint's dimensions: the inference
    /// component for <c>AWS/SageMaker</c> metrics of an inference-component endpoint, else the endpoint and variant.
    /// Unlike the named helpers below it does not check that the hosting mode publishes the metric.
    /// </summary>
    /// <param name="metricName">The metric.</param>
    /// <param name="namespace">Its namespace.</param>
    /// <param name="statistic">The statistic used unless <paramref name="props"/> sets one.</param>
    /// <param name="props">Overrides (statistic, period, label...).</param>
    public Metric Metric(string metricName, string @namespace = "AWS/SageMaker", string statistic = "Sum", IMetricOptions? props = null)
    {
        var dimensions = _inferenceComponentName is not null && @namespace == "AWS/SageMaker"
            ? new Dictionary<string, string> { ["InferenceComponentName"] = _inferenceComponentName }
            : VariantDimensions;
        return MetricWith(metricName, @namespace, dimensions, statistic, props);
    }

    /// <summary>Requests sent to the model (sum). Not published for async endpoints: use <see cref="MetricInvocationsProcessed"/>.</summary>
    public Metric MetricInvocations(IMetricOptions? props = null) =>
        Only(nameof(MetricInvocations), !IsAsync, "async endpoints publish InvocationsProcessed instead", () => Metric("Invocations", props: props));

    /// <summary>Requests per instance (sum), the real-time scaling metric. Published for real-time endpoints only.</summary>
    public Metric MetricInvocationsPerInstance(IMetricOptions? props = null) =>
        Only(nameof(MetricInvocationsPerInstance), _hosting is RealTimeHosting && !IsAsync, "only real-time endpoints run instances behind one model",
            () => Metric("InvocationsPerInstance", props: props));

    /// <summary>Time the model took to answer, in microseconds (average; pass <c>Statistic = "p99"</c> for a percentile).</summary>
    public Metric MetricModelLatency(IMetricOptions? props = null) => Metric("ModelLatency", statistic: "Average", props: props);

    /// <summary>Time SageMaker added around the model, in microseconds (average). Not published for async endpoints.</summary>
    public Metric MetricOverheadLatency(IMetricOptions? props = null) =>
        Only(nameof(MetricOverheadLatency), !IsAsync, "async endpoints do not publish it", () => Metric("OverheadLatency", statistic: "Average", props: props));

    /// <summary>Requests answered with a 4xx (sum).</summary>
    public Metric MetricInvocation4xxErrors(IMetricOptions? props = null) => Metric("Invocation4XXErrors", props: props);

    /// <summary>Requests answered with a 5xx (sum).</summary>
    public Metric MetricInvocation5xxErrors(IMetricOptions? props = null) => Metric("Invocation5XXErrors", props: props);

    /// <summary>GPU utilization, summed over the instance's GPUs (0 to 100 × GPUs; average). Not published for serverless endpoints.</summary>
    public Metric MetricGpuUtilization(IMetricOptions? props = null) => InstanceMetric(nameof(MetricGpuUtilization), "GPUUtilization", props);

    /// <summary>GPU memory utilization, summed over the instance's GPUs (0 to 100 × GPUs; average). Not published for serverless endpoints.</summary>
    public Metric MetricGpuMemoryUtilization(IMetricOptions? props = null) => InstanceMetric(nameof(MetricGpuMemoryUtilization), "GPUMemoryUtilization", props);

    /// <summary>Disk utilization of the instances, in percent (average). Not published for serverless endpoints.</summary>
    public Metric MetricDiskUtilization(IMetricOptions? props = null) => InstanceMetric(nameof(MetricDiskUtilization), "DiskUtilization", props);

    /// <summary>CPU utilization of the instances (average); its sample count shows whether instances run at all. Not published for serverless endpoints.</summary>
    public Metric MetricCpuUtilization(IMetricOptions? props = null) => InstanceMetric(nameof(MetricCpuUtilization), "CPUUtilization", props);

    /// <summary>Requests queued on an async endpoint (average).</summary>
    public Metric MetricBacklogSize(IMetricOptions? props = null) => AsyncMetric(nameof(MetricBacklogSize), "ApproximateBacklogSize", "Average", props, perVariant: false);

    /// <summary>Requests queued per instance on an async endpoint (average), the async scaling metric.</summary>
    public Metric MetricBacklogSizePerInstance(IMetricOptions? props = null) => AsyncMetric(nameof(MetricBacklogSizePerInstance), "ApproximateBacklogSizePerInstance", "Average", props, perVariant: false);

    /// <summary>Age of the oldest queued request on an async endpoint, in seconds (maximum).</summary>
    public Metric MetricBacklogAge(IMetricOptions? props = null) => AsyncMetric(nameof(MetricBacklogAge), "ApproximateAgeOfOldestRequest", "Maximum", props, perVariant: false);

    /// <summary>1 while an async endpoint has queued requests and no instance (average).</summary>
    public Metric MetricHasBacklogWithoutCapacity(IMetricOptions? props = null) => AsyncMetric(nameof(MetricHasBacklogWithoutCapacity), "HasBacklogWithoutCapacity", "Average", props, perVariant: false);

    /// <summary>Async requests processed (sum).</summary>
    public Metric MetricInvocationsProcessed(IMetricOptions? props = null) => AsyncMetric(nameof(MetricInvocationsProcessed), "InvocationsProcessed", "Sum", props, perVariant: true);

    /// <summary>Async requests that failed (sum): the model answered with an error or SageMaker could not process them; the failure is written under <see cref="AsyncFailurePrefix"/>.</summary>
    public Metric MetricInvocationFailures(IMetricOptions? props = null) => AsyncMetric(nameof(MetricInvocationFailures), "InvocationFailures", "Sum", props, perVariant: true);

    /// <summary>Requests refused because an inference component had no copy to serve them (sum): the scale-from-zero signal. Published for inference components only.</summary>
    public Metric MetricNoCapacityInvocationFailures(IMetricOptions? props = null) =>
        Only(nameof(MetricNoCapacityInvocationFailures), _inferenceComponentName is not null, "only inference components report requests that found no copy",
            () => MetricWith("NoCapacityInvocationFailures", "AWS/SageMaker", new Dictionary<string, string> { ["InferenceComponentName"] = _inferenceComponentName! }, "Sum", props));

    private Dictionary<string, string> VariantDimensions => new() { ["EndpointName"] = EndpointName, ["VariantName"] = VariantName };

    private Metric InstanceMetric(string helper, string name, IMetricOptions? props) =>
        Only(helper, _instanceType is not null, "serverless endpoints run on no instance of yours",
            () => MetricWith(name, "/aws/sagemaker/Endpoints", VariantDimensions, "Average", props));

    // The backlog metrics are per endpoint; the counts of processed and failed requests per endpoint and variant.
    private Metric AsyncMetric(string helper, string name, string statistic, IMetricOptions? props, bool perVariant) =>
        Only(helper, IsAsync, "only async endpoints have a queue",
            () => MetricWith(name, "AWS/SageMaker", perVariant ? VariantDimensions : new Dictionary<string, string> { ["EndpointName"] = EndpointName }, statistic, props));

    private Metric Only(string helper, bool published, string why, Func<Metric> metric) => published
        ? metric()
        : throw new InvalidOperationException($"GpuModelEndpoint '{Node.Path}': {helper} names a metric SageMaker does not publish for a {_hosting.PropName}{(IsAsync ? " with Async" : "")} endpoint ({why}); an alarm or graph on it would never see data.");

    private static Metric MetricWith(string name, string @namespace, Dictionary<string, string> dimensions, string statistic, IMetricOptions? props)
    {
        var metric = new Metric(new MetricProps
        {
            Namespace = @namespace,
            MetricName = name,
            DimensionsMap = dimensions,
            Statistic = statistic,
            Period = Duration.Minutes(5),
        });
        return props is null ? metric : metric.With(props);
    }
}
