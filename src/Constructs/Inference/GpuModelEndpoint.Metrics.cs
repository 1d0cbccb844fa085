using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Inference;

// The endpoint's CloudWatch metrics.
public sealed partial class GpuModelEndpoint
{
    /// <summary>
    /// A metric of this endpoint in <paramref name="namespace"/> with the endpoint's dimensions: the inference
    /// component for <c>AWS/SageMaker</c> metrics of an inference-component endpoint, else the endpoint and variant.
    /// </summary>
    /// <param name="metricName">The metric.</param>
    /// <param name="namespace">Its namespace.</param>
    /// <param name="statistic">The statistic used unless <paramref name="props"/> sets one.</param>
    /// <param name="props">Overrides (statistic, period, label...).</param>
    public Metric Metric(string metricName, string @namespace = "AWS/SageMaker", string statistic = "Sum", IMetricOptions? props = null)
    {
        var dimensions = _inferenceComponentName is not null && @namespace == "AWS/SageMaker"
            ? new Dictionary<string, string> { ["InferenceComponentName"] = _inferenceComponentName }
            : new Dictionary<string, string> { ["EndpointName"] = EndpointName, ["VariantName"] = VariantName };
        return MetricWith(metricName, @namespace, dimensions, statistic, props);
    }

    /// <summary>Requests sent to the model (sum).</summary>
    public Metric MetricInvocations(IMetricOptions? props = null) => Metric("Invocations", props: props);

    /// <summary>Requests per instance (sum), the real-time scaling metric.</summary>
    public Metric MetricInvocationsPerInstance(IMetricOptions? props = null) => Metric("InvocationsPerInstance", props: props);

    /// <summary>Time the model took to answer, in microseconds (average; pass <c>Statistic = "p99"</c> for a percentile).</summary>
    public Metric MetricModelLatency(IMetricOptions? props = null) => Metric("ModelLatency", statistic: "Average", props: props);

    /// <summary>Time SageMaker added around the model, in microseconds (average).</summary>
    public Metric MetricOverheadLatency(IMetricOptions? props = null) => Metric("OverheadLatency", statistic: "Average", props: props);

    /// <summary>Requests answered with a 4xx (sum).</summary>
    public Metric MetricInvocation4xxErrors(IMetricOptions? props = null) => Metric("Invocation4XXErrors", props: props);

    /// <summary>Requests answered with a 5xx (sum).</summary>
    public Metric MetricInvocation5xxErrors(IMetricOptions? props = null) => Metric("Invocation5XXErrors", props: props);

    /// <summary>GPU utilization, summed over the instance's GPUs (0 to 100 × GPUs; average).</summary>
    public Metric MetricGpuUtilization(IMetricOptions? props = null) => InstanceMetric("GPUUtilization", props);

    /// <summary>GPU memory utilization, summed over the instance's GPUs (0 to 100 × GPUs; average).</summary>
    public Metric MetricGpuMemoryUtilization(IMetricOptions? props = null) => InstanceMetric("GPUMemoryUtilization", props);

    /// <summary>Disk utilization of the instances, in percent (average).</summary>
    public Metric MetricDiskUtilization(IMetricOptions? props = null) => InstanceMetric("DiskUtilization", props);

    /// <summary>CPU utilization of the instances (average); its sample count shows whether instances run at all.</summary>
    public Metric MetricCpuUtilization(IMetricOptions? props = null) => InstanceMetric("CPUUtilization", props);

    /// <summary>Requests queued on an async endpoint (average).</summary>
    public Metric MetricBacklogSize(IMetricOptions? props = null) => EndpointMetric("ApproximateBacklogSize", "Average", props);

    /// <summary>Requests queued per instance on an async endpoint (average), the async scaling metric.</summary>
    public Metric MetricBacklogSizePerInstance(IMetricOptions? props = null) => EndpointMetric("ApproximateBacklogSizePerInstance", "Average", props);

    /// <summary>Age of the oldest queued request on an async endpoint, in seconds (maximum).</summary>
    public Metric MetricBacklogAge(IMetricOptions? props = null) => EndpointMetric("ApproximateAgeOfOldestRequest", "Maximum", props);

    /// <summary>1 while an async endpoint has queued requests and no instance (average).</summary>
    public Metric MetricHasBacklogWithoutCapacity(IMetricOptions? props = null) => EndpointMetric("HasBacklogWithoutCapacity", "Average", props);

    /// <summary>Async requests processed (sum).</summary>
    public Metric MetricInvocationsProcessed(IMetricOptions? props = null) => EndpointMetric("InvocationsProcessed", "Sum", props);

    /// <summary>Async requests that failed (sum): the model answered with an error or SageMaker could not process them; the failure is written under <see cref="AsyncFailurePrefix"/>.</summary>
    public Metric MetricInvocationFailures(IMetricOptions? props = null) => EndpointMetric("InvocationFailures", "Sum", props);

    /// <summary>Requests refused because an inference component had no copy to serve them (sum): the scale-from-zero signal.</summary>
    public Metric MetricNoCapacityInvocationFailures(IMetricOptions? props = null) =>
        MetricWith("NoCapacityInvocationFailures", "AWS/SageMaker",
            new Dictionary<string, string> { ["InferenceComponentName"] = _inferenceComponentName ?? EndpointName }, "Sum", props);

    private Metric InstanceMetric(string name, IMetricOptions? props) =>
        MetricWith(name, "/aws/sagemaker/Endpoints", new Dictionary<string, string> { ["EndpointName"] = EndpointName, ["VariantName"] = VariantName }, "Average", props);

    private Metric EndpointMetric(string name, string statistic, IMetricOptions? props) =>
        MetricWith(name, "AWS/SageMaker", new Dictionary<string, string> { ["EndpointName"] = EndpointName }, statistic, props);

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
