using System.Globalization;
using AwsModelPlatform.Handlers.Aws;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// What a training job costs: the hourly price of its instance type × its nodes, and that × the hours from Batch's
/// <c>startedAt</c> to <c>stoppedAt</c> (or now, while it runs). Prices come from the library's price table
/// (<see cref="PriceTable"/>, embedded in the handler) for the region the function runs in, so an imported queue and an
/// environment-agnostic stack are priced where they run; a region or instance type the table does not price makes the
/// cost unknown, never a guess. Spot is the table's assumption (on-demand × (1 − <see cref="PriceTable.SpotDiscount"/>));
/// the ceiling is the on-demand price, the most a Batch Spot instance costs with the default bid percentage
/// (https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html, <c>bidPercentage</c>: "You always pay
/// the lowest (market) price and never more than your maximum percentage"). When Batch chooses among several instance
/// types and reports none, the estimate is the most expensive of them: DescribeJobs reports the instance type of
/// multi-node jobs only (<c>nodeProperties</c>, https://docs.aws.amazon.com/batch/latest/APIReference/API_NodeRangeProperty.html);
/// a single-node job names only its ECS container instance (<c>containerInstanceArn</c>,
/// https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerDetail.html).
/// </summary>
internal sealed class JobCostEstimator(TrainingCatalog catalog, PriceTable prices, string region, TimeProvider time)
{
    /// <summary>The currency of every figure.</summary>
    public const string Currency = "USD";

    /// <summary>The service key of the EC2 prices Batch instances are billed at.</summary>
    private const string Ec2 = PriceTable.Ec2OnDemand;

    /// <summary>The estimate of a job about to be submitted, before Batch has placed it.</summary>
    public TrainingJobCost AtSubmission(TrainingDefinition definition, int nodes, string? instanceType) =>
        Price(definition.MultiNode, nodes, instanceType, TrainingJobCost.Estimate, started: null, stopped: null);

    /// <summary>The cost of a described job: an estimate before it starts, so far while it runs, final once it stopped.</summary>
    public TrainingJobCost Of(BatchJobDetail job)
    {
        var multiNode = job.NodeProperties is not null;
        var nodes = job.NodeProperties?.NumNodes ?? 1;
        var ranges = job.NodeProperties?.NodeRangeProperties ?? [];
        // All node groups of a multi-node job use the same instance type (Batch API reference, ContainerProperties.instanceType).
        var type = ranges.Select(r => r.Container?.InstanceType ?? r.InstanceTypes?.FirstOrDefault()).FirstOrDefault(t => !string.IsNullOrEmpty(t));
        var finished = job.Status is "SUCCEEDED" or "FAILED";
        var started = Time(job.StartedAt);
        var stopped = Time(job.StoppedAt);
        var status = finished ? TrainingJobCost.Final : started is not null ? TrainingJobCost.Running : TrainingJobCost.Estimate;
        return Price(multiNode, nodes, type, status, started, stopped);
    }

    private TrainingJobCost Price(bool multiNode, int nodes, string? instanceType, string status, DateTimeOffset? started, DateTimeOffset? stopped)
    {
        // Batch runs no multi-node parallel job on Spot (https://docs.aws.amazon.com/batch/latest/userguide/mnp-ce.html).
        var capacity = multiNode ? JobCapacity.OnDemand : catalog.JobQueueCapacity;
        var spot = capacity is JobCapacity.Spot or JobCapacity.SpotThenOnDemand;
        IReadOnlyList<string> types = instanceType is not null ? [instanceType] : catalog.InstanceTypes;
        var basis = new TrainingJobCostBasis(region, prices.Version, spot ? "Spot" : "OnDemand", nodes, types)
        {
            InstanceType = instanceType ?? (types.Count == 1 ? types[0] : null),
            SpotDiscount = spot ? prices.SpotDiscount : null,
            SpotAssumption = spot ? prices.SpotDiscountSource : null,
        };
        if (!prices.IsPriced(region))
            return Unknown(status, basis, $"The price table (version {prices.Version}) has no prices for {region}; "
                + $"priced regions: {string.Join(", ", prices.Regions.Order(StringComparer.Ordinal))}.");
        var onDemand = new List<(string Type, double Usd)>();
        foreach (var type in types)
        {
            if (!prices.TryGet(region, Ec2, type, out var price))
                return Unknown(status, basis, $"The price table (version {prices.Version}) has no {region} price for instance type '{type}'.");
            onDemand.Add((type, price.Usd));
        }
        var costliest = onDemand.MaxBy(p => p.Usd);
        var hourlyCeiling = costliest.Usd * nodes;
        var hourly = spot ? hourlyCeiling * (1 - prices.SpotDiscount) : hourlyCeiling;
        var notes = new List<string>();
        if (basis.InstanceType is null)
            notes.Add($"AWS Batch chooses among {string.Join(", ", types)} and reports none for this job: "
                + $"priced as the most expensive, {costliest.Type}.");
        if (spot)
            notes.Add($"Spot priced at on-demand × {Invariant(1 - prices.SpotDiscount)} (the price table's assumption); the ceiling is on-demand"
                + (capacity == JobCapacity.SpotThenOnDemand ? ", what the queue's on-demand fallback pays." : ", the most Batch pays for Spot."));
        var cost = new TrainingJobCost(status, Currency, basis)
        {
            HourlyUsd = Usd(hourly),
            HourlyCeilingUsd = hourlyCeiling > hourly ? Usd(hourlyCeiling) : null,
            Note = notes.Count > 0 ? string.Join(" ", notes) : null,
        };
        if (status == TrainingJobCost.Estimate) return cost;
        var seconds = started is { } from ? Math.Max(0, ((stopped ?? time.GetUtcNow()) - from).TotalSeconds) : 0;
        return cost with
        {
            Seconds = Math.Round(seconds, 3),
            CostUsd = Usd(hourly * seconds / 3600),
            CostCeilingUsd = hourlyCeiling > hourly ? Usd(hourlyCeiling * seconds / 3600) : null,
        };
    }

    private static TrainingJobCost Unknown(string status, TrainingJobCostBasis basis, string why) =>
        new(TrainingJobCost.Unknown, Currency, basis) { Note = why + (status == TrainingJobCost.Final ? " The job has finished." : "") };

    // Cents of a cent: a short job's cost is a fraction of a cent, and rounding it to 0 would read as free.
    private static double Usd(double usd) => Math.Round(usd, 6, MidpointRounding.AwayFromZero);

    private static string Invariant(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(long? epochMs) => epochMs is { } ms and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
