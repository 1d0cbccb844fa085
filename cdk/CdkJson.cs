using System.Text.Json;

namespace AwsModelPlatform.Cdk;

/// <summary>Reads the <c>context</c> of cdk.json, as the CDK CLI would pass it.</summary>
public static class CdkJson
{
    public static IDictionary<string, object>? Context(string path)
    {
        if (!File.Exists(path)) return null;
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        if (!json.RootElement.TryGetProperty("context", out var context)) return null;
        return context.EnumerateObject().ToDictionary(p => p.Name, p => ToPlain(p.Value));
    }

    private static object ToPlain(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.Array => e.EnumerateArray().Select(ToPlain).ToArray(),
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => ToPlain(p.Value)),
        _ => e.GetString() ?? "",
    };
}
