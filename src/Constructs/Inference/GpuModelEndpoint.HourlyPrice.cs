using AwsModelPlatform.Constructs.Cost;

namespace AwsModelPlatform.Constructs.Inference;

// What the model's GPU capacity costs per hour, for the handler's dollar accounting (Inference:Models:{i}:HourlyUsd).
public sealed partial class GpuModelEndpoint
{
    /// <summary>
    /// The price table's hourly price of one instance of the endpoint's primary type in the stack's region, or for an
    /// inference component the share of one instance a copy takes (the instance's price over the copies that fit on it);
    /// null for serverless hosting, and where the region or the type has no price (a guessed price would bill teams wrongly).
    /// </summary>
    internal double? HourlyUsd()
    {
        if (_hosting is not InstanceHosting hosting || _instanceType is null) return null;
        var region = Stack.Of(this).Region;
        if (Token.IsUnresolved(region) || !PriceTable.Default.TryGet(region, PriceTable.SageMakerHosting, hosting.PrimaryType, out var price)) return null;
        var copies = _hosting is InferenceComponentHosting components ? components.CopiesPerInstance(_instanceType) : 1;
        return Math.Round(price.Usd / copies, 4);
    }
}
