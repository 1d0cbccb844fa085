using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AwsModelPlatform.Contracts;

/// <summary>
/// The cost records the constructs write into synthesized templates (<see cref="CostMetadata"/>), for reviewers and
/// for the cost reports, which read them back with the same types. A record's keys are its properties' names in
/// camelCase; <c>ToMetadata</c> writes them, <c>From</c> reads them.
/// </summary>
internal static class CostRecord
{
    /// <summary>The key of a property in a record: its name in camelCase.</summary>
    public static string Key(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);

    /// <summary>A number of a record: the stack record writes them as invariant strings (cfn-lint refuses floats in template metadata).</summary>
    public static double Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s)
        ? double.Parse(s, CultureInfo.InvariantCulture)
        : node!.GetValue<double>();

    /// <summary>An invariant number for the stack record.</summary>
    public static string Text(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The value of <paramref name="property"/> in <paramref name="record"/>, or an exception naming what is missing.</summary>
    public static JsonNode Required(JsonNode record, string property) =>
        record[Key(property)] ?? throw new FormatException($"a cost record has no '{Key(property)}': {record.ToJsonString()}");
}

/// <summary>
/// On a REST API (<see cref="CostMetadata.CustomMetricsKey"/>): the EMF custom metrics its handlers write once it has
/// traffic, <paramref name="Metrics"/> in all plus <paramref name="MetricsPerTeam"/> for each team that calls it (the
/// handler writes no metric per key or caller: that detail is in the usage store).
/// </summary>
internal sealed record CustomMetricsRecord(int Metrics, string Basis, int MetricsPerTeam = 0, string PerTeamBasis = "")
{
    /// <summary>The template metadata.</summary>
    public Dictionary<string, object> ToMetadata() => new()
    {
        [CostRecord.Key(nameof(Metrics))] = Metrics,
        [CostRecord.Key(nameof(Basis))] = Basis,
        [CostRecord.Key(nameof(MetricsPerTeam))] = MetricsPerTeam,
        [CostRecord.Key(nameof(PerTeamBasis))] = PerTeamBasis,
    };

    /// <summary>The record of template metadata.</summary>
    public static CustomMetricsRecord From(JsonNode record) => new(
        CostRecord.Required(record, nameof(Metrics)).GetValue<int>(),
        CostRecord.Required(record, nameof(Basis)).GetValue<string>(),
        record[CostRecord.Key(nameof(MetricsPerTeam))]?.GetValue<int>() ?? 0,
        record[CostRecord.Key(nameof(PerTeamBasis))]?.GetValue<string>() ?? "");
}

/// <summary>
/// On a resource whose capacity bills (<see cref="CostMetadata.ResourceKey"/>: an endpoint, a compute environment): its
/// worst case, and the priced items it is made of. An endpoint adds what its expected use is priced from
/// (<see cref="Endpoint"/>).
/// </summary>
internal sealed record ResourceCostRecord(double WorstCaseHourlyUsd, double WorstCaseMonthlyUsd, string PricedRegion, string PriceTableVersion, IReadOnlyList<object> Items)
{
    /// <summary>An endpoint's hosting, which the cost reports price its expected use from.</summary>
    public EndpointCostRecord? Endpoint { get; init; }

    /// <summary>The template metadata.</summary>
    public Dictionary<string, object> ToMetadata()
    {
        var metadata = new Dictionary<string, object>
        {
            [CostRecord.Key(nameof(WorstCaseHourlyUsd))] = WorstCaseHourlyUsd,
            [CostRecord.Key(nameof(WorstCaseMonthlyUsd))] = WorstCaseMonthlyUsd,
            [CostRecord.Key(nameof(PricedRegion))] = PricedRegion,
            [CostRecord.Key(nameof(PriceTableVersion))] = PriceTableVersion,
            [CostRecord.Key(nameof(Items))] = Items.ToArray(),
        };
        if (Endpoint is { } e)
        {
            metadata[CostRecord.Key(nameof(e.Hosting))] = e.Hosting;
            metadata[CostRecord.Key(nameof(e.Async))] = e.Async;
            metadata[CostRecord.Key(nameof(e.InstanceType))] = e.InstanceType;
            metadata[CostRecord.Key(nameof(e.MinInstances))] = e.MinInstances;
            metadata[CostRecord.Key(nameof(e.MaxInstances))] = e.MaxInstances;
            metadata[CostRecord.Key(nameof(e.ServerlessMemoryMb))] = e.ServerlessMemoryMb;
            metadata[CostRecord.Key(nameof(e.ServerlessMaxConcurrency))] = e.ServerlessMaxConcurrency;
            metadata[CostRecord.Key(nameof(e.ServerlessProvisionedConcurrency))] = e.ServerlessProvisionedConcurrency;
            metadata[CostRecord.Key(nameof(e.InstanceTypes))] = e.InstanceTypes.ToArray();
            metadata[CostRecord.Key(nameof(e.WarmInstances))] = e.WarmInstances;
            metadata[CostRecord.Key(nameof(e.WarmHoursPerMonth))] = e.WarmHoursPerMonth;
        }
        return metadata;
    }
}

/// <summary>An endpoint's hosting in its <see cref="ResourceCostRecord"/>: what the cost reports price its expected use from.</summary>
/// <param name="Hosting">The hosting mode's prop name (<c>RealTimeHosting</c>, <c>InferenceComponentHosting</c>, <c>ServerlessHosting</c>).</param>
/// <param name="Async">Whether the endpoint is asynchronous.</param>
/// <param name="InstanceType">The instance type SageMaker tries first (expected use is priced on it); empty for serverless.</param>
/// <param name="MinInstances">The fewest instances autoscaling keeps.</param>
/// <param name="MaxInstances">The most instances autoscaling runs.</param>
/// <param name="ServerlessMemoryMb">A serverless endpoint's memory; 0 otherwise.</param>
/// <param name="ServerlessMaxConcurrency">A serverless endpoint's concurrency; 0 otherwise.</param>
/// <param name="ServerlessProvisionedConcurrency">A serverless endpoint's provisioned concurrency; 0 otherwise.</param>
internal sealed record EndpointCostRecord(
    string Hosting, bool Async, string InstanceType, int MinInstances, int MaxInstances,
    int ServerlessMemoryMb, int ServerlessMaxConcurrency, int ServerlessProvisionedConcurrency)
{
    /// <summary>The serverless hosting mode's name.</summary>
    public const string Serverless = "ServerlessHosting";

    /// <summary>Every instance type of the endpoint's instance pools, by priority (<see cref="InstanceType"/> first); empty for serverless.</summary>
    public IReadOnlyList<string> InstanceTypes { get; init; } = [];

    /// <summary>The instances a warm window keeps running (copies packed onto instances); 0 without a window.</summary>
    public int WarmInstances { get; init; }

    /// <summary>The hours a month the warm window keeps them (paid whether called or not); 0 without a window.</summary>
    public double WarmHoursPerMonth { get; init; }

    /// <summary>The endpoint record of a resource's metadata, or null when it has none.</summary>
    public static EndpointCostRecord? From(JsonNode? record)
    {
        if (record?[CostRecord.Key(nameof(Hosting))] is not { } hosting) return null;
        int Int(string property) => record[CostRecord.Key(property)]?.GetValue<int>() ?? 0;
        return new EndpointCostRecord(
            hosting.GetValue<string>(),
            record[CostRecord.Key(nameof(Async))]?.GetValue<bool>() == true,
            record[CostRecord.Key(nameof(InstanceType))]?.GetValue<string>() ?? "",
            Int(nameof(MinInstances)), Int(nameof(MaxInstances)),
            Int(nameof(ServerlessMemoryMb)), Int(nameof(ServerlessMaxConcurrency)), Int(nameof(ServerlessProvisionedConcurrency)))
        {
            InstanceTypes = record[CostRecord.Key(nameof(InstanceTypes))]?.AsArray().Select(t => t!.GetValue<string>()).ToList() ?? [],
            WarmInstances = Int(nameof(WarmInstances)),
            WarmHoursPerMonth = record[CostRecord.Key(nameof(WarmHoursPerMonth))] is { } hours ? CostRecord.Number(hours) : 0,
        };
    }
}

/// <summary>
/// A stack's worst case (template metadata <see cref="CostMetadata.WorstCaseKey"/>): its lines, what it bills by use,
/// and the ceilings of its constructs. Numbers are invariant strings: cfn-lint (E4002) accepts no floating-point value
/// in a template's Metadata section.
/// </summary>
internal sealed record StackCostRecord(
    string PriceTableVersion, string PricedRegion, double TotalMonthlyUsd, IReadOnlyList<CostLineRecord> Lines,
    IReadOnlyList<string> UsageBased, IReadOnlyList<CeilingRecord> Ceilings)
{
    /// <summary>The stack's region, or <c>unknown</c> for an environment-agnostic stack.</summary>
    public string Region { get; init; } = "unknown";

    /// <summary>The first line of every figure when <see cref="Region"/> is not priced (<see cref="PriceTable.UnpricedRegionNotice"/>), else empty.</summary>
    public string RegionNotice { get; init; } = "";

    /// <summary>The template metadata.</summary>
    public Dictionary<string, object> ToMetadata() => new()
    {
        [CostRecord.Key(nameof(PriceTableVersion))] = PriceTableVersion,
        [CostRecord.Key(nameof(Region))] = Region,
        [CostRecord.Key(nameof(PricedRegion))] = PricedRegion,
        [CostRecord.Key(nameof(RegionNotice))] = RegionNotice,
        [CostRecord.Key(nameof(TotalMonthlyUsd))] = CostRecord.Text(TotalMonthlyUsd, "0.00"),
        [CostRecord.Key(nameof(Lines))] = Lines.Select(l => (object)l.ToMetadata()).ToArray(),
        [CostRecord.Key(nameof(UsageBased))] = UsageBased.Cast<object>().ToArray(),
        [CostRecord.Key(nameof(Ceilings))] = Ceilings.Select(c => (object)c.ToMetadata()).ToArray(),
    };

    /// <summary>The record of a template's metadata.</summary>
    public static StackCostRecord From(JsonNode record) => new(
        CostRecord.Required(record, nameof(PriceTableVersion)).GetValue<string>(),
        record[CostRecord.Key(nameof(PricedRegion))]?.GetValue<string>() ?? "",
        CostRecord.Number(CostRecord.Required(record, nameof(TotalMonthlyUsd))),
        CostRecord.Required(record, nameof(Lines)).AsArray().Select(l => CostLineRecord.From(l!)).ToList(),
        CostRecord.Required(record, nameof(UsageBased)).AsArray().Select(n => n!.GetValue<string>()).ToList(),
        CostRecord.Required(record, nameof(Ceilings)).AsArray().Select(c => CeilingRecord.From(c!)).ToList())
    {
        Region = record[CostRecord.Key(nameof(Region))]?.GetValue<string>() ?? "unknown",
        RegionNotice = record[CostRecord.Key(nameof(RegionNotice))]?.GetValue<string>() ?? "",
    };
}

/// <summary>One line of a <see cref="StackCostRecord"/>.</summary>
internal sealed record CostLineRecord(string Resource, string Type, double Quantity, string Unit, double UnitPriceUsd, double MonthlyUsd, string Basis)
{
    /// <summary>The template metadata.</summary>
    public Dictionary<string, object> ToMetadata() => new()
    {
        [CostRecord.Key(nameof(Resource))] = Resource,
        [CostRecord.Key(nameof(Type))] = Type,
        [CostRecord.Key(nameof(Quantity))] = CostRecord.Text(Quantity, "0.######"),
        [CostRecord.Key(nameof(Unit))] = Unit,
        [CostRecord.Key(nameof(UnitPriceUsd))] = CostRecord.Text(UnitPriceUsd, "0.#########"),
        [CostRecord.Key(nameof(MonthlyUsd))] = CostRecord.Text(MonthlyUsd, "0.0000"),
        [CostRecord.Key(nameof(Basis))] = Basis,
    };

    /// <summary>The line of template metadata.</summary>
    public static CostLineRecord From(JsonNode line) => new(
        CostRecord.Required(line, nameof(Resource)).GetValue<string>(),
        CostRecord.Required(line, nameof(Type)).GetValue<string>(),
        CostRecord.Number(CostRecord.Required(line, nameof(Quantity))),
        CostRecord.Required(line, nameof(Unit)).GetValue<string>(),
        CostRecord.Number(CostRecord.Required(line, nameof(UnitPriceUsd))),
        CostRecord.Number(CostRecord.Required(line, nameof(MonthlyUsd))),
        CostRecord.Required(line, nameof(Basis)).GetValue<string>());
}

/// <summary>The ceiling of one construct in a <see cref="StackCostRecord"/>.</summary>
internal sealed record CeilingRecord(string Construct, double MaxMonthlyUsd)
{
    /// <summary>The template metadata.</summary>
    public Dictionary<string, object> ToMetadata() => new()
    {
        [CostRecord.Key(nameof(Construct))] = Construct,
        [CostRecord.Key(nameof(MaxMonthlyUsd))] = CostRecord.Text(MaxMonthlyUsd, "0.##"),
    };

    /// <summary>The ceiling of template metadata.</summary>
    public static CeilingRecord From(JsonNode ceiling) => new(
        CostRecord.Required(ceiling, nameof(Construct)).GetValue<string>(),
        CostRecord.Number(CostRecord.Required(ceiling, nameof(MaxMonthlyUsd))));
}
