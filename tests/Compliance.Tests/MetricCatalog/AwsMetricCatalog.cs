using System.Text.Json.Nodes;

namespace AwsModelPlatform.Compliance.Tests.MetricCatalog;

/// <summary>
/// metric-catalog.json: the metrics AWS publishes (and the handlers emit) that the constructs may watch, each with its
/// exact dimension set, the endpoint kinds that publish it and the page that says so. A template that watches anything
/// else watches a metric that never exists: CloudWatch matches a metric only by namespace, name and the exact set of
/// dimension names, and an alarm on a metric with no data stays OK forever.
/// </summary>
public sealed class AwsMetricCatalog
{
    public sealed record Entry(string Namespace, string Name, IReadOnlySet<string> Dimensions, IReadOnlyList<string> For, string Source);

    public sealed record PredefinedEntry(string Type, string ScalableDimension, IReadOnlyList<string> For, string Doc);

    public static AwsMetricCatalog Default { get; } = Load(Repo.Path("tests", "Compliance.Tests", "MetricCatalog", "metric-catalog.json"));

    public IReadOnlyList<Entry> Metrics { get; }
    public IReadOnlyList<PredefinedEntry> PredefinedScalingMetrics { get; }

    private AwsMetricCatalog(IReadOnlyList<Entry> metrics, IReadOnlyList<PredefinedEntry> predefined) =>
        (Metrics, PredefinedScalingMetrics) = (metrics, predefined);

    public static AwsMetricCatalog Load(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        static IReadOnlyList<string> Strings(JsonNode? array) => array?.AsArray().Select(s => s!.GetValue<string>()).ToList() ?? new List<string>();
        var metrics = json["metrics"]!.AsArray().Select(m => new Entry(
            m!["namespace"]!.GetValue<string>(),
            m["name"]!.GetValue<string>(),
            Strings(m["dimensions"]).ToHashSet(StringComparer.Ordinal),
            Strings(m["for"]),
            (m["doc"] ?? m["source"])!.GetValue<string>())).ToList();
        var predefined = json["predefinedScalingMetrics"]!.AsArray().Select(p => new PredefinedEntry(
            p!["type"]!.GetValue<string>(), p["scalableDimension"]!.GetValue<string>(), Strings(p["for"]), p["doc"]!.GetValue<string>())).ToList();
        return new AwsMetricCatalog(metrics, predefined);
    }

    /// <summary>What the template watches that AWS does not publish, one line each, naming the resource and the fix.</summary>
    public IReadOnlyList<string> Violations(JsonObject template)
    {
        var violations = new List<string>();
        foreach (var reference in MetricReferences.From(template))
        {
            var named = Metrics.Where(e => e.Namespace == reference.Namespace && e.Name == reference.Name).ToList();
            if (named.Count == 0)
            {
                violations.Add($"{reference}: {reference.Namespace} {reference.Name} is not in the metric catalog; add it with the page that documents it, or fix the name.");
                continue;
            }
            var exact = named.Where(e => e.Dimensions.SetEquals(reference.Dimensions.Keys)).ToList();
            if (exact.Count == 0)
            {
                violations.Add($"{reference}: that dimension set is never published; {reference.Namespace} {reference.Name} exists with " +
                               string.Join(" or ", named.Select(e => $"[{string.Join(", ", e.Dimensions.Order(StringComparer.Ordinal))}]")) + $" ({named[0].Source}).");
                continue;
            }
            if (reference.EndpointKind is { } kind && exact.All(e => e.For.Count > 0 && !e.For.Contains(kind)))
                violations.Add($"{reference}: {(kind == "async" ? "an" : "a")} {kind} endpoint does not publish it; it is published for {string.Join(", ", exact.SelectMany(e => e.For).Distinct())} endpoints ({exact[0].Source}).");
        }
        foreach (var scaling in MetricReferences.PredefinedScaling(template))
        {
            var entry = PredefinedScalingMetrics.FirstOrDefault(p => p.Type == scaling.Type);
            if (entry is null)
                violations.Add($"{scaling.Where}: predefined metric {scaling.Type} is not in the metric catalog.");
            else if (entry.ScalableDimension != scaling.ScalableDimension)
                violations.Add($"{scaling.Where}: {scaling.Type} scales {entry.ScalableDimension}, not {scaling.ScalableDimension} ({entry.Doc}).");
            else if (scaling.EndpointKind is { } kind && !entry.For.Contains(kind))
                violations.Add($"{scaling.Where}: {scaling.Type} is not published for a {kind} endpoint ({entry.Doc}).");
        }
        return violations;
    }
}
