using System.Text.Json;
using AwsModelPlatform.Handlers.Hosting;
using M = AwsModelPlatform.Contracts.HandlerMetrics.Inference;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>
/// EMF metrics of the model routes (<see cref="M"/>): per API and model <c>Latency</c>, <c>Requests</c>, <c>Errors</c>
/// (5xx, 424 and streams broken after the first byte), <c>Throttles</c>, <c>Wakes</c>, <c>Fallbacks</c>; <c>ColdStartSeconds</c> on the
/// request that ended a cold start; and, on an API with team access, per API and team <c>Requests</c>, the tokens the model
/// reported and <c>BudgetUsedPercent</c> when the team has a budget. No metric is per caller or key: each distinct
/// dimension combination is a custom metric (the usage ledger holds that detail).
/// </summary>
public sealed class InferenceMetrics : RequestMetrics
{
    /// <summary>Stateless: every value comes from the record (model, caller, status, latency, usage).</summary>
    public static readonly InferenceMetrics Instance = new();

    private static readonly MetricDirective ByModel = new(M.ByModel);

    // One set, three directives: a record declares only the metrics it carries (tokens when reported, budget when there is one).
    private static readonly MetricDirective TeamRequests = new(M.ByTeam, M.Requests);

    private static readonly MetricDirective TeamTokens = new(M.ByTeam, M.PromptTokens, M.CompletionTokens, M.TotalTokens);

    private static readonly MetricDirective TeamBudget = new(M.ByTeam, M.BudgetUsedPercent);

    private static readonly MetricDirective ColdStarts = new(M.ColdStarts);

    private InferenceMetrics() { }

    public override void WriteDirectives(Utf8JsonWriter w, in RequestRecord r)
    {
        ByModel.WriteTo(w);
        if (r.ColdStart is not null) ColdStarts.WriteTo(w);
        if (r.Team is null) return;
        TeamRequests.WriteTo(w);
        if (r.Usage is not null) TeamTokens.WriteTo(w);
        if (r.BudgetUsedPercent is not null) TeamBudget.WriteTo(w);
    }

    /// <summary>The dimensions (<c>Api</c>, <c>Model</c>, <c>Team</c>) are already members of the access log.</summary>
    public override void WriteValues(Utf8JsonWriter w, in RequestRecord r)
    {
        w.WriteNumber(M.Latency.Name, Math.Round(r.LatencyMs, 3));
        w.WriteNumber(M.Requests.Name, 1);
        w.WriteNumber(M.Errors.Name, r.FailedAfterStart || r.Status >= 500 || r.Status == 424 ? 1 : 0);
        w.WriteNumber(M.Throttles.Name, r.Status == 429 ? 1 : 0);
        w.WriteNumber(M.Wakes.Name, r.Woke ? 1 : 0);
        w.WriteNumber(M.Fallbacks.Name, r.ServedByFallback is not null ? 1 : 0);
        if (r.ColdStart is { } cold) w.WriteNumber(M.ColdStartSeconds.Name, Math.Round(cold.TotalSeconds, 3));
        if (r.Usage is { } u)
        {
            w.WriteNumber(M.PromptTokens.Name, u.PromptTokens);
            w.WriteNumber(M.CompletionTokens.Name, u.CompletionTokens);
            w.WriteNumber(M.TotalTokens.Name, u.TotalTokens);
        }
        if (r.BudgetUsedPercent is { } percent) w.WriteNumber(M.BudgetUsedPercent.Name, percent);
    }
}
