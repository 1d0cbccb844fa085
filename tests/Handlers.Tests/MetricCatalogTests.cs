using System.Reflection;
using System.Text.Json.Nodes;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using AwsModelPlatform.Handlers.Training;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// The EMF metrics the handler can write are exactly the catalog entries that name handler code as their source
/// (tests/Compliance.Tests/MetricCatalog/metric-catalog.json), each with the dimension set it is written with: the
/// constructs' alarms and graphs are checked against the catalog, so a metric renamed here without the catalog would
/// leave them watching nothing.
/// </summary>
public class MetricCatalogTests
{
    [Fact]
    public void Every_metric_the_handler_writes_is_in_the_catalog_with_its_exact_dimensions()
    {
        var definition = new TrainingDefinition("finetune", "amp-finetune", Nodes: 1, MaxNodes: 1, Gpus: 4);
        var records = new RequestMetrics[]
        {
            InferenceMetrics.Instance, TrainingMetrics.Submit, TrainingMetrics.List, TrainingMetrics.Describe, TrainingMetrics.Stop,
            TrainingMetrics.Submitted(definition, gpusPerNode: null, nodes: 1, hourlyUsd: 5.67),
        };
        var written = new HashSet<(string Namespace, string Name, string Dimensions)>();
        foreach (var metrics in records)
        {
            using var output = new MemoryStream();
            new RequestLog(output, "amp-test").Write(new RequestRecord("r", "caller", "POST", "/v1/x", "llm", 200, false, 1, null, new TokenUsage(1, 2, 3), metrics,
                Woke: true, ServedByFallback: "fallback", ColdStart: TimeSpan.FromSeconds(1), Team: "research", BudgetUsedPercent: 42));
            var line = JsonNode.Parse(output.ToArray())!;
            foreach (var directive in line["_aws"]!["CloudWatchMetrics"]!.AsArray())
                foreach (var set in directive!["Dimensions"]!.AsArray())
                    foreach (var metric in directive["Metrics"]!.AsArray())
                        written.Add((directive["Namespace"]!.GetValue<string>(), metric!["Name"]!.GetValue<string>(), Key(set!.AsArray().Select(d => d!.GetValue<string>()))));
        }

        var catalog = JsonNode.Parse(File.ReadAllText(CatalogPath))!["metrics"]!
            .AsArray().Where(m => m!["source"]?.GetValue<string>().StartsWith("src/Handlers/", StringComparison.Ordinal) == true)
            .Select(m => (m!["namespace"]!.GetValue<string>(), m["name"]!.GetValue<string>(), Key(m["dimensions"]!.AsArray().Select(d => d!.GetValue<string>()))))
            .ToHashSet();
        Assert.Equal(catalog.Order(), written.Order());
    }

    private static string CatalogPath =>
        typeof(MetricCatalogTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetricCatalog").Value!;

    private static string Key(IEnumerable<string> dimensions) => string.Join(",", dimensions.Order(StringComparer.Ordinal));
}
