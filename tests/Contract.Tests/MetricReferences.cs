using System.Text.Json.Nodes;

namespace AwsModelPlatform.Contract.Tests;

/// <summary>The metrics a synthesized template reads: its alarms' metrics and its dashboards' graphs.</summary>
internal static class MetricReferences
{
    /// <summary>Every metric of <paramref name="template"/>'s alarms and dashboard widgets, with its dimension values.</summary>
    public static IReadOnlyList<(string Reader, EmittedMetric Metric)> Of(JsonNode template)
    {
        var found = new List<(string, EmittedMetric)>();
        foreach (var (id, resource) in template["Resources"]!.AsObject())
        {
            var type = resource!["Type"]!.GetValue<string>();
            var properties = resource["Properties"]!;
            if (type == "AWS::CloudWatch::Alarm")
            {
                if (properties["MetricName"] is { } name)
                    found.Add((id, Metric(properties["Namespace"]!.GetValue<string>(), name.GetValue<string>(), properties["Dimensions"])));
                foreach (var query in properties["Metrics"]?.AsArray() ?? [])
                    if (query!["MetricStat"]?["Metric"] is { } m)
                        found.Add((id, Metric(m["Namespace"]!.GetValue<string>(), m["MetricName"]!.GetValue<string>(), m["Dimensions"])));
            }
            else if (type == "AWS::CloudWatch::Dashboard")
            {
                var body = JsonNode.Parse(Text(properties["DashboardBody"]!))!;
                foreach (var widget in body["widgets"]!.AsArray())
                    foreach (var line in widget!["properties"]?["metrics"]?.AsArray() ?? [])
                    {
                        // [namespace, name, dimension, value, ..., {options}]; an expression line is an object only.
                        var parts = line!.AsArray().Where(p => p is JsonValue).Select(p => p!.GetValue<string>()).ToList();
                        if (parts.Count < 2) continue;
                        var dimensions = Enumerable.Range(0, (parts.Count - 2) / 2).Select(i => (parts[2 + 2 * i], parts[3 + 2 * i]));
                        found.Add((id, new EmittedMetric(parts[0], parts[1], EmittedMetric.Key(dimensions.Select(Normalized)))));
                    }
            }
        }
        return found;
    }

    private static EmittedMetric Metric(string ns, string name, JsonNode? dimensions) =>
        new(ns, name, EmittedMetric.Key((dimensions?.AsArray() ?? []).Select(d => (d!["Name"]!.GetValue<string>(), Text(d["Value"]!))).Select(Normalized)));

    // A reader of a per-caller metric names whichever caller it watches; the handler writes each caller's.
    private static (string, string) Normalized((string Name, string Value) d) => d.Name == "Caller" ? (d.Name, InProcessHandler.Caller) : d;

    // A literal, or a Fn::Join of literals and deploy-time values (which stand in as their JSON).
    private static string Text(JsonNode node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o when o["Fn::Join"] is JsonArray join => string.Join(join[0]!.GetValue<string>(), join[1]!.AsArray().Select(p => Text(p!))),
        _ => "{deploy-time}",
    };
}
