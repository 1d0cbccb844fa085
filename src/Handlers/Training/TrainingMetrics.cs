using System.Text.Json;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// EMF metrics of the training routes, namespace <c>AwsModelPlatform/Training</c>, every one per API (<c>Api</c>, the
/// REST API's name) first: per operation (<c>Operation</c> =
/// <c>Submit</c>, <c>List</c>, <c>Describe</c>, <c>Stop</c>) <c>Requests</c>, <c>Errors</c> (5xx), <c>ClientErrors</c>
/// (4xx, throttles included), <c>Throttles</c> (429) and <c>Latency</c>; and for a job that reached Batch, per
/// definition <c>JobsSubmitted</c> and <c>GpusRequested</c> (GPUs per node × nodes). Only configured names and numbers:
/// never a job's command, hyperparameters, dataset or secrets.
/// </summary>
public sealed class TrainingMetrics : RequestMetrics
{
    public const string Namespace = "AwsModelPlatform/Training";

    private static readonly MetricDirective ByOperation = new(Namespace, [RequestLog.ApiDimension, "Operation"],
        ("Requests", "Count"), ("Errors", "Count"), ("ClientErrors", "Count"), ("Throttles", "Count"), ("Latency", "Milliseconds"));

    private static readonly MetricDirective ByDefinition = new(Namespace, [RequestLog.ApiDimension, "Definition"], ("JobsSubmitted", "Count"), ("GpusRequested", "Count"));

    // A definition configured without its GPU count (Training:JobDefinitions:{name}:Gpus), for a job that did not ask for
    // gpus: the GPUs are the definition's, unknown here, so none is reported rather than a wrong number.
    private static readonly MetricDirective ByDefinitionWithoutGpus = new(Namespace, [RequestLog.ApiDimension, "Definition"], ("JobsSubmitted", "Count"));

    public static readonly TrainingMetrics Submit = new("Submit");
    public static readonly TrainingMetrics List = new("List");
    public static readonly TrainingMetrics Describe = new("Describe");
    public static readonly TrainingMetrics Stop = new("Stop");

    private readonly string _operation;
    private readonly string? _definition;
    private readonly int? _gpus;

    private TrainingMetrics(string operation, string? definition = null, int? gpus = null)
    {
        _operation = operation;
        _definition = definition;
        _gpus = gpus;
    }

    /// <summary>The submission's metrics once its job reached Batch (not for the replay of an idempotent one).</summary>
    public static TrainingMetrics Submitted(TrainingDefinition definition, int? gpusPerNode, int nodes) =>
        new(Submit._operation, definition.Name, (gpusPerNode ?? definition.Gpus) * nodes);

    public override void WriteDirectives(Utf8JsonWriter w, in RequestRecord r)
    {
        ByOperation.WriteTo(w);
        if (_definition is not null) (_gpus is null ? ByDefinitionWithoutGpus : ByDefinition).WriteTo(w);
    }

    public override void WriteValues(Utf8JsonWriter w, in RequestRecord r)
    {
        w.WriteString("Operation", _operation);
        w.WriteNumber("Requests", 1);
        w.WriteNumber("Errors", r.FailedAfterStart || r.Status >= 500 ? 1 : 0);
        w.WriteNumber("ClientErrors", r.Status is >= 400 and < 500 ? 1 : 0);
        w.WriteNumber("Throttles", r.Status == 429 ? 1 : 0);
        w.WriteNumber("Latency", Math.Round(r.LatencyMs, 3));
        if (_definition is null) return;
        w.WriteString("Definition", _definition);
        w.WriteNumber("JobsSubmitted", 1);
        if (_gpus is { } gpus) w.WriteNumber("GpusRequested", gpus);
    }
}
