using System.Text;
using System.Text.Json.Nodes;

namespace AwsModelPlatform.Compliance.Tests.MetricCatalog;

/// <summary>One metric a template watches: where (alarm, dashboard widget, scaling policy), which metric, its dimensions.</summary>
/// <param name="Where">The resource and, for a dashboard, the widget.</param>
/// <param name="Namespace">CloudWatch namespace.</param>
/// <param name="Name">Metric name.</param>
/// <param name="Dimensions">Dimension names and their values as the template writes them (a literal or an intrinsic).</param>
/// <param name="EndpointKind">
/// The SageMaker endpoint kind the dimensions point at (<c>realtime</c>, <c>serverless</c>, <c>async</c>,
/// <c>inference-component</c>), when they name an endpoint or inference component of the template; null otherwise.
/// </param>
public sealed record MetricReference(string Where, string Namespace, string Name, IReadOnlyDictionary<string, JsonNode?> Dimensions, string? EndpointKind)
{
    public override string ToString() => $"{Where}: {Namespace} {Name} [{string.Join(", ", Dimensions.Keys.Order(StringComparer.Ordinal))}]";
}

/// <summary>A target-tracking policy on a predefined metric, and the dimension of the target it scales.</summary>
public sealed record PredefinedScalingReference(string Where, string Type, string ScalableDimension, string? EndpointKind);

/// <summary>
/// Reads every metric a synthesized template uses: alarms (a metric, or the metrics of a math expression), dashboard
/// widgets (the body's <c>metrics</c> rows, with <c>Fn::Join</c> tokens kept as intrinsics) and target-tracking scaling
/// policies (customized metrics; predefined ones separately). Step-scaling policies have no metric of their own: their
/// alarms are read as alarms.
/// </summary>
public static class MetricReferences
{
    public static IEnumerable<MetricReference> From(JsonObject template)
    {
        var resources = Resources(template);
        var kinds = new EndpointKinds(resources);
        foreach (var (id, resource) in resources)
        {
            var properties = resource["Properties"] as JsonObject;
            if (properties is null) continue;
            var references = resource["Type"]!.GetValue<string>() switch
            {
                "AWS::CloudWatch::Alarm" => MetricOrQueries($"alarm {id}", properties, kinds),
                "AWS::CloudWatch::Dashboard" => DashboardReferences(id, properties["DashboardBody"]!, kinds),
                "AWS::ApplicationAutoScaling::ScalingPolicy" when properties["TargetTrackingScalingPolicyConfiguration"]?["CustomizedMetricSpecification"] is JsonObject customized =>
                    MetricOrQueries($"scaling policy {id}", customized, kinds),
                _ => [],
            };
            foreach (var reference in references) yield return reference;
        }
    }

    // An alarm or a customized scaling metric names one metric, or the metrics of a math expression's queries.
    private static IEnumerable<MetricReference> MetricOrQueries(string where, JsonObject spec, EndpointKinds kinds)
    {
        if (spec["MetricName"] is not null) yield return Reference(where, spec, kinds);
        foreach (var query in spec["Metrics"]?.AsArray() ?? new JsonArray())
            if (query?["MetricStat"]?["Metric"] is JsonObject metric)
                yield return Reference($"{where} ({query["Id"]})", metric, kinds);
    }

    /// <summary>Every target-tracking policy on a predefined metric, with the scalable dimension of its target.</summary>
    public static IEnumerable<PredefinedScalingReference> PredefinedScaling(JsonObject template)
    {
        var resources = Resources(template);
        var kinds = new EndpointKinds(resources);
        foreach (var (id, resource) in resources)
        {
            if (resource["Type"]!.GetValue<string>() != "AWS::ApplicationAutoScaling::ScalingPolicy") continue;
            var properties = resource["Properties"]!;
            if (properties["TargetTrackingScalingPolicyConfiguration"]?["PredefinedMetricSpecification"]?["PredefinedMetricType"]?.GetValue<string>() is not { } type) continue;
            var targetId = properties["ScalingTargetId"]?["Ref"]?.GetValue<string>()
                ?? throw new InvalidOperationException($"scaling policy {id}: ScalingTargetId is not a Ref to a target of this template");
            var target = resources[targetId]!["Properties"]!;
            yield return new PredefinedScalingReference($"scaling policy {id}", type, target["ScalableDimension"]!.GetValue<string>(),
                kinds.OfScalableResource(target["ResourceId"]!));
        }
    }

    private static Dictionary<string, JsonObject> Resources(JsonObject template) =>
        template["Resources"]!.AsObject().ToDictionary(r => r.Key, r => r.Value!.AsObject());

    private static MetricReference Reference(string where, JsonObject metric, EndpointKinds kinds)
    {
        var dimensions = (metric["Dimensions"]?.AsArray() ?? new JsonArray())
            .ToDictionary(d => d!["Name"]!.GetValue<string>(), d => d!["Value"]?.DeepClone());
        return new MetricReference(where, metric["Namespace"]!.GetValue<string>(), metric["MetricName"]!.GetValue<string>(), dimensions, kinds.Of(dimensions));
    }

    // A dashboard body is a JSON string, usually an Fn::Join of literals and intrinsics (names of the stack's resources).
    // Each intrinsic becomes a placeholder string while the body is parsed and is put back as a dimension value.
    private static IEnumerable<MetricReference> DashboardReferences(string id, JsonNode body, EndpointKinds kinds)
    {
        var tokens = new List<JsonNode>();
        var text = new StringBuilder();
        var parts = body is JsonObject join && join["Fn::Join"] is JsonArray joined ? joined[1]!.AsArray().ToList() : new List<JsonNode?> { body };
        foreach (var part in parts)
        {
            if (part is JsonValue value && value.TryGetValue<string>(out var literal)) text.Append(literal);
            else
            {
                text.Append($"@@token{tokens.Count}@@");
                tokens.Add(part!.DeepClone());
            }
        }
        JsonNode? Restore(JsonNode? node) =>
            node is JsonValue v && v.TryGetValue<string>(out var s) && s.StartsWith("@@token", StringComparison.Ordinal) && s.EndsWith("@@", StringComparison.Ordinal)
                ? tokens[int.Parse(s[7..^2], System.Globalization.CultureInfo.InvariantCulture)].DeepClone()
                : node?.DeepClone();

        var widgets = JsonNode.Parse(text.ToString())!["widgets"]!.AsArray();
        foreach (var widget in widgets)
        {
            var title = widget!["properties"]?["title"]?.ToString() ?? widget["type"]!.ToString();
            JsonArray? previous = null;
            foreach (var row in widget["properties"]?["metrics"]?.AsArray() ?? new JsonArray())
            {
                if (row is not JsonArray cells) continue;
                // A row's cells: namespace, name, then dimension name/value pairs, then an optional options object;
                // "." repeats the cell of the row above (the console's shorthand).
                var values = cells.Select((cell, i) => cell is JsonValue c && c.TryGetValue<string>(out var s) && s == "." ? previous![i] : cell).ToList();
                previous = new JsonArray(values.Select(v => v?.DeepClone()).ToArray());
                if (values.Count < 2 || values[0] is JsonObject) continue; // an expression row
                var dimensions = new Dictionary<string, JsonNode?>();
                for (var i = 2; i + 1 < values.Count && values[i] is JsonValue; i += 2)
                    dimensions[values[i]!.GetValue<string>()] = Restore(values[i + 1]);
                yield return new MetricReference($"dashboard {id}, widget '{title}'", values[0]!.GetValue<string>(), values[1]!.GetValue<string>(), dimensions, kinds.Of(dimensions));
            }
        }
    }

    /// <summary>The kind of every SageMaker endpoint and inference component of a template, by the name it is given.</summary>
    private sealed class EndpointKinds
    {
        private readonly List<(JsonNode Name, string Kind)> _endpoints = new();
        private readonly List<JsonNode> _components = new();

        public EndpointKinds(Dictionary<string, JsonObject> resources)
        {
            var componentEndpoints = resources.Values.Where(r => r["Type"]!.GetValue<string>() == "AWS::SageMaker::InferenceComponent")
                .Select(r => r["Properties"]!).ToList();
            _components.AddRange(componentEndpoints.Select(p => p["InferenceComponentName"]!));
            foreach (var (id, endpoint) in resources.Where(r => r.Value["Type"]!.GetValue<string>() == "AWS::SageMaker::Endpoint"))
            {
                var properties = endpoint["Properties"]!;
                var name = properties["EndpointName"] ?? new JsonObject { ["Fn::GetAtt"] = new JsonArray(id, "EndpointName") };
                var configId = properties["EndpointConfigName"]?["Fn::GetAtt"]?[0]?.GetValue<string>();
                var config = configId is null ? null : resources[configId]["Properties"];
                var variant = config?["ProductionVariants"]?[0];
                var kind = config?["AsyncInferenceConfig"] is not null ? "async"
                    : variant?["ServerlessConfig"] is not null ? "serverless"
                    : variant is not null && variant["ModelName"] is null ? "inference-component"
                    : "realtime";
                _endpoints.Add((name, kind));
            }
        }

        public string? Of(IReadOnlyDictionary<string, JsonNode?> dimensions)
        {
            if (dimensions.TryGetValue("InferenceComponentName", out var component))
                return _components.Any(c => JsonNode.DeepEquals(c, component)) ? "inference-component" : null;
            if (dimensions.TryGetValue("EndpointName", out var endpoint))
                return _endpoints.FirstOrDefault(e => JsonNode.DeepEquals(e.Name, endpoint)).Kind;
            return null;
        }

        // Application Auto Scaling names SageMaker targets endpoint/{name}/variant/{variant} or inference-component/{name}.
        public string? OfScalableResource(JsonNode resourceId)
        {
            var text = resourceId.ToJsonString();
            if (text.Contains("inference-component/", StringComparison.Ordinal)) return "inference-component";
            return _endpoints.FirstOrDefault(e => e.Name is JsonValue v && v.TryGetValue<string>(out var name) && text.Contains($"endpoint/{name}/", StringComparison.Ordinal)).Kind;
        }
    }
}
