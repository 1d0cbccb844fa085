using System.Text.Json;
using AwsModelPlatform.Handlers.Hosting;
using M = AwsModelPlatform.Contracts.HandlerMetrics.Training;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// EMF metrics of the training routes (<see cref="M"/>), every one per API first: per operation <c>Requests</c>,
/// <c>Errors</c> (5xx), <c>ClientErrors</c> (4xx, throttles included), <c>Throttles</c> (429) and <c>Latency</c>; and
/// for a job that reached Batch, per definition <c>JobsSubmitted</c>, <c>GpusRequested</c> (GPUs per node × nodes) and,
/// when the job could be priced, <c>EstimatedHourlyCostUsd</c>.
/// Only configured names and numbers: never a job's command, hyperparameters, dataset or secrets.
/// </summary>
public sealed class TrainingMetrics : RequestMetrics
{
    private static readonly MetricDirective ByOperation = new(M.ByOperation);

    private static readonly MetricDirective ByDefinition = new(M.ByDefinition);

    // A definition configured without its GPU count (its Gpus setting), for a job that did not ask for gpus: the GPUs
    // are the definition's, unknown here, so none is reported rather than a wrong number.
    private static readonly MetricDirective ByDefinitionWithoutGpus = new(M.ByDefinition, M.JobsSubmitted);

    private static readonly MetricDirective CostByDefinition = new(M.CostByDefinition);

    public static readonly TrainingMetrics Submit = new(M.Submit);
    public static readonly TrainingMetrics List = new(M.List);
    public static readonly TrainingMetrics Describe = new(M.Describe);
    public static readonly TrainingMetrics Stop = new(M.Stop);

    private readonly string _operation;
    private readonly string? _definition;
    private readonly int? _gpus;
    private readonly double? _hourlyUsd;

    private TrainingMetrics(string operation, string? definition = null, int? gpus = null, double? hourlyUsd = null)
    {
        _operation = operation;
        _definition = definition;
        _gpus = gpus;
        _hourlyUsd = hourlyUsd;
    }

    /// <summary>
    /// The submission's metrics once its job reached Batch (not for the replay of an idempotent one), with its estimated
    /// hourly cost when known (<see cref="JobCostEstimator"/>).
    /// </summary>
    public static TrainingMetrics Submitted(TrainingDefinition definition, int? gpusPerNode, int nodes, double? hourlyUsd = null) =>
        new(Submit._operation, definition.Name, (gpusPerNode ?? definition.Gpus) * nodes, hourlyUsd);

    public override void WriteDirectives(Utf8JsonWriter w, in RequestRecord r)
    {
        ByOperation.WriteTo(w);
        if (_definition is null) return;
        (_gpus is null ? ByDefinitionWithoutGpus : ByDefinition).WriteTo(w);
        if (_hourlyUsd is not null) CostByDefinition.WriteTo(w);
    }

    public override void WriteValues(Utf8JsonWriter w, in RequestRecord r)
    {
        w.WriteString(M.Operation, _operation);
        w.WriteNumber(M.Requests.Name, 1);
        w.WriteNumber(M.Errors.Name, r.FailedAfterStart || r.Status >= 500 ? 1 : 0);
        w.WriteNumber(M.ClientErrors.Name, r.Status is >= 400 and < 500 ? 1 : 0);
        w.WriteNumber(M.Throttles.Name, r.Status == 429 ? 1 : 0);
        w.WriteNumber(M.Latency.Name, Math.Round(r.LatencyMs, 3));
        if (_definition is null) return;
        w.WriteString(M.Definition, _definition);
        w.WriteNumber(M.JobsSubmitted.Name, 1);
        if (_gpus is { } gpus) w.WriteNumber(M.GpusRequested.Name, gpus);
        if (_hourlyUsd is { } usd) w.WriteNumber(M.EstimatedHourlyCostUsd.Name, usd);
    }
}
