using System.Globalization;

namespace AwsModelPlatform.Constructs.Cost;

/// <summary>One line of a worst-case monthly cost: what is billed, how much of it a month at most, and at what price.</summary>
/// <param name="Resource">Path of the construct billed, from its stack (e.g. <c>Platform/Network/Vpc/KmsEndpoint</c>).</param>
/// <param name="Type">CloudFormation type of the resource billed (e.g. <c>AWS::EC2::VPCEndpoint</c>).</param>
/// <param name="Quantity">Units billed in a month at most (e.g. 2 AZs × 730 h = 1460 endpoint-AZ-hours).</param>
/// <param name="Unit">The unit of <paramref name="Quantity"/>, as the price table names it.</param>
/// <param name="UnitPriceUsd">Price of one unit, in USD, from <see cref="PriceTable"/>.</param>
/// <param name="Basis">How <paramref name="Quantity"/> was reached, for the message and the reports.</param>
public sealed record CostLine(string Resource, string Type, double Quantity, string Unit, double UnitPriceUsd, string Basis)
{
    /// <summary>Quantity × unit price, in USD, unrounded.</summary>
    public double MonthlyUsd => Quantity * UnitPriceUsd;

    /// <summary>The sum of the lines' monthly costs, rounded to cents.</summary>
    public static double Total(IEnumerable<CostLine> lines) => Math.Round(lines.Sum(l => l.MonthlyUsd), 2);

    /// <summary>A line priced from the table.</summary>
    internal static CostLine Of(string resource, string type, double quantity, Price price, string basis) =>
        new(resource, type, quantity, price.Unit, price.Usd, basis);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Resource} ({Type}): {Quantity:0.####} {Unit} × ${UnitPriceUsd:0.######} = ${MonthlyUsd:0.00}/month ({Basis})");
}

/// <summary>
/// A construct that knows the most it can cost in a month: everything it runs whether or not it is used
/// (instances up to their autoscaling or vCPU maximum, endpoints, NAT gateways, keys, alarms, dashboards), priced
/// from <see cref="PriceTable"/>. What is billed by use alone (requests, GB, events) has no upper bound at synth
/// time and is listed in <see cref="UsageBasedCosts"/> instead.
/// </summary>
public interface ICostedConstruct : IConstruct
{
    /// <summary>The construct's own worst-case lines (not those of costed constructs nested in it, such as a standalone platform).</summary>
    IReadOnlyList<CostLine> WorstCaseMonthlyCost { get; }

    /// <summary>What the construct bills by use, with its unit prices: not bounded by the worst case.</summary>
    IReadOnlyList<string> UsageBasedCosts { get; }

    /// <summary>The ceiling the worst case must stay under, or null for none.</summary>
    double? MaxMonthlyCostUsd { get; }
}
