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
        log.Write(new RequestRecord("r1", "alice", "POST", "/v1/chat/completions", "chat", 200, false, 3, null, new TokenUsage(1, 2, 3), InferenceMetrics.Instance));
        log.Write(new RequestRecord("r2", "alice", "POST", "/v1/training-jobs", null, 201, false, 3, null, null,
            Training.TrainingMetrics.Submitted(new Training.TrainingDefinition("ddp", "platform-ddp", 2, 2, Gpus: 4), null, 2)));
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        var dimensionSets = lines.SelectMany(l => l.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray())
            .Select(d => string.Join(",", d.GetProperty("Dimensions")[0].EnumerateArray().Select(n => n.GetString()))).ToList();
        Assert.Equal(["Api,Model", "Api,Model,Caller", "Api,Operation", "Api,Definition"], dimensionSets);
        Assert.All(lines, l => Assert.Equal("amp-dev-models", l.GetProperty("Api").GetString()));
    }

    [Fact]
    public void A_directive_without_the_api_dimension_first_is_refused()
    {
        var requests = new HandlerMetric("Requests", HandlerMetrics.Count, HandlerMetrics.Sum);
        Assert.Throws<ArgumentException>(() => new MetricDirective(new HandlerMetricSet("N", ["Model"], [requests])));
        Assert.Throws<ArgumentException>(() => new MetricDirective(new HandlerMetricSet("N", ["Model", "Api"], [requests])));
    }
}
