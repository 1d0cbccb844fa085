using System.Net;
using System.Text.Json;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Training;
using AwsModelPlatform.Handlers.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// A training job's cost in the API's answers: the estimated hourly cost at submission, the cost so far while it runs and
/// the final cost once it stopped, priced from the price table the handler carries for the region it runs in. The
/// fixture's main queue is Spot then on-demand (g5.xlarge and g5.12xlarge), its multi-node queue on-demand. moto finishes
/// a job at submission, so the running job is priced in-process against a controlled clock.
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class TrainingJobCostTests(HandlerFixture f) : IDisposable
{
    private HttpClient Http { get; } = ClientAs(f.HandlerUrl, TrainingTests.Caller);

    public void Dispose() => Http.Dispose();

    private static PriceTable Prices => PriceTable.Default;

    private static double OnDemand(string type) => Prices.Get(FakeSageMakerRuntime.Region, PriceTable.Ec2OnDemand, type).Usd;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private async Task<JsonElement> SubmitAsync(string json)
    {
        using var r = await Http.PostAsync("/v1/training-jobs", Body(json));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> DescribeAsync(string id)
    {
        using var r = await Http.GetAsync($"/v1/training-jobs/{id}");
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task A_submission_to_a_spot_queue_answers_its_hourly_cost_at_the_spot_assumption_bounded_by_on_demand()
    {
        var job = await SubmitAsync($$"""{"name":"{{Unique("spot")}}","definition":"finetune"}""");
        var cost = job.GetProperty("cost");
        Assert.Equal("estimate", cost.GetProperty("status").GetString());
        Assert.Equal("USD", cost.GetProperty("currency").GetString());
        // A single-node job: Batch chooses among the queue's types and names none, so the costliest bounds the estimate.
        var costliest = Math.Max(OnDemand("g5.xlarge"), OnDemand("g5.12xlarge"));
        Assert.Equal(costliest * (1 - Prices.SpotDiscount), cost.GetProperty("hourlyUsd").GetDouble(), 5);
        Assert.Equal(costliest, cost.GetProperty("hourlyCeilingUsd").GetDouble(), 5);
        Assert.False(cost.TryGetProperty("costUsd", out _)); // not started
        var basis = cost.GetProperty("basis");
        Assert.Equal(FakeSageMakerRuntime.Region, basis.GetProperty("region").GetString());
        Assert.Equal(Prices.Version, basis.GetProperty("priceTable").GetString());
        Assert.Equal(("Spot", 1), (basis.GetProperty("purchaseOption").GetString(), basis.GetProperty("nodes").GetInt32()));
        Assert.Equal(["g5.xlarge", "g5.12xlarge"], basis.GetProperty("instanceTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.False(basis.TryGetProperty("instanceType", out _));
        Assert.Equal(Prices.SpotDiscount, basis.GetProperty("spotDiscount").GetDouble());
        Assert.Equal(Prices.SpotDiscountSource, basis.GetProperty("spotAssumption").GetString());
        Assert.Contains("most expensive, g5.12xlarge", cost.GetProperty("note").GetString());
    }

    [Fact]
    public async Task A_multi_node_submission_is_priced_on_demand_at_its_instance_type_times_its_nodes()
    {
        var job = await SubmitAsync($$"""{"name":"{{Unique("ondemand")}}","definition":"ddp","nodes":3,"instanceType":"g5.xlarge"}""");
        var cost = job.GetProperty("cost");
        Assert.Equal("estimate", cost.GetProperty("status").GetString());
        // Batch runs no multi-node job on Spot: its queue is on-demand, and the estimate is exact per hour.
        Assert.Equal(OnDemand("g5.xlarge") * 3, cost.GetProperty("hourlyUsd").GetDouble(), 5);
        Assert.False(cost.TryGetProperty("hourlyCeilingUsd", out _));
        var basis = cost.GetProperty("basis");
        Assert.Equal(("OnDemand", "g5.xlarge", 3),
            (basis.GetProperty("purchaseOption").GetString(), basis.GetProperty("instanceType").GetString(), basis.GetProperty("nodes").GetInt32()));
        Assert.False(basis.TryGetProperty("spotDiscount", out _));
    }

    [Fact]
    public async Task A_finished_job_is_described_with_its_final_cost_from_its_start_to_its_stop()
    {
        // moto ignores node overrides: the job runs as its definition says, 2 nodes of g5.12xlarge, and finishes at once.
        var id = (await SubmitAsync($$"""{"name":"{{Unique("final")}}","definition":"ddp"}""")).GetProperty("id").GetString()!;
        var batch = (await TrainingMoto.DescribeAsync(f.Moto.Url, id))!.Value;
        var seconds = (batch.GetProperty("stoppedAt").GetInt64() - batch.GetProperty("startedAt").GetInt64()) / 1000.0;

        var cost = (await DescribeAsync(id)).GetProperty("cost");
        Assert.Equal("final", cost.GetProperty("status").GetString());
        var hourly = OnDemand("g5.12xlarge") * 2;
        Assert.Equal(hourly, cost.GetProperty("hourlyUsd").GetDouble(), 5);
        Assert.Equal(seconds, cost.GetProperty("seconds").GetDouble(), 3);
        Assert.Equal(hourly * seconds / 3600, cost.GetProperty("costUsd").GetDouble(), 5);
        Assert.Equal("g5.12xlarge", cost.GetProperty("basis").GetProperty("instanceType").GetString()); // as Batch reports it
    }

    [Fact]
    public async Task Listing_answers_each_of_the_callers_jobs_with_its_cost_as_describing_it_does()
    {
        var id = (await SubmitAsync($$"""{"name":"{{Unique("listed")}}","definition":"ddp"}""")).GetProperty("id").GetString()!;
        var described = (await DescribeAsync(id)).GetProperty("cost");
        string? token = null;
        JsonElement? listed = null;
        do
        {
            var query = "?status=SUCCEEDED" + (token is null ? "" : "&nextToken=" + Uri.EscapeDataString(token));
            using var r = await Http.GetAsync("/v1/training-jobs" + query);
            var page = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            listed ??= page.GetProperty("jobs").EnumerateArray()
                .Where(j => j.GetProperty("id").GetString() == id).Select(j => (JsonElement?)j).FirstOrDefault();
            token = page.TryGetProperty("nextToken", out var next) ? next.GetString() : null;
        }
        while (listed is null && token is not null);
        Assert.NotNull(listed);
        Assert.Equal(described.GetRawText(), listed.Value.GetProperty("cost").GetRawText());
        Assert.Equal("final", described.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_finished_single_node_job_on_the_spot_queue_has_a_final_cost_and_its_on_demand_ceiling()
    {
        var id = (await SubmitAsync($$"""{"name":"{{Unique("final-spot")}}","definition":"finetune"}""")).GetProperty("id").GetString()!;
        var batch = (await TrainingMoto.DescribeAsync(f.Moto.Url, id))!.Value;
        var seconds = (batch.GetProperty("stoppedAt").GetInt64() - batch.GetProperty("startedAt").GetInt64()) / 1000.0;
        var cost = (await DescribeAsync(id)).GetProperty("cost");
        Assert.Equal("final", cost.GetProperty("status").GetString());
        var ceiling = OnDemand("g5.12xlarge");
        Assert.Equal(ceiling * (1 - Prices.SpotDiscount) * seconds / 3600, cost.GetProperty("costUsd").GetDouble(), 5);
        Assert.Equal(ceiling * seconds / 3600, cost.GetProperty("costCeilingUsd").GetDouble(), 5);
    }

    [Fact]
    public async Task A_job_on_an_instance_type_the_price_table_does_not_price_has_an_unknown_cost_rather_than_a_guess()
    {
        const string unpriced = "p5e.48xlarge";
        Assert.False(Prices.TryGet(FakeSageMakerRuntime.Region, PriceTable.Ec2OnDemand, unpriced, out _));
        var tags = new Dictionary<string, string>
        {
            [JobTags.TrainingJobs] = TrainingMoto.JobTag,
            [JobTags.Caller] = TrainingTests.Caller,
            [JobTags.CallerHash] = JobVisibilityFilter.CallerHash(TrainingTests.Caller),
        };
        var id = await TrainingMoto.SubmitMultiNodeDirectlyAsync(f.Moto.Url, Unique("unpriced"), unpriced, tags);

        var cost = (await DescribeAsync(id)).GetProperty("cost");
        Assert.Equal("unknown", cost.GetProperty("status").GetString());
        Assert.False(cost.TryGetProperty("hourlyUsd", out _));
        Assert.False(cost.TryGetProperty("costUsd", out _));
        Assert.Contains($"no {FakeSageMakerRuntime.Region} price for instance type '{unpriced}'", cost.GetProperty("note").GetString());
        Assert.Equal(unpriced, cost.GetProperty("basis").GetProperty("instanceType").GetString());
    }

    [Fact]
    public void A_running_job_costs_its_hourly_price_times_the_hours_since_it_started_on_the_clock_of_the_handler()
    {
        var started = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(started.AddMinutes(90));
        var costs = new JobCostEstimator(TrainingMoto.Catalog(f.Moto.Url, f.KmsKeyId), Prices, FakeSageMakerRuntime.Region, clock);
        var running = new BatchJobDetail
        {
            JobId = Guid.NewGuid().ToString(), Status = "RUNNING", StartedAt = started.ToUnixTimeMilliseconds(),
            NodeProperties = new BatchNodeDetails(4)
            {
                NodeRangeProperties =
                    [new BatchNodeRange { TargetNodes = "0:", Container = new BatchNodeContainer { InstanceType = "g5.12xlarge" } }],
            },
        };
        var hourly = OnDemand("g5.12xlarge") * 4;

        var soFar = costs.Of(running);
        Assert.Equal("running", soFar.Status);
        Assert.Equal(5400, soFar.Seconds);
        Assert.Equal(hourly * 1.5, soFar.CostUsd!.Value, 5);

        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(hourly * 2, costs.Of(running).CostUsd!.Value, 5);

        // Stopped: the clock no longer counts.
        var stopped = running with { Status = "FAILED", StoppedAt = started.AddMinutes(45).ToUnixTimeMilliseconds() };
        clock.Advance(TimeSpan.FromHours(5));
        var final = costs.Of(stopped);
        Assert.Equal(("final", 2700d), (final.Status, final.Seconds));
        Assert.Equal(hourly * 0.75, final.CostUsd!.Value, 5);

        // Not started yet: the hourly estimate only.
        var queued = costs.Of(running with { Status = "RUNNABLE", StartedAt = null });
        Assert.Equal(("estimate", hourly), (queued.Status, queued.HourlyUsd));
        Assert.Null(queued.CostUsd);
    }

    [Fact]
    public void In_a_region_the_price_table_does_not_price_every_cost_is_unknown_and_says_which_regions_are_priced()
    {
        Assert.False(Prices.IsPriced("af-south-1"));
        var costs = new JobCostEstimator(TrainingMoto.Catalog(f.Moto.Url, f.KmsKeyId), Prices, "af-south-1", TimeProvider.System);
        var definition = new TrainingDefinition("finetune", TrainingMoto.SingleDefinition, 1, 1);
        var cost = costs.AtSubmission(definition, 1, null);
        Assert.Equal("unknown", cost.Status);
        Assert.Null(cost.HourlyUsd);
        Assert.Contains("no prices for af-south-1", cost.Note);
        Assert.Contains("us-east-1", cost.Note);
    }
}
