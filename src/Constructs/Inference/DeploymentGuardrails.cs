namespace AwsModelPlatform.Constructs.Inference;

/// <summary>How traffic moves to the new fleet in a blue/green deployment.</summary>
public sealed record TrafficShift
{
    private TrafficShift(string type, int? percent, Duration wait) { Type = type; Percent = percent; Wait = wait; }

    internal string Type { get; }
    internal int? Percent { get; }
    internal Duration Wait { get; }

    /// <summary>Send <paramref name="percent"/> % of capacity first, wait <paramref name="wait"/> watching the alarms, then the rest.</summary>
    public static TrafficShift Canary(int percent, Duration wait) => new("CANARY", percent, wait);

    /// <summary>Shift <paramref name="stepPercent"/> % of capacity every <paramref name="wait"/>.</summary>
    public static TrafficShift Linear(int stepPercent, Duration wait) => new("LINEAR", stepPercent, wait);

    /// <summary>Shift everything at once, then bake for <paramref name="bake"/> watching the alarms before the old fleet goes.</summary>
    public static TrafficShift AllAtOnce(Duration bake) => new("ALL_AT_ONCE", null, bake);
}

/// <summary>Deployment guardrails of a real-time endpoint: blue/green traffic shifting with automatic rollback on alarms.</summary>
public sealed record DeploymentGuardrails
{
    /// <summary>No guardrails: SageMaker replaces the fleet in one step.</summary>
    public static DeploymentGuardrails None { get; } = new() { Enabled = false };

    internal bool Enabled { get; init; } = true;

    /// <summary>How traffic shifts.</summary>
    /// <remarks>Default: canary 10 % for 10 minutes when at least 2 instances start, else all at once with a 10-minute bake.</remarks>
    public TrafficShift? Traffic { get; init; }

    /// <summary>How long the old fleet is kept after the shift, for an instant rollback (0 to 1 h).</summary>
    /// <remarks>Default: 5 minutes.</remarks>
    public Duration TerminationWait { get; init; } = Duration.Minutes(5);

    /// <summary>Longest the whole deployment may take (10 minutes to 8 hours).</summary>
    /// <remarks>Default: 1 hour: GPU instances and LLM weights take long to come up.</remarks>
    public Duration MaximumExecutionTimeout { get; init; } = Duration.Hours(1);

    /// <summary>Whether the endpoint's 5xx-rate and p99-latency alarms roll the deployment back.</summary>
    /// <remarks>Default: true.</remarks>
    public bool RollbackOnAlarms { get; init; } = true;

    internal void Check(ConstructChecks check)
    {
        if (Traffic is { } t)
        {
            if (t.Percent is { } percent)
                check.InRange(percent, 1, 99, $"DeploymentGuardrails.Traffic ({t.Type}) percent", "a share of the new fleet's capacity, less than all of it");
            check.WholeSeconds(t.Wait, 0, 3600, $"DeploymentGuardrails.Traffic ({t.Type}) wait");
        }
        check.WholeSeconds(TerminationWait, 0, 3600, "DeploymentGuardrails.TerminationWait");
        check.WholeSeconds(MaximumExecutionTimeout, 600, 28800, "DeploymentGuardrails.MaximumExecutionTimeout");
    }
}
