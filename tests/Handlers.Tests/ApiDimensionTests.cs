using System.Text;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AwsModelPlatform.Handlers.Tests;

public sealed class ApiDimensionTests
{
    [Theory]
    [InlineData(null, "local")]
    [InlineData("", "local")]
    [InlineData("  ", "local")]
    [InlineData("amp-prod-models", "amp-prod-models")]
    public void Api_name_comes_from_configuration_or_defaults_to_local(string? configured, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(configured is null ? [] : [new("Api:Name", configured)]).Build();
        Assert.Equal(expected, ApiOptions.NameFrom(configuration));
    }

    [Fact]
    public void Every_directive_of_every_record_starts_with_the_api_dimension_whose_value_the_record_carries()
    {
        var output = new MemoryStream();
        var log = new RequestLog(output, "amp-dev-models");
        log.Write(new RequestRecord("r1", "alice", "POST", "/v1/chat/completions", "chat", 200, false, 3, null, new TokenUsage(1, 2, 3), InferenceMetrics.Instance,
            Team: "research", BudgetUsedPercent: 12.5));
        log.Write(new RequestRecord("r2", "alice", "POST", "/v1/training-jobs", null, 201, false, 3, null, null,
            Training.TrainingMetrics.Submitted(new Training.TrainingDefinition("ddp", "platform-ddp", 2, 2, Gpus: 4), null, 2)));
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        var dimensionSets = lines.SelectMany(l => l.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray())
            .Select(d => string.Join(",", d.GetProperty("Dimensions")[0].EnumerateArray().Select(n => n.GetString()))).ToList();
        // Requests, tokens and budget per team: three directives of one set, each declaring what the record carries.
        Assert.Equal(["Api,Model", "Api,Team", "Api,Team", "Api,Team", "Api,Operation", "Api,Definition"], dimensionSets);
        Assert.All(lines, l => Assert.Equal("amp-dev-models", l.GetProperty("Api").GetString()));
    }

    [Fact]
    public void A_request_without_a_team_writes_no_team_metrics_and_no_metric_is_per_caller()
    {
        var output = new MemoryStream();
        var log = new RequestLog(output, "amp-dev-models");
        log.Write(new RequestRecord("r1", "alice", "POST", "/v1/chat/completions", "chat", 200, false, 3, null, new TokenUsage(1, 2, 3), InferenceMetrics.Instance));
        log.Write(new RequestRecord("r2", "bob", "POST", "/v1/chat/completions", "chat", 429, false, 3, null, null, InferenceMetrics.Instance, Team: "research"));
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        string[] Sets(System.Text.Json.JsonElement line) => line.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray()
            .Select(d => string.Join(",", d.GetProperty("Dimensions")[0].EnumerateArray().Select(n => n.GetString())) + ":"
                + string.Join(",", d.GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString()))).ToArray();
        Assert.DoesNotContain(Sets(lines[0]), d => d.StartsWith("Api,Team", StringComparison.Ordinal));
        // A refused request of a team counts as its request; it has no tokens and no budget figure to declare.
        Assert.Contains("Api,Team:Requests", Sets(lines[1]));
        Assert.Equal("research", lines[1].GetProperty("Team").GetString());
        Assert.All(lines.SelectMany(Sets), d => Assert.DoesNotContain("Caller", d));
    }

    [Fact]
    public void A_directive_without_the_api_dimension_first_is_refused()
    {
        var requests = new HandlerMetric("Requests", HandlerMetrics.Count, HandlerMetrics.Sum);
        Assert.Throws<ArgumentException>(() => new MetricDirective(new HandlerMetricSet("N", ["Model"], [requests])));
        Assert.Throws<ArgumentException>(() => new MetricDirective(new HandlerMetricSet("N", ["Model", "Api"], [requests])));
    }
}
