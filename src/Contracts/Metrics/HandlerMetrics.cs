namespace AwsModelPlatform.Contracts;

/// <summary>One metric of the handler's EMF records: its name, its CloudWatch unit, and the statistic graphs and alarms read by default.</summary>
internal sealed record HandlerMetric(string Name, string Unit, string Statistic);

/// <summary>
/// One EMF directive: metrics of a namespace aggregated by one exact dimension set. CloudWatch matches a metric only by
/// namespace, name and the exact set of dimension names, so an alarm on any other set watches nothing.
/// </summary>
internal sealed record HandlerMetricSet(string Namespace, IReadOnlyList<string> Dimensions, IReadOnlyList<HandlerMetric> Metrics)
{
    /// <summary>The set's only dimension after <see cref="HandlerMetrics.Api"/>, for the sets that have one.</summary>
    public string Dimension => Dimensions is [HandlerMetrics.Api, var second] ? second
        : throw new InvalidOperationException($"{Namespace} [{string.Join(", ", Dimensions)}] has no single dimension after {HandlerMetrics.Api}.");

    /// <summary>The metric of that name in this set; an exception naming the set's metrics when there is none.</summary>
    public HandlerMetric this[string name] => Metrics.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"'{name}' is not a metric the handler writes by [{string.Join(", ", Dimensions)}] in {Namespace}; it writes {string.Join(", ", Metrics.Select(m => m.Name))}.", nameof(name));
}

/// <summary>
/// The handler's own metrics, written as CloudWatch Embedded Metric Format in its request log: what the handler's
/// directives declare, what the constructs' <c>Metric*</c> helpers, alarms and dashboards read, and what their cost
/// lines count. Every dimension set starts with <see cref="Api"/>, the REST API's name, so two deployments in one
/// account and region never share a metric.
/// </summary>
internal static class HandlerMetrics
{
    /// <summary>The first dimension of every set: the REST API the process serves (<c>Api:Name</c>).</summary>
    public const string Api = "Api";

    /// <summary>The CloudWatch unit of counts.</summary>
    public const string Count = "Count";

    /// <summary>The CloudWatch unit of latencies.</summary>
    public const string Milliseconds = "Milliseconds";

    /// <summary>The CloudWatch unit of durations in seconds.</summary>
    public const string Seconds = "Seconds";

    /// <summary>The CloudWatch unit of amounts that have none of its own (US dollars).</summary>
    public const string None = "None";

    /// <summary>The CloudWatch unit of percentages.</summary>
    public const string Percent = "Percent";

    /// <summary>The statistic of cold starts: the longest in the period.</summary>
    public const string Maximum = "Maximum";

    /// <summary>The statistic of counts.</summary>
    public const string Sum = "Sum";

    /// <summary>The statistic of latencies.</summary>
    public const string P99 = "p99";

    /// <summary>The model routes.</summary>
    public static class Inference
    {
        /// <summary>The namespace.</summary>
        public const string Namespace = "AwsModelPlatform/Inference";

        /// <summary>The model's name, as clients call it.</summary>
        public const string Model = "Model";

        /// <summary>The caller (the request context's identity): a member of the access log, never a metric dimension.</summary>
        public const string Caller = "Caller";

        /// <summary>The caller's team (docs/access.md), on APIs with team access.</summary>
        public const string Team = "Team";

        /// <summary>Handler latency in milliseconds.</summary>
        public static readonly HandlerMetric Latency = new("Latency", Milliseconds, P99);

        /// <summary>Requests.</summary>
        public static readonly HandlerMetric Requests = new("Requests", Count, Sum);

        /// <summary>Requests answered 5xx or 424, or cut after the first byte.</summary>
        public static readonly HandlerMetric Errors = new("Errors", Count, Sum);

        /// <summary>Requests answered 429.</summary>
        public static readonly HandlerMetric Throttles = new("Throttles", Count, Sum);

        /// <summary>Prompt tokens the model reported.</summary>
        public static readonly HandlerMetric PromptTokens = new("PromptTokens", Count, Sum);

        /// <summary>Completion tokens the model reported.</summary>
        public static readonly HandlerMetric CompletionTokens = new("CompletionTokens", Count, Sum);

        /// <summary>Total tokens the model reported.</summary>
        public static readonly HandlerMetric TotalTokens = new("TotalTokens", Count, Sum);

        /// <summary>
        /// The larger of the team's month tokens and dollars as a percentage of its budget, after a settled request of a team
        /// that has a budget.
        /// </summary>
        public static readonly HandlerMetric BudgetUsedPercent = new("BudgetUsedPercent", Percent, Maximum);

        /// <summary>Requests that asked SageMaker to wake the model (one per cold start across function instances).</summary>
        public static readonly HandlerMetric Wakes = new("Wakes", Count, Sum);

        /// <summary>Requests served by a fallback model (<c>Inference:Models:{i}:Fallbacks</c>).</summary>
        public static readonly HandlerMetric Fallbacks = new("Fallbacks", Count, Sum);

        /// <summary>A model's observed cold start: from the wake (or the first no-capacity answer) to its first success, in seconds.</summary>
        public static readonly HandlerMetric ColdStartSeconds = new("ColdStartSeconds", Seconds, Maximum);

        /// <summary>Every request of a model route.</summary>
        public static readonly HandlerMetricSet ByModel = new(Namespace, [Api, Model], [Latency, Requests, Errors, Throttles, Wakes, Fallbacks]);

        /// <summary>The request that ended a cold start (the model's first success after no capacity).</summary>
        public static readonly HandlerMetricSet ColdStarts = new(Namespace, [Api, Model], [ColdStartSeconds]);

        /// <summary>
        /// Requests of a team on an API with team access: requests, the tokens its models reported, and its budget's use. Per
        /// key and per caller detail is in the usage store, not in dimensions: each distinct combination is a custom metric.
        /// </summary>
        public static readonly HandlerMetricSet ByTeam = new(Namespace, [Api, Team], [Requests, PromptTokens, CompletionTokens, TotalTokens, BudgetUsedPercent]);
    }

    /// <summary>The training routes.</summary>
    public static class Training
    {
        /// <summary>The namespace.</summary>
        public const string Namespace = "AwsModelPlatform/Training";

        /// <summary>The route's operation (<see cref="Operations"/>).</summary>
        public const string Operation = "Operation";

        /// <summary>The job definition's name, as callers call it.</summary>
        public const string Definition = "Definition";

        /// <summary><c>POST /v1/training-jobs</c>.</summary>
        public const string Submit = "Submit";

        /// <summary><c>GET /v1/training-jobs</c>.</summary>
        public const string List = "List";

        /// <summary><c>GET /v1/training-jobs/{id}</c>.</summary>
        public const string Describe = "Describe";

        /// <summary><c>DELETE /v1/training-jobs/{id}</c>.</summary>
        public const string Stop = "Stop";

        /// <summary>Every value of the <see cref="Operation"/> dimension, one per training route.</summary>
        public static IReadOnlyList<string> Operations { get; } = [Submit, List, Describe, Stop];

        /// <summary>Requests.</summary>
        public static readonly HandlerMetric Requests = new("Requests", Count, Sum);

        /// <summary>Requests answered 5xx.</summary>
        public static readonly HandlerMetric Errors = new("Errors", Count, Sum);

        /// <summary>Requests answered 4xx, 429 included.</summary>
        public static readonly HandlerMetric ClientErrors = new("ClientErrors", Count, Sum);

        /// <summary>Requests answered 429.</summary>
        public static readonly HandlerMetric Throttles = new("Throttles", Count, Sum);

        /// <summary>Handler latency in milliseconds.</summary>
        public static readonly HandlerMetric Latency = new("Latency", Milliseconds, P99);

        /// <summary>Jobs that reached AWS Batch (the replay of an idempotent submission is not another job).</summary>
        public static readonly HandlerMetric JobsSubmitted = new("JobsSubmitted", Count, Sum);

        /// <summary>GPUs those jobs asked for: GPUs per node × nodes.</summary>
        public static readonly HandlerMetric GpusRequested = new("GpusRequested", Count, Sum);

        /// <summary>
        /// The hourly cost a submitted job was estimated at (instance price × nodes, USD; the price table's Spot assumption
        /// on a Spot queue): Sum is the hourly spend the period's submissions added, Maximum the costliest job. Per job
        /// definition, not per caller: each caller would be a metric of its own, billed monthly; a caller's cost is in the
        /// API's answers. Not written when the estimate is unknown.
        /// </summary>
        public static readonly HandlerMetric EstimatedHourlyCostUsd = new("EstimatedHourlyCostUsd", None, Sum);

        /// <summary>Every request of a training route.</summary>
        public static readonly HandlerMetricSet ByOperation = new(Namespace, [Api, Operation], [Requests, Errors, ClientErrors, Throttles, Latency]);

        /// <summary>Every submission whose job reached AWS Batch.</summary>
        public static readonly HandlerMetricSet ByDefinition = new(Namespace, [Api, Definition], [JobsSubmitted, GpusRequested]);

        /// <summary>Every submission whose job reached AWS Batch with a known cost estimate.</summary>
        public static readonly HandlerMetricSet CostByDefinition = new(Namespace, [Api, Definition], [EstimatedHourlyCostUsd]);
    }

    /// <summary>Every directive the handler writes.</summary>
    public static IReadOnlyList<HandlerMetricSet> Sets { get; } =
        [Inference.ByModel, Inference.ByTeam, Inference.ColdStarts, Training.ByOperation, Training.ByDefinition, Training.CostByDefinition];
}
