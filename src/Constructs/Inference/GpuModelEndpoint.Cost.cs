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
            // With instance pools any of them may be what SageMaker has capacity for: the worst case is the dearest.
            InstanceHosting ih => Add(ih.Types.Select(t => table.Get(region, PriceTable.SageMakerHosting, t)).MaxBy(p => p.Usd)!, ih.EffectiveMax,
                ih.HasPools ? "MaxInstances instances of the dearest instance pool, every hour" : "MaxInstances instances, every hour"),
            ServerlessHosting s => Add(table.Get(region, PriceTable.SageMakerServerless, "inference.gb-second"), s.MaxConcurrency * s.MemorySizeInMb / 1024.0 * 3600, "MaxConcurrency invocations busy every second of the hour")
                + (s.ProvisionedConcurrency is { } pc ? Add(table.Get(region, PriceTable.SageMakerServerless, "provisioned-concurrency.gb-second"), pc * s.MemorySizeInMb / 1024.0 * 3600, "provisioned concurrency, every second of the hour") : 0),
            _ => 0,
        };
        return (Math.Round(hourly, 4), region, items);
    }

    private double RecordWorstCaseCost()
    {
        var (hourly, region, items) = ComputeWorstCase();
        var (warmInstances, warmHours) = WarmWindow();
        var stackRegion = Stack.Of(this).Region;
        if (!Token.IsUnresolved(stackRegion) && stackRegion != region)
            Annotations.Of(this).AddWarningV2("AwsModelPlatform:PriceRegion",
                $"The price table has no prices for {stackRegion}; the worst-case cost of {EndpointName} uses {region} prices.");
        Endpoint.AddMetadata(CostMetadataKey, new ResourceCostRecord(hourly, Math.Round(hourly * PriceTable.HoursPerMonth, 2), region, PriceTable.Default.Version, items)
        {
            // What the cost reports need to price expected use (CostReports' endpoint pricer); the first pool's type is tried first.
            Endpoint = new EndpointCostRecord(
                _hosting.PropName,
                IsAsync,
                _hosting is InstanceHosting h ? h.PrimaryType : "",
                _hosting is InstanceHosting m ? m.MinInstances : 0,
                _hosting is InstanceHosting x ? x.EffectiveMax : 0,
                _hosting is ServerlessHosting sm ? sm.MemorySizeInMb : 0,
                _hosting is ServerlessHosting sc ? sc.MaxConcurrency : 0,
                _hosting is ServerlessHosting sp ? sp.ProvisionedConcurrency ?? 0 : 0)
            {
                InstanceTypes = _hosting is InstanceHosting all ? all.Types : [],
                WarmInstances = warmInstances,
                WarmHoursPerMonth = warmHours,
            },
        }.ToMetadata());
        return hourly;
    }

    /// <summary>The instances a warm window keeps running and its hours a month; none without a window.</summary>
    private (int Instances, double HoursPerMonth) WarmWindow() => _hosting switch
    {
        // Copies pack onto instances by accelerators: the window pays for the instances its copies need.
        InferenceComponentHosting { WarmSchedule: { } w } ic =>
            (Math.Min(ic.EffectiveMax, (w.MinCapacity + ic.CopiesPerInstance(_instanceType!) - 1) / ic.CopiesPerInstance(_instanceType!)), w.HoursPerMonth),
        RealTimeHosting { WarmSchedule: { } w } => (w.MinCapacity, w.HoursPerMonth),
        _ => (0, 0),
    };

    /// <summary>Every instance (or concurrent serverless invocation) autoscaling may run, busy all month (<see cref="WorstCaseHourlyCostUsd"/> × 730 h, per price).</summary>
    protected override IEnumerable<CostLine> CapacityCostLines(string region)
    {
        var (_, _, items) = ComputeWorstCase();
        return items.Select(i => new CostLine(CostEstimator.PathInStack(Endpoint), Endpoint.CfnResourceType,
            (double)i["quantity"] * PriceTable.HoursPerMonth, (string)i["unit"], (double)i["unitPriceUsd"],
            $"{i["quantity"]} {i["unit"]} per hour ({i["what"]}) × {PriceTable.HoursPerMonth} h"));
    }
}
