using AwsModelPlatform.Constructs.Cost;

namespace AwsModelPlatform.Constructs.Inference;

// The endpoint's worst-case cost, from the price table.
public sealed partial class GpuModelEndpoint
{
    private (double Hourly, string Region, List<Dictionary<string, object>> Items) ComputeWorstCase()
    {
        var table = PriceTable.Default;
        var stackRegion = Stack.Of(this).Region;
        var region = table.PricedRegion(Token.IsUnresolved(stackRegion) ? null : stackRegion);
        var items = new List<Dictionary<string, object>>();
        double Add(Price price, double quantity, string what)
        {
            items.Add(new Dictionary<string, object>
            {
                ["what"] = what,
                ["service"] = price.Service,
                ["sku"] = price.Sku,
                ["quantity"] = quantity,
                ["unit"] = price.Unit,
                ["unitPriceUsd"] = price.Usd,
                ["source"] = price.Source,
                ["date"] = price.Date,
                ["estimated"] = price.Estimated,
            });
            return quantity * price.Usd;
        }
        double hourly = _hosting switch
        {
            InstanceHosting ih => Add(table.Get(region, PriceTable.SageMakerHosting, ih.InstanceType), ih.EffectiveMax, "MaxInstances instances, every hour"),
            ServerlessHosting s => Add(table.Get(region, PriceTable.SageMakerServerless, "inference.gb-second"), s.MaxConcurrency * s.MemorySizeInMb / 1024.0 * 3600, "MaxConcurrency invocations busy every second of the hour")
                + (s.ProvisionedConcurrency is { } pc ? Add(table.Get(region, PriceTable.SageMakerServerless, "provisioned-concurrency.gb-second"), pc * s.MemorySizeInMb / 1024.0 * 3600, "provisioned concurrency, every second of the hour") : 0),
            _ => 0,
        };
        return (Math.Round(hourly, 4), region, items);
    }

    private double RecordWorstCaseCost()
    {
        var (hourly, region, items) = ComputeWorstCase();
        var stackRegion = Stack.Of(this).Region;
        if (!Token.IsUnresolved(stackRegion) && stackRegion != region)
            Annotations.Of(this).AddWarningV2("AwsModelPlatform:PriceRegion",
                $"The price table has no prices for {stackRegion}; the worst-case cost of {EndpointName} uses {region} prices.");
        Endpoint.AddMetadata(CostMetadataKey, new ResourceCostRecord(hourly, Math.Round(hourly * PriceTable.HoursPerMonth, 2), region, PriceTable.Default.Version, items)
        {
            // What the cost reports need to price expected use (CostReports' endpoint pricer).
            Endpoint = new EndpointCostRecord(
                _hosting.PropName,
                IsAsync,
                _hosting is InstanceHosting h ? h.InstanceType : "",
                _hosting is InstanceHosting m ? m.MinInstances : 0,
                _hosting is InstanceHosting x ? x.EffectiveMax : 0,
                _hosting is ServerlessHosting sm ? sm.MemorySizeInMb : 0,
                _hosting is ServerlessHosting sc ? sc.MaxConcurrency : 0,
                _hosting is ServerlessHosting sp ? sp.ProvisionedConcurrency ?? 0 : 0),
        }.ToMetadata());
        return hourly;
    }

    /// <summary>Every instance (or concurrent serverless invocation) autoscaling may run, busy all month (<see cref="WorstCaseHourlyCostUsd"/> × 730 h, per price).</summary>
    protected override IEnumerable<CostLine> CapacityCostLines(string region)
    {
        var (_, _, items) = ComputeWorstCase();
        return items.Select(i => new CostLine(CostEstimator.PathInStack(Endpoint), Endpoint.CfnResourceType,
            (double)i["quantity"] * PriceTable.HoursPerMonth, (string)i["unit"], (double)i["unitPriceUsd"],
            $"{i["quantity"]} {i["unit"]} per hour ({i["what"]}) × {PriceTable.HoursPerMonth} h"));
    }
}
