namespace AwsModelPlatform.CostReports;

/// <summary>One team's part of a stack's expected monthly cost.</summary>
/// <param name="Team">The team.</param>
/// <param name="RequestShare">Its share of the API's requests.</param>
/// <param name="TokenShare">Its share of the tokens: of the GPUs' busy time.</param>
/// <param name="RequestsUsd">Its part of what is billed per request.</param>
/// <param name="GpuUsd">Its part of the GPU capacity.</param>
/// <param name="MetricsUsd">Its own custom metrics.</param>
/// <param name="TotalUsd">All of it, to the cent.</param>
internal sealed record TeamCost(
    string Team, double RequestShare, double TokenShare, decimal RequestsUsd, decimal GpuUsd, decimal MetricsUsd, decimal TotalUsd);

/// <summary>
/// Splits a stack's expected cost among the teams of its API, the way the handler counts a team's dollars: GPU capacity by
/// the team's share of the busy time (its token share: the model's hourly cost × its share of busy time), what is billed
/// per request by its request share, each API's per-team metrics evenly among the teams (each team its own where every
/// API has the stack's teams, or one API per team); what is billed whatever the traffic stays shared.
/// The teams' totals and the shared rest add up to the stack's total to the cent.
/// </summary>
internal static class TeamSplit
{
    /// <summary>The teams' parts (in the profile's order) and the shared rest.</summary>
    public static (IReadOnlyList<TeamCost> Teams, decimal SharedUsd) Of(IReadOnlyList<ReportLine> lines, IReadOnlyDictionary<string, TeamUsage> teams)
    {
        if (teams.Count == 0) return ([], Reports.Total(lines));
        var parts = teams.Keys.ToDictionary(t => t, _ => (Requests: 0m, Gpu: 0m, Metrics: 0m), StringComparer.Ordinal);
        foreach (var line in lines)
        {
            foreach (var (team, usage) in teams)
            {
                var p = parts[team];
                parts[team] = line.Driver switch
                {
                    CostDriver.Requests => p with { Requests = p.Requests + line.MonthlyUsd * (decimal)usage.RequestShare },
                    CostDriver.GpuTime => p with { Gpu = p.Gpu + line.MonthlyUsd * (decimal)usage.Tokens },
                    CostDriver.PerTeam when line.Quantity > 0 =>
                        p with { Metrics = p.Metrics + line.MonthlyUsd * (decimal)(line.PerTeamQuantity / teams.Count / line.Quantity) },
                    _ => p,
                };
            }
        }
        static decimal Cents(decimal v) => Math.Round(v, 2, MidpointRounding.AwayFromZero);
        var costs = teams.Select(t =>
        {
            var p = parts[t.Key];
            var (requests, gpu, metrics) = (Cents(p.Requests), Cents(p.Gpu), Cents(p.Metrics));
            return new TeamCost(t.Key, t.Value.RequestShare, t.Value.Tokens, requests, gpu, metrics, requests + gpu + metrics);
        }).ToList();
        // The shared rest is what no team's share covers: the fixed lines, the per-team lines' fixed part, and the cents
        // rounding leaves, so that teams and rest add up to the total exactly.
        return (costs, Reports.Total(lines) - costs.Sum(c => c.TotalUsd));
    }
}
